import Histogram

/// Latencies (response times, waits) in constant memory: an HdrHistogram at microsecond
/// resolution with three significant digits for percentiles (p50 ... p99.9, max), beside exact
/// Welford moments for the mean (the histogram's mean is quantized to its buckets).
///
/// Recording costs ~10 ns (../shared/BUILD-NOTES.md) and never allocates; memory is fixed by
/// the trackable range (1 us to 1 day), not by the number of observations.
public struct LatencyRecorder: Sendable {
    @usableFromInline var histogram: Histogram<UInt64>
    /// Exact count, sum and maximum: the mean must not be quantized to the histogram's buckets.
    @usableFromInline var exactCount = 0
    @usableFromInline var exactSum = 0.0
    @usableFromInline var exactMax = 0.0

    /// The largest value tracked: one day, in microseconds. Larger values are clamped.
    public static let highestTrackableMicroseconds: UInt64 = 86_400 * 1_000_000

    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: LatencyRecorder.highestTrackableMicroseconds,
            numberOfSignificantValueDigits: .three)
    }

    /// Records one latency in seconds (negative values are recorded as zero).
    @inlinable
    public mutating func record(seconds: Double) {
        exactCount += 1
        exactSum += seconds
        if seconds > exactMax { exactMax = seconds }
        let micros = seconds * 1_000_000
        let clamped: UInt64 = micros <= 0 ? 0
            : micros >= Double(LatencyRecorder.highestTrackableMicroseconds)
                ? LatencyRecorder.highestTrackableMicroseconds : UInt64(micros + 0.5)
        _ = histogram.record(clamped)
    }

    public var count: Int { exactCount }
    /// The exact mean in seconds.
    public var meanSeconds: Double { exactCount > 0 ? exactSum / Double(exactCount) : 0 }
    /// The exact maximum in seconds.
    public var maxSeconds: Double { exactMax }

    /// The value at `percentile` (0...100) in seconds, within 0.1% (three significant digits).
    public func percentileSeconds(_ percentile: Double) -> Double {
        guard exactCount > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(percentile)) / 1_000_000
    }

    /// Fraction of observations at or below `seconds`.
    public func fractionAtOrBelow(seconds: Double) -> Double {
        guard exactCount > 0 else { return 0 }
        return histogram.percentileAtOrBelowValue(UInt64(max(0, seconds * 1_000_000))) / 100
    }

    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        exactCount += other.exactCount
        exactSum += other.exactSum
        exactMax = max(exactMax, other.exactMax)
    }

    public mutating func reset() { self = LatencyRecorder() }
}
