import Foundation
import HeadroomModel
import Testing
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// cells.csv's axis columns are numbers with the unit in the name; the terminal table and
/// `--slo` on a sweep (docs/sweeps.md).
@Suite("Sweep axis columns and the sweep's table")
struct SweepSummaryTests {
    @Test("an axis of rates is written per second, its column named for the unit")
    func ratesArePerSecond() {
        let c = SweepAxisColumn(values: ["100/s", "3000/min"])
        #expect(c.name("rate") == "rate_per_second")
        #expect(c.field("100/s") == csvNumber(100))
        #expect(c.field("3000/min") == csvNumber(50))
    }

    @Test("an axis of durations is written in seconds, of percentages as fractions")
    func durationsAndPercentages() {
        let d = SweepAxisColumn(values: ["250ms", "1s", "2min"])
        #expect(d.name("pools.db.acquire_timeout") == "pools.db.acquire_timeout_seconds")
        #expect(d.field("250ms") == csvNumber(0.25))
        #expect(d.field("2min") == csvNumber(120))
        let p = SweepAxisColumn(values: ["80%", "95%"])
        #expect(p.name("hit_ratio") == "hit_ratio_fraction")
        #expect(p.field("95%") == csvNumber(0.95))
    }

    @Test("plain numbers, words, distributions and mixed units are written as given under the key")
    func othersAsGiven() {
        for values in [["1", "2", "8"], ["round_robin", "least_connections"], ["exp(20ms)", "const(20ms)"], ["100ms", "50/s"]] {
            let c = SweepAxisColumn(values: values)
            #expect(c.name("k") == "k", "\(values)")
            #expect(c.field(values[0]) == csvField(values[0]), "\(values)")
        }
    }

    @Test("a sweep over a rate writes numeric rates under rate_per_second; the manifest names the column")
    func sweepHeaderAndRows() throws {
        let (_, out) = try sweptWorkspace(["rate=20/s,40/s", "pools.db.size=2,4"])
        let lines = contents(SweepFiles.csv(out)).split(separator: "\n")
        #expect(lines[0].hasPrefix("cell,rate_per_second,pools.db.size,replications,"))
        #expect(lines[1].hasPrefix("0,\(csvNumber(20)),2,"))
        #expect(lines[4].hasPrefix("3,\(csvNumber(40)),4,"))
        let manifest = try #require(try SweepManifest.read(directory: out))
        #expect(manifest.axes.map(\.column) == ["rate_per_second", nil])
        // cells.jsonl keeps the values as given.
        #expect(contents(SweepFiles.jsonl(out)).contains(#""values":{"rate":"20/s","pools.db.size":"2"}"#))
    }

    @Test("--slo marks the cells whose every SLO holds at the CI's unfavourable bound; the best is the cheapest of them")
    func sloMarksAndBest() throws {
        let w = try sweepWorkspace()
        let out = w.dir + "/out"
        // Pool size 1 at 40/s with 20 ms queries is close to saturation; 2 and 4 are not.
        let grid = try SweepGrid(axes: [SweepAxis.parse("pools.db.size=1,2,4")])
        try Sweep(modelPath: w.model, grid: grid, threads: 1, outputDirectory: out).run()
        let model = try ModelLoader.load(path: w.model).model
        let slo = try PlanSLO.parse("p95<150ms", model: model)
        let summary = try SweepSummary.read(directory: out, slos: [slo])
        let table = try SweepTable.read(directory: out)
        for row in summary.rows {
            let high = try #require(table.estimate(table.rows[row.cell]!, "overall.all.p95_seconds")?.high)
            #expect(row.passes == (high < 0.15), "cell \(row.cell): p95 upper bound \(high)")
        }
        let passing = summary.rows.filter(\.passes)
        #expect(!passing.isEmpty && passing.count < summary.rows.count, "the SLO should split this grid")
        let best = try #require(summary.best.map { summary.rows[$0] })
        // Default cost: the sum of the numeric axes, here the pool size.
        #expect(best.cost == passing.map { $0.cost! }.min())
        let text = summary.table()
        #expect(text.contains("best: cell \(best.cell), pools.db.size=\(best.values[0])"))
        #expect(text.contains("\(passing.count) of 3 cells meet every SLO"))
    }

    @Test("the table and the page name the model's confidence level, not always 95%")
    func confidenceLevelIsTheModels() throws {
        let yaml = sweepModelYAML.replacingOccurrences(of: "replications: 2, seed: 11}", with: "replications: 2, seed: 11, confidence: 99%}")
        #expect(yaml != sweepModelYAML)
        let (w, out) = try sweptWorkspace(["pools.db.size=2,4"], yaml: yaml)
        #expect(SweepTable.confidenceLevel(directory: out) == 0.99)
        let model = try ModelLoader.load(path: w.model).model
        let text = try SweepSummary.read(directory: out, slos: [PlanSLO.parse("p95<150ms", model: model)]).table()
        #expect(text.contains("its 99% confidence interval"), "\(text)")
        #expect(!text.contains("95%"), "\(text)")
        // The caution's t quantile is the 99% one for 1 degree of freedom: 63.66, not 12.71.
        #expect(text.contains("63.66"), "\(text)")
        let html = try HTMLReport.sweep(directory: out)
        #expect(html.contains("whiskers: 99% confidence intervals"))
        // A sweep without the setting says 95%.
        let d = try sweepWorkspace()
        try Sweep(modelPath: d.model, grid: SweepGrid(axes: [SweepAxis.parse("pools.db.size=2")]), threads: 1, outputDirectory: d.dir + "/out").run()
        #expect(SweepTable.confidenceLevel(directory: d.dir + "/out") == 0.95)
    }

    @Test("an overloaded sweep's heat map outlines the cells where most requests failed (their p95 is of the survivors)")
    func survivorsAreFlagged() throws {
        // 2 instances x 1 connection serve at most 100 queries/s of 20 ms: at 400/s most requests
        // time out waiting (acquire timeout 1 s); at 40/s with 4 connections none do.
        let (w, out) = try sweptWorkspace(["rate=40/s,400/s", "pools.db.size=1,4"])
        let table = try SweepTable.read(directory: out)
        let failed = table.rows.mapValues { row in
            ["overall.all.timeout_rate", "overall.all.error_rate"].compactMap { table.estimate(row, $0)?.mean }.reduce(0, +)
        }
        let expected = failed.values.filter { $0 > 0.5 }.count
        #expect(expected >= 1 && expected < 4, "the grid should hold both kinds of cell: \(failed)")
        let html = try HTMLReport.sweep(directory: out)
        #expect(html.components(separatedBy: "class=\"flagged\"").count - 1 == expected)
        #expect(html.contains("Outlined in red: more than half the requests failed"))
        // --slo on latency alone: the table warns about the passing cells that fail requests, and
        // not once failures have an SLO of their own.
        let model = try ModelLoader.load(path: w.model).model
        let latencyOnly = try SweepSummary.read(directory: out, slos: [PlanSLO.parse("p95<5s", model: model)])
        let survivors = latencyOnly.rows.filter { $0.passes && failed[$0.cell]! > 0.01 }.map(\.cell)
        #expect(latencyOnly.survivorCells().map { latencyOnly.rows[$0].cell } == survivors)
        #expect(!survivors.isEmpty, "a cell should pass p95<5s on its survivors: \(failed)")
        #expect(latencyOnly.table().contains("fail more than 1% of requests"))
        let guarded = try SweepSummary.read(directory: out, slos: [PlanSLO.parse("p95<5s", model: model), PlanSLO.parse("timeouts<1%", model: model)])
        #expect(!guarded.table().contains("fail more than 1% of requests"))
    }

    @Test("--cost reads the sweep's axes only")
    func costReadsAxes() {
        #expect(throws: SweepError.self) { try SweepSummary.costExpression("instances*2", axes: ["pools.db.size"]) }
        #expect((try? SweepSummary.costExpression("pools.db.size*2", axes: ["pools.db.size"])) != nil)
    }

    @Test("a sweep page draws against the first axis that varies: a single-valued first axis is fixed, not the x axis")
    func pageSkipsFixedAxes() throws {
        let (_, out) = try sweptWorkspace(["instances=2", "pools.db.size=2,4"])
        let html = try HTMLReport.sweep(directory: out)
        #expect(html.contains("Response time against pools.db.size"))
        #expect(!html.contains("against instances"))
    }
}

/// A sweep of `sweepModelYAML` (or `yaml`) over `axes`, one thread, run into `DIR/out`.
func sweptWorkspace(_ axes: [String], yaml: String = sweepModelYAML) throws -> (w: (dir: String, model: String), out: String) {
    let w = try sweepWorkspace(yaml)
    let out = w.dir + "/out"
    try Sweep(modelPath: w.model, grid: SweepGrid(axes: axes.map(SweepAxis.parse)), threads: 1, outputDirectory: out).run()
    return (w, out)
}
