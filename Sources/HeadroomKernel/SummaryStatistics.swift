/// Count, mean, variance, minimum and maximum of a stream of observations, in constant memory.
///
/// Uses the shifted-data algorithm (sums of x - K and (x - K)^2 with K the first observation;
/// Chan, Golub & LeVeque 1983): as stable as Welford's update for data whose spread is not tiny
/// beside its distance from K, and free of the per-observation division that made Welford's
/// update the simulator's second-hottest function in the profile.
public struct SummaryStatistics: Sendable {
    @usableFromInline var n: Int = 0
    @usableFromInline var shift: Double = 0
    @usableFromInline var sum: Double = 0
    @usableFromInline var sumSquares: Double = 0
    @usableFromInline var lowest: Double = .infinity
    @usableFromInline var highest: Double = -.infinity

    public init() {}

    @inlinable @inline(__always)
    public mutating func record(_ x: Double) {
        if n == 0 { shift = x }
        n += 1
        let d = x - shift
        sum += d
        sumSquares += d * d
        if x < lowest { lowest = x }
        if x > highest { highest = x }
    }

    @inlinable public var count: Int { n }
    public var minimum: Double { lowest }
    public var maximum: Double { highest }
    /// The sample mean (0 when empty).
    public var mean: Double { n > 0 ? shift + sum / Double(n) : 0 }
    /// The unbiased sample variance (0 with fewer than two observations).
    public var variance: Double {
        guard n > 1 else { return 0 }
        return max(0, (sumSquares - sum * sum / Double(n)) / Double(n - 1))
    }
    public var standardDeviation: Double { variance.squareRoot() }

    /// Combines two summaries (re-expressing the other's sums about this one's shift).
    public mutating func merge(_ other: SummaryStatistics) {
        guard other.n > 0 else { return }
        guard n > 0 else { self = other; return }
        let delta = other.shift - shift
        let m = Double(other.n)
        sumSquares += other.sumSquares + 2 * delta * other.sum + m * delta * delta
        sum += other.sum + m * delta
        n += other.n
        lowest = min(lowest, other.lowest)
        highest = max(highest, other.highest)
    }
}
