import Histogram

/// Latencies (response times, waits) in constant memory: an HdrHistogram at microsecond
/// resolution with three significant digits for percentiles (p50 ... p99.9, max), beside the
/// exact count, sum and maximum for the mean (the histogram's mean is quantized to its buckets).
///
/// Recording counts straight into HdrHistogram's own bucket layout (1 us to 1 day, three
/// significant digits: 2048 sub-buckets, 27 buckets), with the library's index formula inlined
/// here; the `Histogram` itself is built from those counts when a percentile is asked for
/// (``histogram``), one `record(_:count:)` per non-empty bucket, with the exact smallest and
/// largest values recorded as themselves. That histogram is identical to one fed every value
/// (a kernel test checks counts, percentiles, min and max), while a record costs ~25
/// instructions instead of ~140 (the library's record is not inlined across modules and checks
/// uniqueness, range and both extremes per value: bench/PROFILE.md).
///
/// Never allocates when recording; memory is fixed by the trackable range, not by the number of
/// observations.
public struct LatencyRecorder: Sendable {
    /// Counts per HdrHistogram bucket index.
    @usableFromInline var counts: [UInt64]
    /// Exact count, sum and maximum: the mean must not be quantized to the histogram's buckets.
    @usableFromInline var exactCount = 0
    @usableFromInline var exactSum = 0.0
    @usableFromInline var exactMax = 0.0
    /// The extremes as recorded (microseconds), so the built histogram's min and max are exact.
    @usableFromInline var smallestNonZeroMicroseconds = UInt64.max
    @usableFromInline var largestMicroseconds: UInt64 = 0

    /// The largest value tracked: one day, in microseconds. Larger values are clamped.
    /// (A computed constant: a stored `static let` costs a lazy-initialization check, `swift_once`,
    /// on every read in `record`.)
    @inlinable public static var highestTrackableMicroseconds: UInt64 { 86_400 * 1_000_000 }

    // HdrHistogram's layout for lowestDiscernibleValue 1 (unit magnitude 0) and three significant
    // digits: sub-bucket count 2048 = 2^11 (the smallest power of two above 2 * 10^3), half count
    // 2^10, and leadingZeroCountBase = 64 - 0 - 10 - 1 = 53.
    @inlinable static var subBucketHalfCountMagnitude: Int { 10 }
    @inlinable static var subBucketMask: UInt64 { 2047 }
    @inlinable static var leadingZeroCountBase: Int { 53 }
    /// Index of `highestTrackableMicroseconds` plus one.
    @inlinable static var bucketIndexCount: Int { bucketIndex(ofMicroseconds: highestTrackableMicroseconds) + 1 }

    /// HdrHistogram's `countsIndexForValue`: the bucket is the number of doublings above the
    /// range of bucket 0; the sub-bucket is the value shifted down by that bucket.
    @inlinable @inline(__always)
    static func bucketIndex(ofMicroseconds value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(truncatingIfNeeded: value &>> UInt64(bucket))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + subBucket - (1 << subBucketHalfCountMagnitude)
    }

    /// HdrHistogram's `valueFromIndex`: the lowest value that falls in bucket index `index`.
    static func lowestMicroseconds(ofBucketIndex index: Int) -> UInt64 {
        let half = 1 << subBucketHalfCountMagnitude
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (half - 1)) + half
        if bucket < 0 {
            subBucket -= half
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }

    public init() {
        counts = [UInt64](repeating: 0, count: LatencyRecorder.bucketIndexCount)
    }

    /// Records one latency in seconds (negative values are recorded as zero).
    @inlinable @inline(__always)
    public mutating func record(seconds: Double) {
        exactCount += 1
        exactSum += seconds
        if seconds > exactMax { exactMax = seconds }
        let micros = seconds * 1_000_000
        let highest = LatencyRecorder.highestTrackableMicroseconds
        let clamped: UInt64 = micros <= 0 ? 0 : micros >= Double(highest) ? highest : UInt64(micros + 0.5)
        if clamped > largestMicroseconds { largestMicroseconds = clamped }
        if clamped != 0 && clamped < smallestNonZeroMicroseconds { smallestNonZeroMicroseconds = clamped }
        let index = LatencyRecorder.bucketIndex(ofMicroseconds: clamped)
        counts.withUnsafeMutableBufferPointer { $0[index] &+= 1 }
    }

    /// The HdrHistogram of everything recorded (microseconds), built from the bucket counts.
    public var histogram: Histogram<UInt64> {
        var built = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: LatencyRecorder.highestTrackableMicroseconds,
            numberOfSignificantValueDigits: .three)
        guard exactCount > 0 else { return built }
        // The extremes first, as themselves (they set the histogram's min and max); their
        // buckets then get one count fewer.
        var largestIndex = -1, smallestIndex = -1
        if largestMicroseconds > 0 {
            built.record(largestMicroseconds)
            largestIndex = LatencyRecorder.bucketIndex(ofMicroseconds: largestMicroseconds)
        }
        if smallestNonZeroMicroseconds != .max {
            let i = LatencyRecorder.bucketIndex(ofMicroseconds: smallestNonZeroMicroseconds)
            // Unless the largest was the only value in that bucket.
            if counts[i] > (i == largestIndex ? 1 : 0) {
                built.record(smallestNonZeroMicroseconds)
                smallestIndex = i
            }
        }
        counts.withUnsafeBufferPointer { counts in
            for (i, total) in counts.enumerated() where total > 0 {
                let n = total - (i == largestIndex ? 1 : 0) - (i == smallestIndex ? 1 : 0)
                if n > 0 { built.record(LatencyRecorder.lowestMicroseconds(ofBucketIndex: i), count: n) }
            }
        }
        return built
    }

    public var count: Int { exactCount }
    /// The exact mean in seconds.
    public var meanSeconds: Double { exactCount > 0 ? exactSum / Double(exactCount) : 0 }
    /// The exact maximum in seconds.
    public var maxSeconds: Double { exactMax }

    /// The value at `percentile` (0...100) in seconds, within 0.1% (three significant digits).
    public func percentileSeconds(_ percentile: Double) -> Double {
        percentilesSeconds([percentile])[0]
    }

    /// The values at several percentiles (0...100) in seconds: exactly what HdrHistogram's
    /// `valueAtPercentile` answers for a histogram fed every value (a kernel test compares them),
    /// read straight from the bucket counts. Building the `Histogram` to ask it (a 220 KB
    /// allocation and a `record` per non-empty bucket) was ~10 % of a short sweep cell
    /// (bench/PROFILE.md).
    public func percentilesSeconds(_ percentiles: [Double]) -> [Double] {
        guard exactCount > 0 else { return percentiles.map { _ in 0 } }
        // The histogram's `min` (0 once a zero is recorded) and `maxRecorded`.
        let minimum = counts[0] > 0 ? 0 : smallestNonZeroMicroseconds
        return percentiles.map {
            Double(microseconds(atPercentile: $0, minimum: minimum, maximum: largestMicroseconds)) / 1_000_000
        }
    }

    /// HdrHistogram's `valueAtPercentile` (hdrhistogram-swift 0.2.0) over these counts, given the
    /// histogram's `min` and `maxRecorded`: the highest value equivalent to the bucket
    /// where the running count reaches the percentile's share, clamped to the extremes.
    func microseconds(atPercentile percentile: Double, minimum: UInt64, maximum: UInt64) -> UInt64 {
        guard percentile != 0 else { return minimum }
        guard percentile < 100 else { return maximum }
        let requested = Swift.min(Swift.max(percentile.nextDown, 0), 100)
        let target = Swift.max(1, UInt64(((requested * Double(exactCount)) / 100).rounded(.up)))
        return counts.withUnsafeBufferPointer { counts in
            var running: UInt64 = 0
            for i in 0..<counts.count {
                running &+= counts[i]
                if running >= target {
                    let value = LatencyRecorder.lowestMicroseconds(ofBucketIndex: i)
                    // highestEquivalentForValue: the value's bucket (as HdrHistogram derives it)
                    // sets the width of its equivalence range.
                    let bucket = LatencyRecorder.leadingZeroCountBase - (value | LatencyRecorder.subBucketMask).leadingZeroBitCount
                    let subBucket = Int(truncatingIfNeeded: value &>> UInt64(bucket))
                    let width = UInt64(1) << (subBucket >= 2048 ? bucket + 1 : bucket)
                    return Swift.max(Swift.min(value + width - 1, maximum), minimum)
                }
            }
            return 0
        }
    }

    /// Fraction of observations at or below `seconds`.
    public func fractionAtOrBelow(seconds: Double) -> Double {
        guard exactCount > 0 else { return 0 }
        // Clamped before the conversion: an SLO of 1e300 s would not fit a UInt64 (a trap).
        let micros = min(max(0, seconds * 1_000_000), Double(LatencyRecorder.highestTrackableMicroseconds))
        return histogram.percentileAtOrBelowValue(UInt64(micros.isNaN ? 0 : micros)) / 100
    }

    public mutating func merge(_ other: LatencyRecorder) {
        guard other.exactCount > 0 else { return }
        counts.withUnsafeMutableBufferPointer { mine in
            other.counts.withUnsafeBufferPointer { theirs in
                for i in mine.indices { mine[i] &+= theirs[i] }
            }
        }
        exactCount += other.exactCount
        exactSum += other.exactSum
        exactMax = max(exactMax, other.exactMax)
        largestMicroseconds = max(largestMicroseconds, other.largestMicroseconds)
        smallestNonZeroMicroseconds = min(smallestNonZeroMicroseconds, other.smallestNonZeroMicroseconds)
    }

    public mutating func reset() { self = LatencyRecorder() }
}
