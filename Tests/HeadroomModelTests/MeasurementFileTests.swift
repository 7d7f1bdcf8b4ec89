import Foundation
import Testing
@testable import HeadroomModel

/// `empirical(file: ...)` reading the files planners have: named columns, weights, pgbench logs,
/// Prometheus buckets, HdrHistogram tables; and refusing what it cannot read unambiguously.
@Suite struct MeasurementFiles {
    /// Writes `files` into a fresh directory and parses `text` against it.
    func parse(_ text: String, _ files: [String: String]) throws(ParseFailure) -> DistributionSpec {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-meas-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, body) in files { try? body.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try DistributionSpec.parse(text, baseDirectory: dir.path)
    }

    func failure(_ text: String, _ files: [String: String]) -> String {
        do { _ = try parse(text, files); Issue.record("accepted"); return "" } catch { return error.message }
    }

    static let pgss = """
        queryid,calls,mean_exec_time,stddev_exec_time,rows,query
        -4710,1200,2.5,1.1,1200,"SELECT a, b FROM t WHERE id = $1"
        8812,300,12.0,6.0,300,"UPDATE t
        SET b = $1 WHERE id = $2"
        """

    @Test func aMultiColumnFileWithoutANamedColumnIsRefusedNamingTheColumns() {
        let m = failure("empirical(file: pgss.csv, unit: ms)", ["pgss.csv": Self.pgss])
        #expect(m.contains("pgss.csv:1: the file has 6 columns (queryid, calls, mean_exec_time"))
        #expect(m.contains("column:"))
    }

    @Test func aNamedColumnIsRead() throws {
        let d = try parse("empirical(file: pgss.csv, column: mean_exec_time, unit: ms)", ["pgss.csv": Self.pgss])
        #expect(d == .empirical([0.0025, 0.012]))
    }

    @Test func aColumnCanBeGivenByNumber() throws {
        let d = try parse("empirical(file: pgss.csv, column: 3, unit: ms)", ["pgss.csv": Self.pgss])
        #expect(d == .empirical([0.0025, 0.012]))
    }

    @Test func aWeightColumnWeightsTheSamples() throws {
        let d = try parse("empirical(file: pgss.csv, column: mean_exec_time, weight: calls, unit: ms)", ["pgss.csv": Self.pgss])
        guard case let .tabulated(t) = d else { Issue.record("not weighted: \(d)"); return }
        #expect(t.values == [0.0025, 0.012])
        #expect(t.cumulative == [0.8, 1])
        #expect(abs(t.mean - (0.8 * 0.0025 + 0.2 * 0.012)) < 1e-15)
    }

    @Test func anUnknownColumnSuggestsTheClosest() {
        let m = failure("empirical(file: pgss.csv, column: mean_exec_tme, unit: ms)", ["pgss.csv": Self.pgss])
        #expect(m.contains("no column `mean_exec_tme`; did you mean `mean_exec_time`?"))
    }

    @Test func aBadValueNamesFileLineAndColumn() {
        let m = failure("empirical(file: s.csv, column: ms, unit: ms)", ["s.csv": "id,ms\n1,3.5\n2,fast\n"])
        #expect(m.contains("s.csv:3:3: column `ms` should hold a duration"))
    }

    @Test func bareNumbersNeedAUnit() {
        let m = failure("empirical(file: s.csv, column: ms)", ["s.csv": "id,ms\n1,3.5\n"])
        #expect(m.contains("s.csv:2:3: `3.5` in column `ms` needs a unit"))
    }

    @Test func aNegativeWeightNamesItsPlace() {
        let m = failure("empirical(file: s.csv, column: ms, weight: n, unit: ms)", ["s.csv": "ms,n\n3.5,2\n4,-1\n"])
        #expect(m.contains("s.csv:3:3: a weight (column `n`) must be a number ≥ 0, not `-1`"))
    }

    @Test func aShortLineNamesTheMissingColumn() {
        let m = failure("empirical(file: s.csv, column: ms, unit: ms)", ["s.csv": "id,ms\n1,3\n2\n"])
        #expect(m.contains("s.csv:3: the line has 1 field, so column 2 (`ms`) is missing"))
    }

    @Test func anUnclosedQuoteIsReported() {
        let m = failure("empirical(file: s.csv, column: ms, unit: ms)", ["s.csv": "q,ms\n\"SELECT 1,3\n"])
        #expect(m.contains("s.csv:2:1: a quoted field is not closed"))
    }

    @Test func inlineWeights() throws {
        let d = try parse("empirical(values: [1ms, 3ms], weights: [3, 1])", [:])
        guard case let .tabulated(t) = d else { Issue.record("not weighted"); return }
        #expect(t.cumulative == [0.75, 1])
        #expect(failure("empirical(values: [1ms, 3ms], weights: [3])", [:]).contains("2 values but 1 weights"))
    }

    // pgbench -l: client_id transaction_no time script_no time_epoch time_us [schedule_lag]
    @Test func pgbenchLogGivesTimeMinusScheduleLagInSeconds() throws {
        let log = """
            0 1 5000 0 1700000000 100 0
            1 1 9000 0 1700000000 200 4000
            0 2 skipped 0 1700000001 300 60000
            """
        #expect(try parse("empirical(file: pg.log, format: pgbench)", ["pg.log": log]) == .empirical([0.005, 0.005]))
        let closed = "0 1 5000 0 1700000000 100\n0 2 7000 0 1700000000 900\n"
        #expect(try parse("empirical(file: pg.log, format: pgbench)", ["pg.log": closed]) == .empirical([0.005, 0.007]))
    }

    @Test func aMalformedPgbenchLineNamesItsPlace() {
        let m = failure("empirical(file: pg.log, format: pgbench)", ["pg.log": "0 1 5000 0 1700000000 100\n0 2 5x 0 1 2\n"])
        #expect(m.contains("pg.log:2:5: the transaction time (field 3, µs) must be a number ≥ 0, not `5x`"))
    }

    static let prometheus = """
        # HELP http_request_duration_seconds Latency.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{handler="/a",le="0.01"} 10
        http_request_duration_seconds_bucket{handler="/a",le="0.1"} 30
        http_request_duration_seconds_bucket{handler="/a",le="+Inf"} 30
        http_request_duration_seconds_bucket{handler="/b",le="0.01"} 0
        http_request_duration_seconds_bucket{handler="/b",le="0.1"} 10
        http_request_duration_seconds_bucket{handler="/b",le="+Inf"} 10
        http_request_duration_seconds_sum 2.1
        http_request_duration_seconds_count 40
        """

    @Test func prometheusBucketsSummedOverLabelsGiveAPiecewiseLinearCDF() throws {
        let d = try parse("empirical(file: m.prom, format: prometheus)", ["m.prom": Self.prometheus])
        guard case let .tabulated(t) = d else { Issue.record("not a histogram"); return }
        #expect(t.isHistogram)
        #expect(t.values == [0, 0.01, 0.1])
        #expect(t.cumulative == [0, 0.25, 1])
        // Uniform inside buckets: 0.25 x 5ms + 0.75 x 55ms.
        #expect(abs(t.mean - (0.25 * 0.005 + 0.75 * 0.055)) < 1e-15)
    }

    @Test func prometheusMassAboveTheLastFiniteBucketIsRefused() {
        let text = "x_seconds_bucket{le=\"0.1\"} 5\nx_seconds_bucket{le=\"+Inf\"} 7\n"
        let m = failure("empirical(file: m.prom, format: prometheus)", ["m.prom": text])
        #expect(m.contains("2 of the 7 observations of `x_seconds` lie above its last finite bucket (le=\"0.1\")"))
    }

    @Test func prometheusNeedsAUnitWhenTheNameHasNone() {
        let text = "latency_bucket{le=\"10\"} 5\nlatency_bucket{le=\"+Inf\"} 5\n"
        #expect(failure("empirical(file: m.prom, format: prometheus)", ["m.prom": text]).contains("m.prom:1: the unit of `latency` is not in its name"))
        #expect((try? parse("empirical(file: m.prom, format: prometheus, unit: ms)", ["m.prom": text]))?.mean == 0.005)
    }

    @Test func prometheusWithSeveralHistogramsNeedsAMetric() throws {
        let text = Self.prometheus + "\nother_seconds_bucket{le=\"+Inf\"} 1\n"
        #expect(failure("empirical(file: m.prom, format: prometheus)", ["m.prom": text]).contains("holds 2 histograms"))
        // Named, the chosen histogram is read alone (the buckets and CDF of the one-histogram
        // test above); `other_seconds` does not enter.
        let d = try parse("empirical(file: m.prom, format: prometheus, metric: http_request_duration_seconds)", ["m.prom": text])
        guard case let .tabulated(t) = d else { Issue.record("not a histogram"); return }
        #expect(t.values == [0, 0.01, 0.1])
        #expect(t.cumulative == [0, 0.25, 1])
    }

    static let hdr = """
               Value     Percentile TotalCount 1/(1-Percentile)

               1.000 0.000000000000          2           1.00
               2.000 0.500000000000          4           2.00
               4.000 1.000000000000          8
        #[Mean    =        2.250, StdDeviation   =        1.000]
        #[Max     =        4.000, Total count    =          8]
        """

    @Test func hdrHistogramPercentileTable() throws {
        let d = try parse("empirical(file: h.txt, format: hdrhistogram, unit: ms)", ["h.txt": Self.hdr])
        guard case let .tabulated(t) = d else { Issue.record("not a histogram"); return }
        #expect(t.values == [0.001, 0.002, 0.004])
        #expect(t.cumulative == [0.25, 0.5, 1])
        // 1/4 at 1ms, 1/4 uniform on [1, 2]ms, 1/2 uniform on [2, 4]ms.
        #expect(abs(t.mean - (0.25 * 0.001 + 0.25 * 0.0015 + 0.5 * 0.003)) < 1e-15)
    }

    @Test func hdrHistogramCSVOutputReadsTheSame() throws {
        let csv = "\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"\n1.000,0.0,2,1.00\n2.000,0.5,4,2.00\n4.000,1.0,8,Infinity\n"
        let a = try parse("empirical(file: h.csv, format: hdrhistogram, unit: ms)", ["h.csv": csv])
        let b = try parse("empirical(file: h.txt, format: hdrhistogram, unit: ms)", ["h.txt": Self.hdr])
        #expect(a == b)
    }

    @Test func hdrHistogramNeedsAUnit() {
        #expect(failure("empirical(file: h.txt, format: hdr)", ["h.txt": Self.hdr]).contains("HdrHistogram values carry no unit"))
    }

    @Test func anUnknownFormatSuggests() {
        #expect(failure("empirical(file: h.txt, format: prometeus)", ["h.txt": Self.hdr]).contains("did you mean `prometheus`?"))
    }
}
