import Foundation
import Testing
import HeadroomModel
@testable import HeadroomCalibration

/// The importers on files a planner did not mean to give them: impossible figures, repeated keys,
/// encodings other than UTF-8, NUL bytes, files past the size limit, devices, deep nesting.
@Suite struct HostileImports {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func measurement(_ name: String) -> String { repository.appendingPathComponent("models/measurements/\(name)").path }

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
    func write(_ text: String, _ name: String) -> String { write(Array(text.utf8), name) }

    func loadTestFailure(_ json: String) -> String {
        do { _ = try LoadTestReader.read(path: write(json, "result.json")); return "accepted" } catch { return error.message }
    }

    @Test(arguments: [
        (#"{"metrics": {"http_reqs": {"count": -4194, "rate": 35}}}"#, "metrics.http_reqs.count is -4194"),
        (#"{"metrics": {"http_reqs": {"count": 10, "rate": -3}}}"#, "metrics.http_reqs.rate is -3"),
        (#"{"metrics": {"http_reqs": {"count": 10}}, "state": {"testRunDurationMs": -5}}"#, "state.testRunDurationMs is -5"),
        (#"{"metrics": {"http_reqs": {"count": 10}, "http_req_duration": {"avg": 8.64e307}}}"#, "metrics.http_req_duration.avg is 8.64e+307"),
        (#"{"metrics": {"http_reqs": {"count": 10}, "http_req_failed": {"rate": 1.5}}}"#, "metrics.http_req_failed.rate is 1.5"),
        (#"{"metrics": {"http_reqs": {"count": 10.5}}}"#, "metrics.http_reqs.count is 10.5"),
        (#"{"aggregate": {"counters": {"http.responses": -1}}}"#, "aggregate.counters.http.responses is -1"),
        (#"{"aggregate": {"counters": {"http.responses": 5, "http.codes.500": -9}}}"#, "aggregate.counters.http.codes.500 is -9"),
        (#"{"aggregate": {"counters": {"http.responses": 5}, "firstCounterAt": 2000, "lastCounterAt": 1000}}"#, "aggregate.lastCounterAt (1000) must be from aggregate.firstCounterAt (2000)"),
        (#"{"aggregate": {"counters": {"http.responses": 5}, "summaries": {"http.response_time": {"mean": -2}}}}"#, "aggregate.summaries.http.response_time.mean is -2"),
    ])
    func impossibleFiguresAreRefusedNamingTheFieldAndValue(_ json: String, _ fragment: String) {
        let message = loadTestFailure(json)
        #expect(message.contains(fragment), "\(message)")
        #expect(message.contains("result.json"))
    }

    @Test func jsonTooDeepIsRefusedNotACrash() {
        let deep = "{\"metrics\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(loadTestFailure(deep).contains("nested more than \(CompactJSON.maxDepth) levels deep"))
    }

    @Test func malformedJSONNamesTheLineAndColumn() {
        #expect(loadTestFailure("{\"metrics\": {\n  \"http_reqs\": {\"count\": 1,}\n}}").contains("result.json:2:28: not JSON"))
    }

    @Test func partsTheReaderDoesNotUseAreCheckedButNotBuilt() throws {
        // 200,000 custom metrics beside the four the reader uses: read; the same under `options` (built): refused.
        let many = (0..<200_000).map { "\"m\($0)\": {\"count\": \($0)}" }.joined(separator: ",")
        let path = write("{\"metrics\": {\(many), \"http_reqs\": {\"count\": 7, \"rate\": 2}}}", "big.json")
        #expect(try LoadTestReader.read(path: path).requests == 7)
        let message = loadTestFailure("{\"metrics\": {\"http_reqs\": {\"count\": 7}}, \"options\": {\(many)}}")
        #expect(message.contains("more than \(CompactJSON.maxBuiltValues) values"), "\(message)")
    }

    // MARK: pool settings: what `import pool` prints, `check` accepts

    /// A model around an `import pool` fragment: a pooler gets a pool of the application behind it.
    func modelAround(_ fragment: String) -> String {
        let pools = fragment.contains("poolers:") ? "pools:\n  app: {size: 16, via: pgbouncer}\n" : ""
        return """
            name: round trip
            simulation: {horizon: 10s, warmup: 1s, replications: 2}
            workload:
              open: {rate: 10/s}
              endpoint: tx
            database: {cores: 2, max_connections: 500}
            endpoints:
              tx:
                steps:
                  - query: {time: 1ms}

            """ + fragment + pools
    }

    static let poolFiles: [(String, String)] = [
        ("pgbouncer.ini", "[pgbouncer]\ndefault_pool_size = 20\npool_mode = transaction\ndefault_pool_size = 5\nmax_client_conn = 100\nmax_client_conn = 400\n"),
        ("crlf.ini", "[pgbouncer]\r\ndefault_pool_size = 20\r\npool_mode = session\r\n"),
        ("hikari.properties", "maximumPoolSize=10\nspring.datasource.hikari.maximum-pool-size=12\nconnectionTimeout=3000\nconnectionTimeout=4000\n"),
        ("pool.json", "{\"max\": 20, \"max\": 30, \"idleTimeoutMillis\": 1000}"),
        ("prisma.env", "DATABASE_URL=\"postgresql://u:p@h:5432/db?connection_limit=5&pool_timeout=10\"\n"),
    ]

    @Test func everyPoolFragmentLoadsAsAModel() throws {
        let bundled = ["pgbouncer.ini", "hikari.properties", "node-postgres-pool.json", "prisma.env"].map { Self.measurement($0) }
        for path in bundled + Self.poolFiles.map({ write($0.1, $0.0) }) {
            let fragment = try PoolSettingsImport.read(path: path)
            do { _ = try ModelLoader.load(yaml: modelAround(fragment), fileName: "roundtrip.yaml") } catch {
                Issue.record("\(path): the fragment does not load:\n\(fragment)\n\(error)")
            }
        }
    }

    @Test func aRepeatedKeyTakesItsLastValueOnce() throws {
        let fragment = try PoolSettingsImport.read(path: write(Self.poolFiles[0].1, "pgbouncer.ini"))
        #expect(fragment.contains("{server_connections: 5, mode: transaction, max_client_connections: 400}"), "\(fragment)")
        #expect(fragment.contains("default_pool_size (line 4)"))
        let hikari = try PoolSettingsImport.read(path: write(Self.poolFiles[2].1, "hikari.properties"))
        #expect(hikari.contains("size: 12, acquire_timeout: 4s}"), "\(hikari)")
    }

    @Test func aParameterRepeatedInAPrismaURLIsRefused() {
        let path = write("postgresql://u:p@h/db?connection_limit=20&connection_limit=5\n", "prisma.env")
        do { _ = try PoolSettingsImport.read(path: path); Issue.record("accepted") } catch {
            #expect(error.message == "\(path):1: `connection_limit` is given twice in the connection URL: keep one")
        }
    }

    // MARK: bytes that are not UTF-8 text

    func readFailure(_ path: String) -> String {
        do { _ = try InputText.read(path: path, kind: "measurement file", maxBytes: InputText.measurementFileBytes); return "accepted" } catch {
            return error.message
        }
    }

    @Test func aLatin1FileIsRefusedAtItsLineWithTheByteOffset() {
        let path = write(Array("queryid,calls\n1,2\n".utf8) + [0x63, 0x61, 0x66, 0xE9] + Array(",3\n".utf8), "latin1.csv")
        #expect(readFailure(path) == "\(path):3:4: byte 0xE9 is not UTF-8 at byte offset 21: a measurement file must be UTF-8 text (a Latin-1 or Windows-1252 file? convert it, e.g. iconv -f latin1 -t UTF-8 FILE)")
    }

    @Test func aUTF16FileIsNamedAsSuch() {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("{\"metrics\": {}}".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let path = write(utf16, "result.json")
        do { _ = try LoadTestReader.read(path: path); Issue.record("accepted") } catch {
            #expect(error.message.hasPrefix("\(path):1:1: byte 0xFF is not UTF-8 at byte offset 0"), "\(error.message)")
            #expect(error.message.contains("this looks like UTF-16"))
        }
    }

    @Test func aNULByteInPgbouncerIniIsRefusedAtItsLine() {
        let path = write(Array("[pgbouncer]\npool_mode = transaction".utf8) + [0] + Array("\n".utf8), "pgbouncer.ini")
        do { _ = try PoolSettingsImport.read(path: path); Issue.record("accepted") } catch {
            #expect(error.message.hasPrefix("\(path):2:24: a NUL byte at byte offset 35"), "\(error.message)")
        }
    }

    @Test func aUTF8ByteOrderMarkIsDropped() throws {
        let path = write([0xEF, 0xBB, 0xBF] + Array("concurrency,throughput\n1,100\n2,190\n4,350\n".utf8), "levels.csv")
        #expect(try ScalabilityInput.csv(path: path).map(\.concurrency) == [1, 2, 4])
    }

    // MARK: what is not a file of the right size

    @Test func aFilePastTheLimitIsRefusedWithoutBeingRead() throws {
        let path = write([], "huge.log")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(InputText.measurementFileBytes) + 1)   // sparse: nothing written
        try handle.close()
        #expect(readFailure(path) == "\(path): the file is larger than 64 MB, the limit for a measurement file")
    }

    @Test func aDeviceOrADirectoryIsSaidPlainly() {
        #expect(readFailure("/dev/zero") == "/dev/zero: this is a device, not a measurement file")
        #expect(readFailure("/tmp") == "/tmp: this is a directory, not a measurement file")
        #expect(readFailure("/nonexistent/x.csv") == "/nonexistent/x.csv: cannot read the measurement file: no such file")
    }

    @Test func crlfLinesAreLines() throws {
        let path = write("concurrency,throughput\r\n1,100\r\n2,190\r\n", "levels.csv")
        let data = try ScalabilityInput.csv(path: path)
        #expect(data.map(\.throughputPerSecond) == [100, 190])
    }
}

/// Found by the fuzzer (seed 2026, mutant 519): a U+FFFF inside a key of a .properties file was
/// echoed into the fragment's comment, and `check` refused the fragment.
@Suite struct FragmentComments {
    @Test func charactersYAMLRefusesOrReadsAsLineBreaksAreReplacedInComments() {
        #expect(InputText.commentSafe("a\u{FFFF}b\u{202E}c\u{2028}d\u{85}e\nf\u{FEFF}g\u{1}h é 中文 😀") == "a?b\u{202E}c?d?e?f?g?h é 中文 😀")
    }

    @Test func aKeyWithAForbiddenCharacterStillGivesAFragmentThatLoads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("hikari.properties").path
        try "spring.datasou\u{FFFF}\u{202E}rce.hikari.maximum-pool-size=16\n".write(toFile: path, atomically: true, encoding: .utf8)
        let fragment = try PoolSettingsImport.read(path: path)
        #expect(fragment.contains("spring.datasou?\u{202E}rce.hikari.maximum-pool-size (line 1)"))
        let model = """
            name: round trip
            simulation: {horizon: 10s, warmup: 1s, replications: 2}
            workload:
              open: {rate: 10/s}
              endpoint: tx
            database: {cores: 2}
            endpoints:
              tx:
                steps:
                  - query: {time: 1ms}

            """ + fragment
        #expect(throws: Never.self) { try ModelLoader.load(yaml: model, fileName: "roundtrip.yaml") }
    }
}

/// Found by the fuzzer (seed 2026, mutants 1787 and 1794): `max: 0` and `maximumPoolSize=0` were
/// printed as `size: 0`, which `check` refuses. What the model refuses, the importer refuses.
@Suite struct PoolSizesTheModelRefuses {
    func failure(_ text: String, _ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sizes-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        do { _ = try PoolSettingsImport.read(path: path); return "accepted" } catch { return error.message }
    }

    @Test(arguments: [
        ("maximumPoolSize=0\n", "hikari.properties", ":1: `maximumPoolSize` must be a whole number from 1 to 100000, not `0`"),
        ("{\"max\": 0}", "pool.json", ": `max` must be a whole number of connections from 1 to 100000, not 0"),
        ("postgresql://h/db?connection_limit=0\n", "prisma.env", ":1: `connection_limit` must be a whole number from 1 to 100000, not `0`"),
        ("[pgbouncer]\ndefault_pool_size = 0\n", "pgbouncer.ini", ":2: `default_pool_size` must be a whole number from 1 to 100000, not `0`"),
        ("[pgbouncer]\nmax_client_conn = 0\n", "pgbouncer.ini", ":2: `max_client_conn` must be a whole number from 1 to 100000, not `0`"),
        ("maximumPoolSize=5\nminimumIdle=20\n", "hikari.properties", ":2: `minimumIdle` (20) exceeds the pool's size (`maximumPoolSize`, 5): give at most that"),
        ("minimumIdle=20\n", "hikari.properties", ":1: `minimumIdle` (20) exceeds the pool's size (HikariCP's default, 10): give at most that"),
    ])
    func anEmptyPoolOrMoreIdleThanItsSizeIsRefused(_ text: String, _ name: String, _ message: String) {
        let m = failure(text, name)
        #expect(m.hasSuffix(name + message), "\(m)")
    }
}

/// Found by the fuzzer (seed 2026, mutant 6807): `idleTimeoutMillis: 5e-324` was printed as
/// `idle_timeout: 0s`, which `check` refuses.
@Suite struct TimeoutsTooSmallToPrint {
    @Test func aPositiveTimeoutBelowAMicrosecondIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("timeouts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let json = dir.appendingPathComponent("pool.json").path
        try "{\"max\": 20, \"idleTimeoutMillis\": 1e-300}".write(toFile: json, atomically: true, encoding: .utf8)
        do { _ = try PoolSettingsImport.read(path: json); Issue.record("accepted") } catch {
            #expect(error.message.hasSuffix("pool.json: `idleTimeoutMillis` is 1e-300: a timeout is 0 (none) or at least a microsecond"), "\(error.message)")
        }
        let ini = dir.appendingPathComponent("pgbouncer.ini").path
        try "[pgbouncer]\nquery_wait_timeout = 1e-9\n".write(toFile: ini, atomically: true, encoding: .utf8)
        do { _ = try PoolSettingsImport.read(path: ini); Issue.record("accepted") } catch {
            #expect(error.message.hasSuffix("pgbouncer.ini:2: `query_wait_timeout` is 1e-9: a timeout is 0 (none) or at least a microsecond"), "\(error.message)")
        }
        try "[pgbouncer]\nquery_wait_timeout = 0\n".write(toFile: ini, atomically: true, encoding: .utf8)
        #expect(try PoolSettingsImport.read(path: ini).contains("query_wait_timeout: none"))
    }
}

/// The other importers' fragments, and where their errors point.
@Suite struct ImportedFragmentsLoad {
    func write(_ text: String, _ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fragments-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// `fragment` with the lines a model needs around it; `workloadExtra` goes under its `workload:`.
    func modelAround(_ fragment: String, workloadExtra: String, endpoints: Bool) -> String {
        var lines = fragment.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let at = lines.firstIndex(of: "workload:")!
        lines.insert(workloadExtra, at: at + 1)
        let simulation = fragment.contains("\nsimulation:") ? "" : "simulation: {horizon: 10s, warmup: 1s, replications: 2}\n"
        return "name: round trip\n" + simulation + """
            database: {cores: 2, max_connections: 500}
            pools:
              db: {size: 8}

            """ + (endpoints ? "" : "endpoints:\n  tx:\n    steps:\n      - query: {time: 1ms}\n") + lines.joined(separator: "\n")
    }

    @Test func everyLoadTestFragmentLoadsAsAModel() throws {
        let m = HostileImports.measurement
        let cases: [(String, String?)] = [
            (m("k6-summary.json"), nil), (m("artillery-report.json"), m("artillery-test.yml")),
            (m("pgbench-low-load.log"), nil), (m("pgbench-transactions.log"), nil),
        ]
        var loaded = 0
        for (result, profile) in cases {
            let r = try LoadTestReader.read(path: result)
            let fragment = LoadTestFragment.rendered(result: r, profile: try profile.map { p throws(CalibrationInputError) in try LoadTestReader.profile(path: p) } ?? r.profile)
            guard fragment.contains("\nworkload:\n") else { continue }   // no offered load in the file: comments only
            let yaml = modelAround(fragment, workloadExtra: "  endpoint: tx", endpoints: false)
            do { _ = try ModelLoader.load(yaml: yaml, fileName: "roundtrip.yaml"); loaded += 1 } catch {
                Issue.record("\(result): the fragment does not load:\n\(yaml)\n\(error)")
            }
        }
        #expect(loaded >= 2, "at least the k6 and Artillery fragments carry a workload")
    }

    @Test func everyStatementFragmentLoadsAsAModel() throws {
        for file in ["pg_stat_statements.csv", "pgbench-low-load.pg_stat_statements.csv"] {
            for pool in ["db", "primary-pool", "pool_v2"] {
                let s = try StatementImport.read(path: HostileImports.measurement(file), pool: pool, top: 20)
                let yaml = modelAround(s.renderedFragment(), workloadExtra: "  open: {rate: 10/s}", endpoints: true)
                    .replacingOccurrences(of: "pools:\n  db:", with: "pools:\n  \(pool):")
                do { _ = try ModelLoader.load(yaml: yaml, fileName: "roundtrip.yaml") } catch {
                    Issue.record("\(file) --pool \(pool): the fragment does not load:\n\(yaml)\n\(error)")
                }
            }
        }
    }

    @Test(arguments: ["a b", "pool.v2", "x}", "#c", "p: q", "", "9lives", String(repeating: "p", count: 101)])
    func aPoolNameTheFragmentCouldNotHoldIsRefused(_ name: String) {
        do {
            _ = try StatementImport.read(path: HostileImports.measurement("pg_stat_statements.csv"), pool: name, top: 20)
            Issue.record("`\(name)` accepted")
        } catch {
            #expect(error.message.hasPrefix("--pool"), "\(error.message)")
        }
    }

    @Test func aFigureErrorNamesTheLineAndColumnOfItsValue() {
        let summaryExport = "{\n  \"metrics\": {\n    \"http_reqs\": {\"count\": -4194, \"rate\": 35}\n  }\n}\n"
        let handleSummary = "{\"metrics\": {\n\"http_reqs\": {\"values\": {\n  \"count\": 10,\n  \"rate\": -3}}}}"
        let artillery = "{\"aggregate\": {\"counters\": {\n \"http.responses\": 5,\n \"http.codes.500\": -9}}}"
        for (json, expected) in [(summaryExport, "result.json:3:28: metrics.http_reqs.count is -4194"),
                                 (handleSummary, "result.json:4:11: metrics.http_reqs.values.rate is -3"),
                                 (artillery, "result.json:3:20: aggregate.counters.http.codes.500 is -9")] {
            do { _ = try LoadTestReader.read(path: write(json, "result.json")); Issue.record("accepted: \(json)") } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }

    @Test func aRepeatedKeyIsLocatedAtTheValueThatWasRead() {
        // The reader keeps a repeated key's last value (as JSONSerialization does); the error points there.
        let json = "{\"metrics\": {\"http_reqs\": {\"count\": 3,\n\"count\": -1}}}"
        do { _ = try LoadTestReader.read(path: write(json, "result.json")); Issue.record("accepted") } catch {
            #expect(error.message.contains("result.json:2:10: metrics.http_reqs.count is -1"), "\(error.message)")
        }
    }
}
