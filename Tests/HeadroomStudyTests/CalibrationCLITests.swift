import Foundation
import Testing

/// `headroom import`, `fit` and `compare` as docs/calibration.md runs them, on the bundled files.
@Suite("headroom calibration commands", .serialized)
struct CalibrationCLI {
    @Test(arguments: [["import", "pg-stat-statements", "models/measurements/pg_stat_statements.csv"],
                      ["import", "load-test", "models/measurements/k6-summary.json"],
                      ["import", "load-test", "models/measurements/artillery-report.json", "--profile", "models/measurements/artillery-test.yml"],
                      ["import", "pool", "models/measurements/pgbouncer.ini"],
                      ["import", "pool", "models/measurements/hikari.properties"],
                      ["import", "pool", "models/measurements/node-postgres-pool.json"],
                      ["import", "pool", "models/measurements/prisma.env"],
                      ["fit", "models/measurements/usl-levels.csv", "--cores", "4"],
                      ["fit", "models/measurements/usl-pgbench-loaded.csv"]])
    func everyDocumentedImportAndFitRuns(_ arguments: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 0, "\(arguments.joined(separator: " ")): \(r.stderr)")
        #expect(!r.stdout.isEmpty)
    }

    @Test func compareReplaysTheTestAndJudgesEachFigure() throws {
        let r = try CLI.run(["compare", "models/examples/orders-api.yaml", "models/measurements/k6-summary.json",
                             "--replications", "3", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["metric"] as? String } == ["mean", "p50", "p95", "p99", "throughput", "errors"])
        #expect(rows.allSatisfy { $0["inside"] is Bool })
        // Exit 1 exactly when a measured figure is outside the prediction (the guessed query times: 5 of 6).
        let outside = rows.filter { $0["inside"] as? Bool == false }.compactMap { $0["metric"] as? String }
        #expect(!outside.isEmpty)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(outside.count) of 6 measured figures outside the prediction's 95% interval (\(outside.joined(separator: ", ")))"), "\(r.stderr)")
        let a = try CLI.run(["compare", "models/examples/orders-api.yaml", "models/measurements/artillery-report.json",
                             "--profile", "models/measurements/artillery-test.yml", "--replications", "2"])
        #expect(a.stdout.contains("measured figures inside the prediction's 95 % interval"))
        #expect(a.status == (a.stdout.contains("  NO\n") ? 1 : 0), "\(a.stdout)\(a.stderr)")
    }

    @Test("compare --html writes the latency figures measured beside predicted, and every figure in a table")
    func compareHTML() throws {
        let page = try CLI.temporaryFile("compare.html", "")
        try FileManager.default.removeItem(atPath: page)
        let r = try CLI.run(["compare", "models/examples/orders-api.yaml", "models/measurements/k6-summary.json",
                             "--replications", "2", "--html", page])
        #expect(r.status <= 1, "\(r.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<figure id=\"compare-latency\">"))
        #expect(html.contains("<th>measured</th>") && html.contains("<td>throughput</td>"))
        #expect(!html.contains("<script"))
    }

    @Test func aClientLatencyPutsTheRestOfTheClientsTimeOutsideTheDatabase() throws {
        let r = try CLI.run(["import", "pg-stat-statements", "models/measurements/pgbench-low-load.pg_stat_statements.csv",
                             "--pool", "pgbench", "--client-latency",
                             "empirical(file: models/measurements/pgbench-low-load.log, format: pgbench)"])
        #expect(r.status == 0, "\(r.stderr)")
        // The model bundled beside the files is this fragment's output (docs/testbed.md).
        let model = try String(contentsOfFile: CLI.packageRoot.appendingPathComponent("models/examples/pgbench-pgbouncer.yaml").path, encoding: .utf8)
        let steps = r.stdout.split(separator: "\n").filter { $0.contains("- call:") || $0.contains("- query:") }
        #expect(steps.count == 2)
        #expect(model.contains(steps[0]))
        #expect(model.contains(steps[1].replacingOccurrences(of: "pool: pgbench, ", with: "")))
        let bad = try CLI.run(["import", "pg-stat-statements", "models/measurements/pgbench-low-load.pg_stat_statements.csv",
                               "--client-latency", "6.1"])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("--client-latency: duration needs a unit"))
    }

    @Test func compareWithoutAnOfferedLoadSaysWhereToGetIt() throws {
        let r = try CLI.run(["compare", "models/examples/orders-api.yaml", "models/measurements/artillery-report.json"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("give --profile"))
    }

    @Test func fitWritesIntoTheModelAndNothingElse() throws {
        let original = try String(contentsOfFile: CLI.packageRoot.appendingPathComponent("models/examples/orders-api.yaml").path, encoding: .utf8)
        let path = try CLI.temporaryFile("orders.yaml", original)
        let r = try CLI.run(["fit", "models/measurements/usl-levels.csv", "--cores", "4", "--write", path])
        #expect(r.status == 0, "\(r.stderr)")
        let edited = try String(contentsOfFile: path, encoding: .utf8)
        #expect(edited == original.replacingOccurrences(of: "database: {cores: 2}", with: "database: {cores: 2, contention: 3.998%, coherency: 0.07462%}"))
    }

    @Test func malformedInputIsExit65WithFileLineColumn() throws {
        let path = try CLI.temporaryFile("levels.csv", "concurrency,throughput\n1,200\n2,fast\n")
        let r = try CLI.run(["fit", path])
        #expect(r.status == 65)
        #expect(r.stderr == "error: \(path):3:3: the throughput (column `throughput`) must be a number per second or a rate such as 1200/s, not `fast`\n")
    }

    @Test func compareReplaysAPgbenchRunAtItsRate() throws {
        let r = try CLI.run(["compare", "models/examples/pgbench-one-client.yaml", "models/measurements/pgbench-transactions.log",
                             "--rate", "40/s", "--duration", "5s", "--replications", "5"])
        #expect(r.status == (r.stdout.contains("  NO\n") ? 1 : 0), "\(r.stderr)")
        #expect(r.stdout.contains("offered load (--rate): 5s at 40/s"))
    }
}
