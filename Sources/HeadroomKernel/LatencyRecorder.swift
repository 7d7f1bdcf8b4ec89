import Histogram

/// Latencies (response times, waits) in constant memory: an HdrHistogram at microsecond
/// resolution with three significant digits for percentiles (p50 ... p99.9, max), beside exact
/// Welford moments for the mean (the histogram's mean is quantized to its buckets).
///
/// Recording costs ~10 ns (../shared/BUILD-NOTES.md) and never allocates; memory is fixed by
/// the trackable range (1 us to 1 day), not by the number of observations.
public struct LatencyRecorder: Sendable {
    @usableFromInline var histogram: Histogram<UInt64>
    public private(set) var summary = SummaryStatistics()

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
        recordSummary(seconds)
        let micros = seconds * 1_000_000
        let clamped: UInt64 = micros <= 0 ? 0
            : micros >= Double(LatencyRecorder.highestTrackableMicroseconds)
                ? LatencyRecorder.highestTrackableMicroseconds : UInt64(micros + 0.5)
        _ = histogram.record(clamped)
    }

    @usableFromInline mutating func recordSummary(_ seconds: Double) { summary.record(seconds) }

    public var count: Int { summary.count }
    /// The exact mean in seconds.
    public var meanSeconds: Double { summary.mean }
    /// The exact maximum in seconds.
    public var maxSeconds: Double { summary.count > 0 ? summary.maximum : 0 }

    /// The value at `percentile` (0...100) in seconds, within 0.1% (three significant digits).
    public func percentileSeconds(_ percentile: Double) -> Double {
        guard summary.count > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(percentile)) / 1_000_000
    }

    /// Fraction of observations at or below `seconds`.
    public func fractionAtOrBelow(seconds: Double) -> Double {
        guard summary.count > 0 else { return 0 }
        return histogram.percentileAtOrBelowValue(UInt64(max(0, seconds * 1_000_000))) / 100
    }

    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        summary.merge(other.summary)
    }

    public mutating func reset() { self = LatencyRecorder() }
}
