import Foundation
import Testing

/// `headroom import`, `fit` and `compare` as docs/calibration.md runs them, on the bundled files.
@Suite("headroom calibration commands", .serialized)
struct CalibrationCLI {
    /// Each documented command with lines of its output that follow from its input file: the
    /// call shares of the statements (157 and 51 calls), the request counts and rates of the
    /// load tests, each pool file's size and timeouts as the file spells them, the USL fit an
    /// independent solver finds (ScalabilityFitTests: scipy gives α = 0.03998 ± 0.003384,
    /// β = 0.0007462 ± 6.162e-05).
    @Test(arguments: [
        (["import", "pg-stat-statements", "models/measurements/pg_stat_statements.csv"],
         ["mix: {q1: 0.7548, q2: 0.2452}", "# 157 calls (75.5%)"]),
        (["import", "load-test", "models/measurements/k6-summary.json"],
         ["4194 requests, 34.95/s, 0.07% failed over 120.004s", "- {duration: 30s, rate: 10/s, ramp_to: 40/s}", "- {duration: 90s, rate: 40/s}"]),
        (["import", "load-test", "models/measurements/artillery-report.json", "--profile", "models/measurements/artillery-test.yml"],
         ["4196 requests, 34.97/s, 0.10% failed over 2min", "- {duration: 30s, rate: 10/s, ramp_to: 40/s}", "- {duration: 90s, rate: 40/s}"]),
        (["import", "pool", "models/measurements/pgbouncer.ini"],
         ["pgbouncer: {mode: transaction, server_connections: 20, max_client_connections: 400, query_wait_timeout: 30s}"]),
        (["import", "pool", "models/measurements/hikari.properties"],
         ["hikari: {preset: hikari, size: 16, min_idle: 4, acquire_timeout: 5s, idle_timeout: 5min}"]),
        (["import", "pool", "models/measurements/node-postgres-pool.json"],
         ["pg: {preset: node_postgres, size: 20, acquire_timeout: 2s, idle_timeout: 30s}"]),
        (["import", "pool", "models/measurements/prisma.env"],
         ["prisma: {preset: prisma, size: 5, acquire_timeout: 10s}"]),
        (["fit", "models/measurements/usl-levels.csv", "--cores", "4"],
         ["14 measurements at 7 concurrency levels", "11 degrees of freedom", "0.03998 ± 0.003384", "0.0007462 ± 6.162e-05"]),
        (["fit", "models/measurements/usl-pgbench-loaded.csv"],
         ["12 measurements at 6 concurrency levels"]),
    ] as [([String], [String])])
    func everyDocumentedImportAndFitPrintsWhatItsFileHolds(_ arguments: [String], _ expected: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 0, "\(arguments.joined(separator: " ")): \(r.stderr)")
        for line in expected {
            #expect(r.stdout.contains(line), "\(arguments.joined(separator: " ")) should print `\(line)`:\n\(r.stdout)")
        }
    }

    @Test func compareReplaysTheTestAndJudgesEachFigure() throws {
        let r = try CLI.run(["compare", "models/examples/orders-api.yaml", "models/measurements/k6-summary.json",
                             "--replications", "3", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["metric"] as? String } == ["mean", "p50", "p95", "p99", "throughput", "errors"])
        // The measured figures are the summary's own (http_req_duration avg, med, p(95), p(99) in
        // ms; http_reqs rate; http_req_failed rate).
        let measured = rows.map { $0["measured"] as? Double ?? -1 }
        for (got, want) in zip(measured, [0.0319, 0.0258, 0.0714, 0.1282, 34.95, 0.0007]) {
            #expect(abs(got - want) <= 1e-12 * max(1, want), "measured \(measured)")
        }
        // Each verdict is its interval's: inside exactly when low <= measured <= high.
        for row in rows {
            let low = try #require(row["interval_low"] as? Double), high = try #require(row["interval_high"] as? Double)
            let m = try #require(row["measured"] as? Double)
            #expect(row["inside"] as? Bool == (low <= m && m <= high), "\(row)")
        }
        // The replayed offered load (10/s ramping to 40/s over 30 s, then 90 s at 40/s) is
        // 4350 requests in 120 s, 36.25/s; the model is far from saturation, so the predicted
        // throughput's interval holds it, and the measured 34.95/s too.
        let throughput = try #require(rows.first { $0["metric"] as? String == "throughput" })
        let low = try #require(throughput["interval_low"] as? Double), high = try #require(throughput["interval_high"] as? Double)
        #expect(low <= 36.25 && 36.25 <= high, "\(throughput)")
        #expect(throughput["inside"] as? Bool == true)
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
        let j = try CLI.run(["compare", "models/examples/pgbench-one-client.yaml", "models/measurements/pgbench-transactions.log",
                             "--rate", "40/s", "--duration", "5s", "--replications", "5", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        // The measured mean is the log's: field 3 (µs) averaged over its lines, computed here.
        let log = try String(contentsOfFile: CLI.packageRoot.appendingPathComponent("models/measurements/pgbench-transactions.log").path, encoding: .utf8)
        let micros = log.split(separator: "\n").compactMap { line in line.split(separator: " ").dropFirst(2).first.flatMap { Double($0) } }
        #expect(micros.count == 208)
        let mean = try #require(rows.first { $0["metric"] as? String == "mean" })
        #expect(abs((mean["measured"] as? Double ?? -1) - micros.reduce(0, +) / Double(micros.count) / 1e6) < 1e-12, "\(mean)")
        // Replayed at the given rate: the predicted throughput's one-run interval holds 40/s.
        let throughput = try #require(rows.first { $0["metric"] as? String == "throughput" })
        let low = try #require(throughput["interval_low"] as? Double), high = try #require(throughput["interval_high"] as? Double)
        #expect(low <= 40 && 40 <= high, "\(throughput)")
    }
}
