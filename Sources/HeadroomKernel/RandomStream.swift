import CGSL

/// One independent stream of random numbers: a GSL generator (`gsl_rng`) of type
/// xoshiro256** that GSL's distributions draw from, and whose state Swift's hot path steps inline.
///
/// Streams are derived from a master seed and a stable *name* (see ``StreamSeed``), never from
/// the order components were created in: adding a component to a model never shifts the draws
/// of another. A stream is not thread-safe; every replication owns its streams.
///
/// Uniform draws, and the GSL-formula exponential ``exponential(mean:)``, are inlined in Swift;
/// they are bit-for-bit the values `gsl_rng_uniform` and `gsl_ran_exponential` return on the same
/// state, which a kernel test checks. The simulator's exponential service and arrival draws use
/// the faster ziggurat method on the same state (``ExponentialZiggurat``, tested against the
/// exponential law); every other distribution calls GSL.
public final class RandomStream {
    /// The GSL generator; its `state` is a `headroom_xoshiro_state`.
    public let generator: UnsafeMutablePointer<gsl_rng>
    @usableFromInline let state: UnsafeMutablePointer<UInt64>
    /// Read once per stream, not per draw (see ``ExponentialZiggurat/layers``).
    @usableFromInline let zigguratLayers = ExponentialZiggurat.layers

    /// Creates a stream seeded with `seed` (expanded by splitmix64, as xoshiro's authors advise).
    public init(seed: UInt64) {
        GSLErrors.returnInsteadOfAborting()
        guard let rng = gsl_rng_alloc(headroom_rng_xoshiro256ss()) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        generator = rng
        gsl_rng_set(rng, UInt(seed))
        state = rng.pointee.state.bindMemory(to: UInt64.self, capacity: 4)
    }

    /// Creates the stream named `name` under `masterSeed` for replication `replication`.
    public convenience init(masterSeed: UInt64, name: String, replication: Int = 0) {
        self.init(seed: StreamSeed.derive(masterSeed: masterSeed, name: name, replication: replication))
    }

    deinit { gsl_rng_free(generator) }

    /// A non-owning, trivially copyable view of this stream for hot loops: no reference counting
    /// per draw. Valid while this stream is alive.
    @inlinable public var handle: RandomStreamHandle {
        RandomStreamHandle(state: state, generator: generator, zigguratLayers: zigguratLayers)
    }

    /// The next 64 random bits (xoshiro256**), stepping the state GSL shares.
    @inlinable public func nextBits() -> UInt64 { handle.nextBits() }
    /// A uniform draw in [0, 1), the value `gsl_rng_uniform` would return.
    @inlinable public func uniform() -> Double { handle.uniform() }
    /// An exponential draw with the given mean, the value `gsl_ran_exponential` would return.
    @inlinable public func exponential(mean: Double) -> Double { handle.exponential(mean: mean) }
}

/// A borrowed view of a ``RandomStream``: the xoshiro state and the GSL generator that shares it.
/// Plain pointers, so hot loops hold it in contiguous arrays without retain/release per draw.
public struct RandomStreamHandle: @unchecked Sendable, BitwiseCopyable {
    @usableFromInline let state: UnsafeMutablePointer<UInt64>
    public let generator: UnsafeMutablePointer<gsl_rng>
    /// The exponential ziggurat's table, carried so a draw needs no global lookup.
    @usableFromInline let zigguratLayers: UnsafePointer<ExponentialZiggurat.Layer>

    @inlinable init(state: UnsafeMutablePointer<UInt64>, generator: UnsafeMutablePointer<gsl_rng>,
                    zigguratLayers: UnsafePointer<ExponentialZiggurat.Layer>) {
        self.state = state
        self.generator = generator
        self.zigguratLayers = zigguratLayers
    }

    /// The next 64 random bits: the xoshiro256** step, identical to `headroom_xoshiro_next` in C.
    @inlinable @inline(__always)
    public func nextBits() -> UInt64 {
        let s = state
        let result = (s[1] &* 5).rotatedLeft(7) &* 9
        let t = s[1] << 17
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = s[3].rotatedLeft(45)
        return result
    }

    /// A uniform draw in [0, 1) with 53 random bits: the value `gsl_rng_uniform` would return.
    @inlinable @inline(__always)
    public func uniform() -> Double {
        Double(nextBits() >> 11) * 0x1p-53
    }

    /// An exponential draw with the given mean: `-mean * log1p(-u)`, GSL's own formula
    /// (`gsl_ran_exponential` takes the mean, not the rate).
    @inlinable @inline(__always)
    public func exponential(mean: Double) -> Double {
        -mean * _log1p(-uniform())
    }
}

extension UInt64 {
    @inlinable @inline(__always)
    func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 &- k)) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inlinable @inline(__always)
func _log1p(_ x: Double) -> Double { log1p(x) }

/// Derives independent 64-bit seeds from a master seed and a component's name.
///
/// FNV-1a over the UTF-8 name, mixed with the master seed and the replication index through
/// splitmix64's finalizer: a stable function of the three, independent of creation order and
/// thread count. With xoshiro256**'s period of 2^256 - 1, overlap between streams seeded this
/// way is negligible for any simulation that fits in memory.
public enum StreamSeed {
    public static func derive(masterSeed: UInt64, name: String, replication: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return mix(mix(masterSeed ^ mix(hash)) &+ UInt64(bitPattern: Int64(replication)) &* 0x9e37_79b9_7f4a_7c15)
    }

    /// splitmix64's output function (Steele, Lea & Flood 2014).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
