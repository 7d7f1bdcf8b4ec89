import Foundation
import HeadroomKernel
import Histogram
import Testing

/// `LatencyRecorder` counts into HdrHistogram's bucket layout itself and builds the `Histogram`
/// on demand; these tests hold it to the library fed value by value.
@Suite("Latency recorder: the same histogram as HdrHistogram fed every value")
struct LatencyRecorderTests {
    /// Values from 0 to beyond the one-day clamp, dense where buckets change width: zeros,
    /// single-microsecond values of bucket 0, and a log-uniform spread up to 10^11 us.
    static func latencies(count: Int, seed: UInt64) -> [Double] {
        let stream = RandomStream(seed: seed)
        return (0..<count).map { i in
            switch i % 10 {
            case 0: return 0
            case 1: return Double(Int(stream.uniform() * 3000)) / 1_000_000
            default: return pow(10, -6 + 11 * stream.uniform())
            }
        }
    }

    static func directHistogram(_ seconds: [Double]) -> Histogram<UInt64> {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1,
                                  highestTrackableValue: LatencyRecorder.highestTrackableMicroseconds,
                                  numberOfSignificantValueDigits: .three)
        for s in seconds {
            let micros = s * 1_000_000
            let highest = LatencyRecorder.highestTrackableMicroseconds
            h.record(micros <= 0 ? 0 : micros >= Double(highest) ? highest : UInt64(micros + 0.5))
        }
        return h
    }

    static func expectSameHistogram(_ built: Histogram<UInt64>, _ direct: Histogram<UInt64>,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(built.totalCount == direct.totalCount, sourceLocation: sourceLocation)
        #expect(built.min == direct.min, sourceLocation: sourceLocation)
        #expect(built.max == direct.max, sourceLocation: sourceLocation)
        #expect(built.maxRecorded == direct.maxRecorded, sourceLocation: sourceLocation)
        #expect(built.minNonZero == direct.minNonZero, sourceLocation: sourceLocation)
        for p in stride(from: 0.0, through: 100.0, by: 0.25) + [99.9, 99.99, 99.999] {
            #expect(built.valueAtPercentile(p) == direct.valueAtPercentile(p), "p\(p)", sourceLocation: sourceLocation)
        }
        for micros: UInt64 in [0, 1, 999, 2047, 2048, 2049, 10_000, 123_456, 9_999_999, 86_400_000_000] {
            #expect(built.percentileAtOrBelowValue(micros) == direct.percentileAtOrBelowValue(micros),
                    "at or below \(micros) us", sourceLocation: sourceLocation)
        }
        let builtBuckets = built.recordedValues().map { ($0.value, $0.count) }
        let directBuckets = direct.recordedValues().map { ($0.value, $0.count) }
        #expect(builtBuckets.elementsEqual(directBuckets, by: { $0 == $1 }), sourceLocation: sourceLocation)
    }

    @Test("the built histogram equals HdrHistogram fed every value: counts, percentiles, min, max")
    func builtHistogramEqualsDirect() {
        let values = Self.latencies(count: 50_000, seed: 11)
        var recorder = LatencyRecorder()
        for v in values { recorder.record(seconds: v) }
        Self.expectSameHistogram(recorder.histogram, Self.directHistogram(values))
    }

    @Test("one value, and only zeros, build the same histogram as the library")
    func degenerateContents() {
        for values in [[0.25], [0.0, 0.0], [3e-6], [1e9]] {
            var recorder = LatencyRecorder()
            for v in values { recorder.record(seconds: v) }
            Self.expectSameHistogram(recorder.histogram, Self.directHistogram(values))
        }
    }

    @Test("merging two recorders equals recording both sets into one")
    func mergeEqualsRecordingAll() {
        let a = Self.latencies(count: 20_000, seed: 1), b = Self.latencies(count: 7_000, seed: 2)
        var left = LatencyRecorder(), right = LatencyRecorder()
        for v in a { left.record(seconds: v) }
        for v in b { right.record(seconds: v) }
        left.merge(right)
        Self.expectSameHistogram(left.histogram, Self.directHistogram(a + b))
        #expect(left.count == a.count + b.count)
        #expect(left.maxSeconds == (a + b).max())
    }

    @Test("an empty recorder reports zero for every percentile")
    func emptyRecorder() {
        let recorder = LatencyRecorder()
        #expect(recorder.percentileSeconds(99) == 0)
        #expect(recorder.histogram.totalCount == 0)
    }
}

@Suite("Latency recorder: several percentiles at once")
struct LatencyRecorderBatchTests {
    @Test("percentilesSeconds gives what percentileSeconds gives one by one")
    func batchEqualsSingle() {
        var recorder = LatencyRecorder()
        for v in LatencyRecorderTests.latencies(count: 5_000, seed: 3) { recorder.record(seconds: v) }
        let ps = [0, 50, 95, 99, 99.9, 100.0]
        #expect(recorder.percentilesSeconds(ps) == ps.map { recorder.percentileSeconds($0) })
        #expect(LatencyRecorder().percentilesSeconds([50, 99]) == [0, 0])
    }
}

@Suite("Latency recorder: percentiles read from the counts, without building the histogram")
struct LatencyRecorderPercentileTests {
    static let percentiles = stride(from: 0.0, through: 100.0, by: 0.25) + [0.001, 99.9, 99.99, 99.999, 100.5]

    /// The library's answer on the histogram fed every value, in seconds, beside ours.
    static func expectLibraryPercentiles(_ values: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        var recorder = LatencyRecorder()
        for v in values { recorder.record(seconds: v) }
        let library = LatencyRecorderTests.directHistogram(values)
        let ours = recorder.percentilesSeconds(percentiles)
        for (p, value) in zip(percentiles, ours) {
            #expect(value == Double(library.valueAtPercentile(p)) / 1_000_000, "p\(p)", sourceLocation: sourceLocation)
        }
    }

    @Test("equal to HdrHistogram's valueAtPercentile over zeros, bucket 0 and a log-uniform spread to 10^11 us")
    func equalsTheLibraryOnWideData() {
        Self.expectLibraryPercentiles(LatencyRecorderTests.latencies(count: 50_000, seed: 21))
    }

    @Test("equal to the library without zeros, with ties at the extremes, and on tiny inputs")
    func equalsTheLibraryOnEdgeCases() {
        let spread = LatencyRecorderTests.latencies(count: 3_000, seed: 22).filter { $0 > 0 }
        Self.expectLibraryPercentiles(spread)
        Self.expectLibraryPercentiles(spread + [spread.max()!, spread.max()!, spread.min()!, spread.min()!])
        for values in [[0.25], [0.0, 0.0], [3e-6], [1e9], [0.0, 0.002], [0.0020004, 0.0020001, 0.002], [1.0, 1.0, 1.0]] {
            Self.expectLibraryPercentiles(values)
        }
    }
}
