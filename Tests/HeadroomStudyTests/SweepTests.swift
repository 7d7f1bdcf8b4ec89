import Foundation
import HeadroomModel
import HeadroomSim
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// A small web model: two instances, a pool per instance, a two-core database. 20 s horizons.
let sweepModelYAML = """
    name: sweep test
    simulation: {horizon: 20s, warmup: 2s, replications: 2, seed: 11}
    workload:
      open: {rate: 40/s}
      endpoint: api
    instances: {count: 2, workers: 1}
    pools:
      db: {size: 4, acquire_timeout: 1s}
    database: {cores: 2}
    endpoints:
      api:
        timeout: 2s
        steps:
          - cpu: exp(5ms)
          - query: {pool: db, time: exp(20ms)}
    """

/// A fresh directory with the model written in it.
func sweepWorkspace(_ yaml: String = sweepModelYAML) throws -> (dir: String, model: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-sweep-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let model = (dir as NSString).appendingPathComponent("model.yaml")
    try yaml.write(toFile: model, atomically: true, encoding: .utf8)
    return (dir, model)
}

func contents(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing \(path)>"
}

func sweepFiles(_ dir: String) -> [String] {
    [SweepFiles.manifest(dir), SweepFiles.csv(dir), SweepFiles.jsonl(dir)].map(contents)
}

@Suite("Sweep grids")
struct SweepGridTests {
    @Test("Lists, ranges with steps and units, and mixes parse in order")
    func parsing() throws {
        #expect(try SweepAxis.parse("pools.db.size=5,10,20").values == ["5", "10", "20"])
        #expect(try SweepAxis.parse("instances=1...4").values == ["1", "2", "3", "4"])
        #expect(try SweepAxis.parse("size=5...20:5").values == ["5", "10", "15", "20"])
        #expect(try SweepAxis.parse("instances=1...3,8,16").values == ["1", "2", "3", "8", "16"])
        #expect(try SweepAxis.parse("hit_ratio=0.1...0.5:0.1").values == ["0.1", "0.2", "0.3", "0.4", "0.5"])
        #expect(try SweepAxis.parse("ttl=100ms...300ms:100ms").values == ["100ms", "200ms", "300ms"])
        #expect(try SweepAxis.parse("rate=10/s...30/s:10/s").values == ["10/s", "20/s", "30/s"])
        #expect(try SweepAxis.parse("endpoints.a.steps.0.cpu=exp(2ms),uniform(1ms, 3ms)").values == ["exp(2ms)", "uniform(1ms, 3ms)"])
        #expect(try SweepAxis.parse("instances=4").values == ["4"])
    }

    @Test("Bad value lists are clear errors", arguments: [
        ("instances", "KEY=VALUES"),
        ("instances=", "no values"),
        ("=1,2", "key before"),
        ("instances=1,,2", "empty value"),
        ("instances=4...1", "empty"),
        ("instances=1...4:0", "positive"),
        ("ttl=100ms...1s:100ms", "same unit"),
        ("instances=1,2,1", "twice"),
        ("instances=a...b", "numbers"),
    ])
    func badLists(text: String, fragment: String) {
        #expect {
            _ = try SweepAxis.parse(text)
        } throws: { error in
            (error as? SweepError)?.message.contains(fragment) ?? false
        }
    }

    @Test("Cells are row-major: the last key varies fastest")
    func order() throws {
        let grid = try SweepGrid(axes: [SweepAxis(key: "a", values: ["1", "2"]), SweepAxis(key: "b", values: ["x", "y", "z"])])
        #expect(grid.count == 6)
        #expect((0..<6).map { grid.values($0).joined() } == ["1x", "1y", "1z", "2x", "2y", "2z"])
        #expect(throws: SweepError.self) { try SweepGrid(axes: [SweepAxis(key: "a", values: ["1"]), SweepAxis(key: "a", values: ["2"])]) }
    }

    @Test("Shards are numbered from 1 and split the cells round robin")
    func shards() throws {
        let s = try SweepShard.parse("2/3")
        #expect((0..<7).filter(s.contains) == [1, 4])
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            #expect(throws: SweepError.self) { try SweepShard.parse(bad) }
        }
    }
}

@Suite("headroom sweep", .serialized)
struct SweepTests {
    static let axes = ["instances=1,2", "pools.db.size=2,4"]

    func sweep(_ model: String, _ out: String, threads: Int = 2, shard: SweepShard? = nil) throws -> Sweep {
        Sweep(modelPath: model, grid: try SweepGrid(axes: SweepTests.axes.map(SweepAxis.parse)), shard: shard,
              threads: threads, outputDirectory: out)
    }

    @Test("Each cell's results equal a single run of the same overrides, whatever the thread count")
    func cellsEqualSingleRuns() throws {
        let w = try sweepWorkspace()
        let out1 = w.dir + "/t1", out2 = w.dir + "/t2"
        try sweep(w.model, out1, threads: 1).run()
        try sweep(w.model, out2, threads: 2).run()
        #expect(sweepFiles(out1) == sweepFiles(out2))

        let lines = contents(SweepFiles.jsonl(out2)).split(separator: "\n")
        let csvRows = contents(SweepFiles.csv(out2)).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(csvRows.count == 5)
        let grid = try SweepGrid(axes: SweepTests.axes.map(SweepAxis.parse))
        let header = try sweep(w.model, out2).prepare()
        for cell in 0..<grid.count {
            let loaded = try ModelLoader.load(path: w.model, overrides: grid.overrides(cell))
            let report = ReplicationStudy(model: loaded.model, workers: 1, modelWarnings: loaded.warnings.map(\.description)).run()
            let csvLine = SweepRows.csvLine(cell: cell, values: grid.values(cell), columns: grid.axes.map { SweepAxisColumn(values: $0.values) }, report: report, figures: header.figures)
            #expect(String(lines[cell]) + "\n" == SweepRows.jsonLine(cell: cell, keys: grid.axes.map(\.key), values: grid.values(cell), report: report, csvLine: csvLine))
            #expect(String(csvRows[cell + 1]) + "\n" == csvLine)
            #expect(csvRows[cell + 1].hasPrefix("\(cell),\(grid.values(cell).joined(separator: ",")),2,"))
        }
        // The columns carry the documented figures, all filled for this model.
        let columns = contents(SweepFiles.csv(out2)).split(separator: "\n")[0].split(separator: ",", omittingEmptySubsequences: false)
        for c in ["endpoints.api.p95_seconds", "endpoints.api.p95_seconds.ci_low", "endpoints.api.p95_seconds.ci_high",
                  "overall.all.timeout_rate", "pools.db.utilization", "pools.db.mean_wait_seconds",
                  "database_nodes.primary.utilization", "database.connections.peak_open_connections"] {
            #expect(columns.contains(Substring(c)), "missing column \(c)")
        }
        for row in csvRows.dropFirst() {
            #expect(!row.contains(",,"), "an empty figure in \(row)")
        }
    }

    @Test("Common random numbers: every cell draws from the same seed")
    func commonRandomNumbers() throws {
        let w = try sweepWorkspace()
        let out = w.dir + "/crn"
        // A key that changes nothing: every cell must be the very same run.
        let s = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("database.max_connections=100,200")]),
                      threads: 2, outputDirectory: out)
        try s.run()
        let reports = contents(SweepFiles.jsonl(out)).split(separator: "\n").map { line in
            String(line[line.range(of: "\"report\":")!.upperBound..<line.range(of: ",\"checksum\":", options: .backwards)!.lowerBound])
                .replacingOccurrences(of: "\"max_connections\":200", with: "\"max_connections\":100")
        }
        #expect(reports.count == 2)
        #expect(reports[0] == reports[1])
    }

    @Test("Resume after an interrupted sweep gives the same files as an uninterrupted one")
    func resume() throws {
        let w = try sweepWorkspace()
        let whole = w.dir + "/whole", broken = w.dir + "/broken"
        try sweep(w.model, whole).run()

        var first = try sweep(w.model, broken)
        first.stopAfterCells = 2
        let partial = try first.run()
        #expect(!partial.complete)
        #expect(partial.cellsRun == 2)
        // A kill in the middle of a write leaves a line without its newline; a cell may be in one file only.
        let jsonl = try FileHandle(forWritingTo: URL(fileURLWithPath: SweepFiles.jsonl(broken)))
        jsonl.seekToEndOfFile()
        jsonl.write(Data("{\"cell\":3,\"values\":{\"instan".utf8))
        try jsonl.close()
        let csv = try FileHandle(forWritingTo: URL(fileURLWithPath: SweepFiles.csv(broken)))
        csv.seekToEndOfFile()
        csv.write(Data("2,2,2,2,0.5\n".utf8))
        try csv.close()

        // Without --resume the directory is refused; with it, only missing cells run.
        #expect(throws: SweepError.self) { try sweep(w.model, broken).run() }
        let finished = try sweep(w.model, broken).run(resume: true)
        #expect(finished.complete)
        #expect(finished.cellsReused == 2)
        #expect(finished.cellsRun == 2)
        #expect(sweepFiles(broken) == sweepFiles(whole))

        // Resuming a finished sweep runs nothing and changes nothing.
        let again = try sweep(w.model, broken).run(resume: true)
        #expect(again.cellsRun == 0)
        #expect(sweepFiles(broken) == sweepFiles(whole))

        // Another grid in the same directory is refused.
        let other = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instances=1,3")]),
                          threads: 2, outputDirectory: broken)
        #expect { try other.run(resume: true) } throws: { error in
            (error as? SweepError)?.message.contains("another sweep") ?? false
        }
    }

    @Test("A grid of 10^6 cells whose first cell is invalid fails at that cell, after checking one chunk, with nothing written")
    func millionCellGridFailsFast() throws {
        let w = try sweepWorkspace()
        let out = w.dir + "/big"
        var s = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instances=0...999"), SweepAxis.parse("pool.size=1...1000")]),
                      threads: 2, outputDirectory: out)
        #expect(s.grid.count == 1_000_000)
        let checked = CheckedCells()
        s.checkProgress = { done, _ in checked.record(done) }
        #expect { try s.run() } throws: { error in
            (error as? SweepCellError)?.cell == "instances=0 pool.size=1"
        }
        #expect(checked.maximum == 0) // the first chunk failed: no chunk was reported checked
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("A sweep too large to keep its cells loaded loads each when it runs: the same files, sharded and resumed too")
    func cellsLoadedWhenTheyRun() throws {
        let w = try sweepWorkspace()
        let kept = w.dir + "/kept", loaded = w.dir + "/loaded"
        try sweep(w.model, kept).run()
        var s = try sweep(w.model, loaded)
        s.cellsKept = 0
        #expect(try s.prepare().cells.isEmpty)
        s.stopAfterCells = 1
        try s.run()
        s.stopAfterCells = nil
        let resumed = try s.run(resume: true)
        #expect(resumed.cellsReused == 1 && resumed.cellsRun == 3)
        #expect(sweepFiles(loaded) == sweepFiles(kept))
        var dirs: [String] = []
        for k in 1...2 {
            var shard = try sweep(w.model, w.dir + "/s\(k)", threads: 1, shard: try SweepShard(index: k, count: 2))
            shard.cellsKept = 0
            try shard.run()
            dirs.append(w.dir + "/s\(k)")
        }
        try SweepMerge.merge(output: w.dir + "/merged", inputs: dirs)
        #expect(sweepFiles(w.dir + "/merged") == sweepFiles(kept))
    }

    @Test("Cells are checked in order a chunk at a time: the first invalid cell deep in a grid stops the check at its chunk")
    func checkStopsAtTheFirstInvalidCell() throws {
        let w = try sweepWorkspace()
        var s = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instances=1...3,0,4...9"), SweepAxis.parse("pool.size=1...100")]),
                      threads: 2, outputDirectory: w.dir + "/deep")
        let checked = CheckedCells()
        s.checkProgress = { done, _ in checked.record(done) }
        #expect { try s.prepare() } throws: { error in
            (error as? SweepCellError)?.cell == "instances=0 pool.size=1"
        }
        // Cell 300 is the first invalid one; chunks of 64 cells: 256 reported, 320 never.
        #expect(checked.maximum == 256)
    }

    /// Changes one digit of a figure inside a line (the line stays valid JSON or CSV).
    static func editOneNumber(in path: String, line index: Int, after marker: String) throws {
        var lines = contents(path).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var line = Array(lines[index])
        let start = try #require(lines[index].range(of: marker)).upperBound.utf16Offset(in: lines[index])
        let at = try #require((start..<line.count).first { line[$0].isNumber && line[$0] != "0" })
        line[at] = line[at] == "9" ? "8" : Character(String(line[at].wholeNumberValue! + 1))
        lines[index] = String(line)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("A number edited inside a valid line of cells.jsonl or cells.csv is detected and the cell run again on --resume")
    func editedCellRerun() throws {
        let w = try sweepWorkspace()
        let whole = w.dir + "/whole"
        try sweep(w.model, whole).run()
        for (file, line, marker) in [(SweepFiles.jsonl, 1, "\"report\":"), (SweepFiles.csv, 2, "1,")] {
            let dir = w.dir + "/edited-\(line)"
            try sweep(w.model, dir).run()
            try Self.editOneNumber(in: file(dir), line: line, after: marker)
            #expect(sweepFiles(dir) != sweepFiles(whole))
            let resumed = try sweep(w.model, dir).run(resume: true)
            #expect(resumed.cellsDamaged == [1])
            #expect(resumed.cellsRun == 1)
            #expect(resumed.cellsReused == 3)
            #expect(sweepFiles(dir) == sweepFiles(whole))
        }
    }

    @Test("merge refuses a shard with an edited cell, naming the cell and the --resume that reruns it")
    func mergeRefusesEditedCell() throws {
        let w = try sweepWorkspace()
        var dirs: [String] = []
        for k in 1...2 {
            dirs.append(w.dir + "/shard-\(k)")
            try sweep(w.model, dirs[k - 1], threads: 1, shard: try SweepShard(index: k, count: 2)).run()
        }
        // Shard 2 holds cells 1 and 3; its second line is cell 3.
        try Self.editOneNumber(in: SweepFiles.jsonl(dirs[1]), line: 1, after: "\"report\":")
        #expect { try SweepMerge.merge(output: w.dir + "/merged", inputs: dirs) } throws: { error in
            guard let e = error as? SweepError else { return false }
            return e.kind == .data && e.message.contains("cell 3 does not match its checksum")
                && e.message.contains("--shard 2/2 --output-dir \(dirs[1]) --resume")
        }
        #expect(!FileManager.default.fileExists(atPath: w.dir + "/merged"))
        let fixed = try sweep(w.model, dirs[1], threads: 1, shard: try SweepShard(index: 2, count: 2)).run(resume: true)
        #expect(fixed.cellsDamaged == [3] && fixed.cellsRun == 1)
        let whole = w.dir + "/whole"
        try sweep(w.model, whole).run()
        try SweepMerge.merge(output: w.dir + "/merged", inputs: dirs)
        #expect(sweepFiles(w.dir + "/merged") == sweepFiles(whole))
    }

    @Test("Merging shards gives the unsharded sweep's files")
    func mergeShards() throws {
        let w = try sweepWorkspace()
        let whole = w.dir + "/whole"
        try sweep(w.model, whole).run()
        var dirs: [String] = []
        for k in 1...3 {
            let dir = w.dir + "/shard-\(k)"
            let outcome = try sweep(w.model, dir, threads: 1, shard: try SweepShard(index: k, count: 3)).run()
            #expect(outcome.cells == (k == 1 ? 2 : 1))
            dirs.append(dir)
        }
        let merged = w.dir + "/merged"
        let outcome = try SweepMerge.merge(output: merged, inputs: dirs.reversed())
        #expect(outcome.cells == 4)
        #expect(sweepFiles(merged) == sweepFiles(whole))

        // Missing, repeated or foreign shards are refused.
        #expect { try SweepMerge.merge(output: w.dir + "/m2", inputs: Array(dirs.prefix(2))) } throws: { error in
            (error as? SweepError)?.message.contains("3/3 missing") ?? false
        }
        #expect { try SweepMerge.merge(output: w.dir + "/m3", inputs: [dirs[0], dirs[0], dirs[1]]) } throws: { error in
            (error as? SweepError)?.message.contains("both shard 1/3") ?? false
        }
        #expect(throws: SweepError.self) { try SweepMerge.merge(output: w.dir + "/m4", inputs: [whole, dirs[0]]) }
        #expect(throws: SweepError.self) { try SweepMerge.merge(output: merged, inputs: dirs) }
    }

    @Test("Key paths that do not exist are clear errors, before anything runs")
    func badKeys() throws {
        let w = try sweepWorkspace()
        let out = w.dir + "/bad"
        // A misspelt pool name: the override names the path and suggests the pool.
        let s1 = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("pools.dbb.size=1,2")]), outputDirectory: out)
        #expect { try s1.run() } throws: { error in
            let text = "\(error)"
            return text.contains("pools.dbb.size") && text.contains("did you mean `db`")
        }
        // A misspelt leaf: the decoder names the key and suggests the right one, with the cell.
        let s2 = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("pools.db.sise=1,2")]), outputDirectory: out)
        #expect { try s2.run() } throws: { error in
            guard let e = error as? SweepCellError else { return false }
            return e.cell == "pools.db.sise=1" && e.description.contains("did you mean `size`")
        }
        // An unknown top-level key.
        let s3 = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instancez=1,2")]), outputDirectory: out)
        #expect { try s3.run() } throws: { error in "\(error)".contains("instancez") }
        // An invalid value in one cell names that cell.
        let s4 = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instances=2,0")]), outputDirectory: out)
        #expect { try s4.run() } throws: { error in (error as? SweepCellError)?.cell == "instances=0" }
        // Two spellings of one key.
        let s5 = Sweep(modelPath: w.model, grid: try SweepGrid(axes: [SweepAxis.parse("instances=1,2"), SweepAxis.parse("instances.count=3")]),
                       outputDirectory: out)
        #expect { try s5.run() } throws: { error in (error as? SweepError)?.message.contains("same model value") ?? false }
        // Nothing was written.
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("A recorded timeline covers the horizon and leaves the report's figures unchanged")
    func timeline() throws {
        let m = try model(sweepModelYAML)
        let study = ReplicationStudy(model: m, workers: 2)
        let (report, timelines) = study.runRecordingTimelines(intervalSeconds: 1)
        #expect(timelines.map(\.replication) == [0, 1])
        for t in timelines {
            #expect(t.samples.count == 20)
            #expect(t.samples.first?.startSeconds == 0)
            let arrivals = t.samples.reduce(0) { $0 + $1.arrivals }
            // Poisson arrivals at 40/s for 20 s: Poisson(800), whose 0.025% and 99.975% quantiles
            // (scipy poisson.ppf) are 703 and 900, so both replications land inside with 99.9%.
            #expect((703...900).contains(arrivals), "\(arrivals) arrivals in 20 s at 40/s")
        }
        #expect(report.sections == study.run().sections)
        let csv = TimelineExport.csv(timelines, intervalSeconds: 1)
        // Without the model the utilization columns are numbered (the model names them).
        #expect(csv.hasPrefix("replication,start_seconds,end_seconds,arrivals,completions,in_flight,pool_waiting,connections_in_use,timeouts,errors,p95_seconds,p50_seconds,p99_seconds,rejected,rate_limited,utilization.resource-1"))
        #expect(csv.split(separator: "\n").count == 41)
        let json = TimelineExport.rendered(timelines, intervalSeconds: 1, report: report, path: "t.json")
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "headroom.timeline/1")
        #expect((object?["replications"] as? [Any])?.count == 2)
    }
}

@Suite("headroom sweep, merge and run --timeline from the command line", .serialized)
struct SweepCLITests {
    @Test("merge: shards that do not fit together exit 65 (data error); an output that holds a sweep exits 73")
    func mergeExitCodes() throws {
        let w = try sweepWorkspace()
        let grid = ["--set", "instances=1,2", "--set", "pool.size=2,4", "--threads", "1"]
        for k in 1...2 {
            let r = try CLI.run(["sweep", w.model] + grid + ["--shard", "\(k)/2", "--output-dir", w.dir + "/s\(k)"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try CLI.run(["sweep", w.model, "--set", "instances=1,3", "--shard", "2/2", "--output-dir", w.dir + "/other"]).status == 0)
        let cases: [(shards: [String], says: String)] = [
            (["s1"], "2/2 missing"),
            (["s1", "s1", "s2"], "both shard 1/2"),
            (["s1", "other"], "a shard of another sweep"),
            (["s1", "nothing-here"], "not a sweep directory"),
        ]
        for c in cases {
            let r = try CLI.run(["merge", w.dir + "/m"] + c.shards.map { w.dir + "/" + $0 })
            #expect(r.status == 65, "\(c.shards): \(r.stderr)")
            #expect(r.stderr.contains(c.says), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: w.dir + "/m"))
        }
        // An incomplete shard: its last cell's lines removed, as after a kill.
        let csv = SweepFiles.csv(w.dir + "/s2")
        var lines = contents(csv).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let incomplete = try CLI.run(["merge", w.dir + "/m", w.dir + "/s1", w.dir + "/s2"])
        #expect(incomplete.status == 65, "\(incomplete.stderr)")
        #expect(incomplete.stderr.contains("is incomplete") && incomplete.stderr.contains("--resume"))

        let finish = try CLI.run(["sweep", w.model] + grid + ["--shard", "2/2", "--output-dir", w.dir + "/s2", "--resume"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(try CLI.run(["merge", w.dir + "/m", w.dir + "/s1", w.dir + "/s2"]).status == 0)
        let again = try CLI.run(["merge", w.dir + "/m", w.dir + "/s1", w.dir + "/s2"])
        #expect(again.status == 73, "\(again.stderr)")
        #expect(again.stderr.contains("already holds a sweep"))
    }

    @Test("sweep writes the files, merge joins shards, a bad key exits 65")
    func cli() throws {
        let w = try sweepWorkspace()
        let whole = try CLI.run(["sweep", w.model, "--set", "instances=1,2", "--set", "pool.size=2,4", "--output-dir", w.dir + "/whole"])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdout.contains("4 cells"))
        #expect(whole.stderr.isEmpty) // not a terminal: no progress bar
        for k in 1...2 {
            let r = try CLI.run(["sweep", w.model, "--set", "instances=1,2", "--set", "pool.size=2,4", "--shard", "\(k)/2",
                                 "--threads", "1", "--output-dir", w.dir + "/s\(k)"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try CLI.run(["merge", w.dir + "/merged", w.dir + "/s1", w.dir + "/s2"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(sweepFiles(w.dir + "/merged") == sweepFiles(w.dir + "/whole"))

        let again = try CLI.run(["sweep", w.model, "--set", "instances=1,2", "--set", "pool.size=2,4", "--output-dir", w.dir + "/whole"])
        #expect(again.status == 73)
        #expect(again.stderr.contains("--resume"))

        let bad = try CLI.run(["sweep", w.model, "--set", "pools.db.sise=1,2", "--output-dir", w.dir + "/bad"])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("did you mean `size`"))

        let timeline = w.dir + "/timeline.csv"
        let run = try CLI.run(["run", w.model, "--timeline", "2s", "--timeline-output", timeline, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(contents(timeline).split(separator: "\n").count == 1 + 2 * 10)
    }
}

/// The largest count a `checkProgress` callback reported.
final class CheckedCells: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var maximum = 0
    func record(_ n: Int) { lock.lock(); maximum = max(maximum, n); lock.unlock() }
}
