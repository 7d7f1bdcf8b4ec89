import Foundation
import HeadroomModel
import Yams
import HeadroomAnalysis
import HeadroomOutput

/// What a load test measured, and the load it offered: read from k6's end-of-test summary JSON
/// (`--summary-export`, or `JSON.stringify(data)` in `handleSummary`) or Artillery's JSON report
/// (`artillery run --output`). Times in seconds, rates per second.
public struct LoadTestResult: Sendable {
    public enum Tool: String, Sendable { case k6, artillery, pgbench }
    public var tool: Tool
    public var path: String
    /// Requests completed (k6 `http_reqs.count`, Artillery `http.responses`).
    public var requests: Double
    /// Requests per second over the test (k6 `http_reqs.rate`; Artillery requests over the
    /// first-to-last counter span).
    public var throughputPerSecond: Double?
    /// Share of requests that failed (k6 `http_req_failed`; Artillery failed virtual users and
    /// non-2xx/3xx responses over requests).
    public var errorShare: Double?
    /// Latency figures present in the file, by name: mean, p50, p90, p95, p99, max (seconds).
    public var latencySeconds: [String: Double]
    /// Test duration, when the file says.
    public var durationSeconds: Double?
    /// Largest number of virtual users (k6 `vus_max`), when the file says.
    public var maxVirtualUsers: Double?
    /// The offered load, when the file carries it (k6 `options` embedded by handleSummary).
    public var profile: LoadProfile?

    /// Mean concurrency by Little's law (throughput × mean latency), or the virtual users.
    public var concurrency: Double? {
        if let x = throughputPerSecond, let r = latencySeconds["mean"] { return x * r }
        return nil
    }
}

/// The load a test offered, in the model's terms.
public enum LoadProfile: Sendable, Hashable {
    /// Open arrivals: k6 arrival-rate executors, Artillery phases.
    case open([Phase])
    /// A fixed number of looping virtual users for a duration (k6 `vus`/`constant-vus`; for
    /// `ramping-vus` the largest target, the plateau a test is usually judged on).
    case closed(users: Int, durationSeconds: Double)

    public var durationSeconds: Double {
        switch self {
        case let .open(phases): return phases.reduce(0) { $0 + $1.durationSeconds }
        case let .closed(_, d): return d
        }
    }

    public var description: String {
        switch self {
        case let .open(phases):
            return phases.map { p in
                "\(Units.formatDuration(p.durationSeconds)) at \(Units.formatNumber(p.ratePerSecond))/s" + (p.rampToPerSecond.map { " ramping to \(Units.formatNumber($0))/s" } ?? "")
            }.joined(separator: ", ")
        case let .closed(u, d): return "\(u) virtual users for \(Units.formatDuration(d))"
        }
    }
}

public struct CalibrationInputError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The key path of the JSON value the message is about, when it has one: the reader that
    /// holds the file's bytes turns it into a line and column (`LoadTestReader.read`).
    public var jsonKeyPath: [String]?
    public init(_ message: String, jsonKeyPath: [String]? = nil) {
        self.message = message
        self.jsonKeyPath = jsonKeyPath
    }
    public var description: String { message }
}

public enum LoadTestReader {
    /// The parts of a k6 summary or an Artillery report the reader uses; the rest is checked as
    /// JSON and not built (`CompactJSON`).
    static let resultPaths: [[String]] = [
        ["metrics", "http_reqs"], ["metrics", "http_req_duration"], ["metrics", "http_req_failed"], ["metrics", "vus_max"],
        ["state", "testRunDurationMs"], ["options"],
        ["aggregate", "counters"], ["aggregate", "summaries", "http.response_time"], ["aggregate", "firstCounterAt"],
        ["aggregate", "lastCounterAt"], ["aggregate", "rates", "http.request_rate"],
    ]

    /// Reads a k6 summary or an Artillery report, telling them apart by their keys.
    public static func read(path: String) throws(CalibrationInputError) -> LoadTestResult {
        let data: Data
        do { data = try InputText.data(path: path, kind: "load-test result", maxBytes: InputText.measurementFileBytes) } catch {
            throw CalibrationInputError(error.message)
        }
        if let first = data.first(where: { !" \t\r\n".utf8.contains($0) }), first != UInt8(ascii: "{") {
            return try pgbenchLog(path: path, text: String(decoding: data, as: UTF8.self))
        }
        let root: [String: Any]
        do { root = try CompactJSON.parseObject(data, keep: .paths(resultPaths), file: path) } catch {
            throw CalibrationInputError(error.message)
        }
        do throws(CalibrationInputError) {
            if root["aggregate"] != nil { return try artillery(root, path: path) }
            if root["metrics"] != nil { return try k6(root, path: path) }
        } catch {
            throw located(error, in: data, path: path)
        }
        throw CalibrationInputError("\(path): neither a k6 summary (top-level `metrics`) nor an Artillery report (top-level `aggregate`)")
    }

    /// `error` with the line and column of its JSON value, `FILE:LINE:COLUMN: ...`, found by a
    /// second pass over the bytes (only on this error path, so reading stays one pass).
    static func located(_ error: CalibrationInputError, in data: Data, path: String) -> CalibrationInputError {
        guard let keyPath = error.jsonKeyPath, error.message.hasPrefix("\(path): "),
              let (line, column) = CompactJSON.position(of: keyPath, in: data) else { return error }
        return CalibrationInputError("\(path):\(line):\(column): " + error.message.dropFirst(path.count + 2))
    }

    /// A figure of a result, checked: nil when absent; else a finite number in `range` (and whole
    /// when `whole`), or an error naming the key (its JSON path, dotted) and the value. `scale`
    /// converts the file's unit (milliseconds) before the range is checked.
    static func figure(_ v: Any?, _ keyPath: [String], path: String, _ range: ClosedRange<Double>, whole: Bool = false,
                       scale: Double = 1, what: String) throws(CalibrationInputError) -> Double? {
        guard let v, !(v is NSNull) else { return nil }
        let key = keyPath.joined(separator: ".")
        guard let raw = number(v) else {
            throw CalibrationInputError("\(path): \(key) must be a number (\(what)), not `\(v)`", jsonKeyPath: keyPath)
        }
        let x = raw * scale
        guard x.isFinite, range.contains(x), !whole || raw == raw.rounded() else {
            throw CalibrationInputError("\(path): \(key) is \(Units.formatNumber(raw)): \(what)", jsonKeyPath: keyPath)
        }
        return x
    }

    /// Thirty days: no latency, duration or test of one load-test result is longer.
    static let longestSeconds = 30.0 * 86_400

    /// A count of virtual users: a whole number from 1 to 1,000,000 (the model's limit), or an error naming the key.
    static func users(_ v: Any?, default d: Int, path: String, key: String) throws(CalibrationInputError) -> Int {
        guard let v else { return d }
        guard let n = number(v), n == n.rounded(), n >= 0, n <= 1_000_000 else {
            throw CalibrationInputError("\(path): \(key) must be a whole number of virtual users from 0 to 1000000")
        }
        return Int(n)
    }

    /// An arrival rate: finite and non-negative.
    static func rate(_ v: Double, path: String, key: String) throws(CalibrationInputError) -> Double {
        guard v.isFinite, v >= 0, v <= 1e9 else { throw CalibrationInputError("\(path): \(key) is \(Units.formatNumber(v))/s: it must be a rate from 0 to 1e9 per second") }
        return v
    }

    static func number(_ v: Any?) -> Double? {
        if let n = v as? NSNumber { return n.doubleValue }
        if let s = v as? String { return Double(s) }
        return nil
    }

    // MARK: pgbench

    /// pgbench's per-transaction log (`pgbench -l`) as a result: each line `client_id
    /// transaction_no time script_no time_epoch time_us [schedule_lag]`, ending at time_epoch +
    /// time_us/10⁶. Latency is `time` as pgbench reports it (under `--rate`, from the scheduled
    /// start: what a client of an open load sees); skipped and failed transactions count as
    /// failed; throughput is completed transactions over the span from the first start to the
    /// last end. The offered load is not in the log: give `--rate`/`--users` and `--duration`.
    public static func pgbenchLog(path: String, text: String? = nil) throws(CalibrationInputError) -> LoadTestResult {
        let table: DelimitedTable
        do throws(ParseFailure) {
            if let text { table = try DelimitedTable.parse(text, path: path, separator: .whitespace, detectHeader: false) }
            else { table = try DelimitedTable.read(path: path, separator: .whitespace, detectHeader: false, kind: "pgbench log") }
        } catch {
            throw CalibrationInputError(error.message)
        }
        var latencies: [Double] = []
        var failed = 0
        var first = Double.infinity, last = -Double.infinity
        for r in table.records {
            guard r.fields.count >= 6, let epoch = Double(r.fields[4].text), let micros = Double(r.fields[5].text) else {
                throw CalibrationInputError("\(path):\(r.line): not a pgbench log line (client_id transaction_no time script_no time_epoch time_us [schedule_lag]): neither a k6/Artillery JSON result")
            }
            guard epoch.isFinite, epoch >= 0, epoch < 1e11 else {
                throw CalibrationInputError("\(path):\(r.line):\(r.fields[4].column): time_epoch (field 5) is `\(r.fields[4].text)`: it must be seconds since 1970, ≥ 0")
            }
            guard micros.isFinite, micros >= 0, micros < 1e6 else {
                throw CalibrationInputError("\(path):\(r.line):\(r.fields[5].column): time_us (field 6) is `\(r.fields[5].text)`: it must be microseconds from 0 to 999999")
            }
            let end = epoch + micros / 1e6
            let t = r.fields[2]
            if ["skipped", "failed", "serialization", "deadlock"].contains(t.text) {
                failed += 1
                last = max(last, end); first = min(first, end)
                continue
            }
            guard let latency = Double(t.text), latency >= 0, latency / 1e6 <= longestSeconds else {
                throw CalibrationInputError("\(path):\(r.line):\(t.column): the transaction time (field 3, µs) must be a number from 0 to 30 days, not `\(t.text)`")
            }
            latencies.append(latency / 1e6)
            last = max(last, end); first = min(first, end - latency / 1e6)
        }
        guard !latencies.isEmpty else { throw CalibrationInputError("\(path): no completed transactions") }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies[min(latencies.count - 1, max(0, Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1))]
        }
        let span = last - first
        let total = Double(latencies.count + failed)
        return LoadTestResult(tool: .pgbench, path: path, requests: Double(latencies.count),
                              throughputPerSecond: span > 0 ? Double(latencies.count) / span : nil,
                              errorShare: Double(failed) / total,
                              latencySeconds: ["mean": latencies.reduce(0, +) / Double(latencies.count), "p50": percentile(50),
                                               "p90": percentile(90), "p95": percentile(95), "p99": percentile(99), "max": latencies.last!],
                              durationSeconds: span > 0 ? span : nil, maxVirtualUsers: nil, profile: nil)
    }

    // MARK: k6

    static func k6(_ root: [String: Any], path: String) throws(CalibrationInputError) -> LoadTestResult {
        guard let metrics = root["metrics"] as? [String: Any] else { throw CalibrationInputError("\(path): `metrics` must be an object") }
        /// A metric's fields: `--summary-export` puts them on the metric, handleSummary under `values`.
        func fields(_ name: String) -> [String: Any]? {
            guard let m = metrics[name] as? [String: Any] else { return nil }
            return (m["values"] as? [String: Any]) ?? m
        }
        /// The JSON path of a metric's field, for errors.
        func at(_ name: String, _ field: String) -> [String] {
            (metrics[name] as? [String: Any])?["values"] is [String: Any] ? ["metrics", name, "values", field] : ["metrics", name, field]
        }
        guard let reqs = fields("http_reqs"), let count = try figure(reqs["count"], at("http_reqs", "count"), path: path, 0...1e15, whole: true,
                                                                  what: "a count of requests must be a whole number ≥ 0") else {
            throw CalibrationInputError("\(path): metrics.http_reqs.count is missing: not an HTTP test's k6 summary")
        }
        var latency: [String: Double] = [:]
        if let d = fields("http_req_duration") {
            // k6 reports times in milliseconds.
            for (key, name) in [("avg", "mean"), ("med", "p50"), ("p(50)", "p50"), ("p(90)", "p90"), ("p(95)", "p95"),
                                ("p(99)", "p99"), ("max", "max")] {
                if let v = try figure(d[key], at("http_req_duration", key), path: path, 0...longestSeconds, scale: 1e-3,
                                      what: "a latency must be from 0 to 30 days (in milliseconds)") {
                    latency[name] = v
                }
            }
        }
        var errorShare: Double? = nil
        if let f = fields("http_req_failed") {
            // A rate metric: `value` (summary-export) or `rate` (handleSummary); `passes` counts the failed ones.
            let key = f["rate"] != nil ? "rate" : "value"
            errorShare = try figure(f[key], at("http_req_failed", key), path: path, 0...1, what: "a share of failed requests must be from 0 to 1")
        }
        var duration: Double? = nil
        if let state = root["state"] as? [String: Any] {
            duration = try figure(state["testRunDurationMs"], ["state", "testRunDurationMs"], path: path, 0...longestSeconds, scale: 1e-3,
                                  what: "a test's duration must be from 0 to 30 days (in milliseconds)")
        }
        let rate = try figure(reqs["rate"], at("http_reqs", "rate"), path: path, 0...1e9, what: "a rate of requests must be from 0 to 1e9 per second")
        let vus = try fields("vus_max").flatMap { v throws(CalibrationInputError) in
            let key = v["max"] != nil ? "max" : "value"
            return try figure(v[key], at("vus_max", key), path: path, 0...1_000_000, whole: true, what: "virtual users must be a whole number from 0 to 1000000")
        }
        var result = LoadTestResult(tool: .k6, path: path, requests: count, throughputPerSecond: rate,
                                    errorShare: errorShare, latencySeconds: latency, durationSeconds: duration,
                                    maxVirtualUsers: vus, profile: nil)
        if let options = root["options"] as? [String: Any] {
            result.profile = try k6Profile(options, path: path, where: "options")
        }
        return result
    }

    /// The offered load in k6 options (as `k6 inspect` prints them, or as embedded by handleSummary):
    /// top-level `stages` (ramping VUs) or `vus` + `duration`, or one scenario of `scenarios`.
    public static func k6Profile(_ options: [String: Any], path: String, where w: String) throws(CalibrationInputError) -> LoadProfile? {
        func duration(_ v: Any?, _ key: String) throws(CalibrationInputError) -> Double {
            guard let s = v as? String else {
                if let n = number(v) {   // k6 accepts milliseconds as numbers
                    guard n.isFinite, n >= 0, n / 1000 <= longestSeconds else { throw CalibrationInputError("\(path): \(key) is \(Units.formatNumber(n)) ms: a duration must be from 0 to 30 days") }
                    return n / 1000
                }
                throw CalibrationInputError("\(path): \(key) must be a duration such as \"5m\" or \"30s\"")
            }
            return try k6Duration(s, path: path, key: key)
        }
        if let scenarios = options["scenarios"] as? [String: Any], !scenarios.isEmpty {
            guard scenarios.count == 1, let (name, value) = scenarios.first, let s = value as? [String: Any] else {
                throw CalibrationInputError("\(path): \(w).scenarios has \(scenarios.count) scenarios; compare takes one offered load: keep one scenario")
            }
            let key = "\(w).scenarios.\(name)"
            let executor = s["executor"] as? String ?? ""
            switch executor {
            case "constant-arrival-rate":
                let unit = s["timeUnit"] == nil ? 1 : try duration(s["timeUnit"], key + ".timeUnit")
                guard unit > 0 else { throw CalibrationInputError("\(path): \(key).timeUnit must be longer than 0") }
                guard let rate = number(s["rate"]) else { throw CalibrationInputError("\(path): \(key).rate is missing") }
                return .open([Phase(durationSeconds: try duration(s["duration"], key + ".duration"), ratePerSecond: try Self.rate(rate / unit, path: path, key: key + ".rate"))])
            case "ramping-arrival-rate":
                let unit = s["timeUnit"] == nil ? 1 : try duration(s["timeUnit"], key + ".timeUnit")
                guard unit > 0 else { throw CalibrationInputError("\(path): \(key).timeUnit must be longer than 0") }
                var rate = try Self.rate((number(s["startRate"]) ?? 0) / unit, path: path, key: key + ".startRate")
                var phases: [Phase] = []
                for (i, stage) in ((s["stages"] as? [[String: Any]]) ?? []).enumerated() {
                    guard let target = number(stage["target"]) else { throw CalibrationInputError("\(path): \(key).stages[\(i)].target is missing") }
                    let d = try duration(stage["duration"], "\(key).stages[\(i)].duration")
                    let to = try Self.rate(target / unit, path: path, key: "\(key).stages[\(i)].target")
                    if d > 0 { phases.append(Phase(durationSeconds: d, ratePerSecond: rate, rampToPerSecond: to == rate ? nil : to)) }
                    rate = to
                }
                guard !phases.isEmpty else { throw CalibrationInputError("\(path): \(key).stages is empty") }
                return .open(phases)
            case "constant-vus":
                let vus = try users(s["vus"], default: 1, path: path, key: key + ".vus")
                return .closed(users: max(1, vus), durationSeconds: try duration(s["duration"], key + ".duration"))
            case "ramping-vus":
                let stages = (s["stages"] as? [[String: Any]]) ?? []
                return try closedFromStages(stages, start: try users(s["startVUs"], default: 1, path: path, key: key + ".startVUs"), path: path, key: key)
            default:
                throw CalibrationInputError("\(path): \(key).executor `\(executor)` is not one compare can replay; use constant-arrival-rate, ramping-arrival-rate, constant-vus or ramping-vus")
            }
        }
        if let stages = options["stages"] as? [[String: Any]], !stages.isEmpty {
            return try closedFromStages(stages, start: try users(options["vus"], default: 1, path: path, key: "\(w).vus"), path: path, key: "\(w).stages")
        }
        if options["vus"] != nil, let d = options["duration"] {
            let vus = try users(options["vus"], default: 1, path: path, key: "\(w).vus")
            return .closed(users: max(1, vus), durationSeconds: try duration(d, "\(w).duration"))
        }
        return nil
    }

    static func closedFromStages(_ stages: [[String: Any]], start: Int, path: String, key: String) throws(CalibrationInputError) -> LoadProfile {
        var total = 0.0, peak = start
        for (i, stage) in stages.enumerated() {
            guard stage["target"] != nil else { throw CalibrationInputError("\(path): \(key)[\(i)].target is missing") }
            let target = try users(stage["target"], default: 0, path: path, key: "\(key)[\(i)].target")
            guard let d = stage["duration"] as? String else { throw CalibrationInputError("\(path): \(key)[\(i)].duration must be a duration such as \"5m\"") }
            total += try k6Duration(d, path: path, key: "\(key)[\(i)].duration")
            peak = max(peak, target)
        }
        return .closed(users: max(1, peak), durationSeconds: total)
    }

    /// k6 durations: Go's `1h30m`, `5m`, `30s`, `500ms` (also compound).
    public static func k6Duration(_ s: String, path: String, key: String) throws(CalibrationInputError) -> Double {
        var total = 0.0
        var rest = Substring(s.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { throw CalibrationInputError("\(path): \(key) is empty") }
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("h", 3600), ("m", 60), ("s", 1)]
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let v = Double(digits) else { throw CalibrationInputError("\(path): \(key) `\(s)` is not a duration such as \"5m\" or \"1m30s\"") }
            rest = rest.dropFirst(digits.count)
            guard let (u, f) = units.first(where: { rest.hasPrefix($0.0) }) else {
                if rest.isEmpty, v == 0 { return 0 }
                throw CalibrationInputError("\(path): \(key) `\(s)` needs a unit (h, m, s, ms)")
            }
            total += v * f
            rest = rest.dropFirst(u.count)
        }
        return total
    }

    // MARK: Artillery

    static func artillery(_ root: [String: Any], path: String) throws(CalibrationInputError) -> LoadTestResult {
        guard let aggregate = root["aggregate"] as? [String: Any] else { throw CalibrationInputError("\(path): `aggregate` must be an object") }
        let counters = aggregate["counters"] as? [String: Any] ?? [:]
        let summaries = aggregate["summaries"] as? [String: Any] ?? [:]
        func counter(_ key: String) throws(CalibrationInputError) -> Double? {
            try figure(counters[key], ["aggregate", "counters", key], path: path, 0...1e15, whole: true, what: "a counter must be a whole number ≥ 0")
        }
        let responsesCounted = try counter("http.responses")
        let requestsCounted = try counter("http.requests")
        guard let responses = responsesCounted ?? requestsCounted else {
            throw CalibrationInputError("\(path): aggregate.counters has no `http.responses` or `http.requests`: not an HTTP test's Artillery report")
        }
        var latency: [String: Double] = [:]
        if let rt = summaries["http.response_time"] as? [String: Any] {
            // Artillery reports milliseconds.
            for (key, name) in [("mean", "mean"), ("median", "p50"), ("p50", "p50"), ("p90", "p90"), ("p95", "p95"), ("p99", "p99"), ("max", "max")] {
                if let v = try figure(rt[key], ["aggregate", "summaries", "http.response_time", key], path: path, 0...longestSeconds, scale: 1e-3,
                                      what: "a latency must be from 0 to 30 days (in milliseconds)") {
                    latency[name] = v
                }
            }
        }
        // Failures: virtual users that failed (timeouts, connection errors) plus 4xx/5xx responses.
        var failed = try counter("vusers.failed") ?? 0
        for k in counters.keys.sorted() where k.hasPrefix("http.codes.") {
            if let code = Int(k.dropFirst("http.codes.".count)), code >= 400 { failed += try counter(k) ?? 0 }
        }
        let requests = max(responses, requestsCounted ?? 0)
        var duration: Double? = nil
        let first = try figure(aggregate["firstCounterAt"], ["aggregate", "firstCounterAt"], path: path, 0...1e15, what: "a time must be milliseconds since 1970, ≥ 0")
        let last = try figure(aggregate["lastCounterAt"], ["aggregate", "lastCounterAt"], path: path, 0...1e15, what: "a time must be milliseconds since 1970, ≥ 0")
        if let first, let last {
            guard last >= first, (last - first) / 1000 <= longestSeconds else {
                throw CalibrationInputError("\(path): aggregate.lastCounterAt (\(Units.formatNumber(last))) must be from aggregate.firstCounterAt (\(Units.formatNumber(first))) to 30 days later")
            }
            if last > first { duration = (last - first) / 1000 }
        }
        let rate = try figure((aggregate["rates"] as? [String: Any])?["http.request_rate"], ["aggregate", "rates", "http.request_rate"], path: path, 0...1e9,
                              what: "a rate of requests must be from 0 to 1e9 per second")
        return LoadTestResult(tool: .artillery, path: path, requests: responses,
                              throughputPerSecond: duration.map { responses / $0 } ?? rate,
                              errorShare: requests > 0 ? min(1, failed / requests) : nil, latencySeconds: latency,
                              durationSeconds: duration, maxVirtualUsers: nil, profile: nil)
    }

    /// Artillery `config.phases` from a test script (YAML): `duration`, `arrivalRate`, `rampTo`,
    /// `arrivalCount` (spread evenly over the duration), `pause`; durations as seconds or `5m`.
    public static func artilleryProfile(path: String) throws(CalibrationInputError) -> LoadProfile {
        let text: String
        do { text = try InputText.read(path: path, kind: "load profile", maxBytes: InputText.settingsFileBytes) } catch {
            throw CalibrationInputError(error.message)
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw CalibrationInputError("\(path): not YAML: \(error)") }
        guard let phases = node?["config"]?["phases"]?.sequence else {
            throw CalibrationInputError("\(path): no `config.phases` list (an Artillery test script)")
        }
        func seconds(_ n: Node?, _ key: String) throws(CalibrationInputError) -> Double {
            let line = n?.mark.map { ":\($0.line):\($0.column)" } ?? ""
            guard let s = n?.string else { throw CalibrationInputError("\(path)\(line): \(key) is missing") }
            if let v = Double(s) {
                guard v >= 0, v <= 30 * 86400 else { throw CalibrationInputError("\(path)\(line): \(key) must be from 0 to 30 days of seconds, not \(s)") }
                return v
            }
            do { return try k6Duration(s, path: path, key: key) } catch {
                throw CalibrationInputError("\(path)\(line): \(key) `\(s)` is not a duration (seconds, or e.g. 5m)")
            }
        }
        var out: [Phase] = []
        for (i, p) in phases.enumerated() {
            let key = "config.phases[\(i)]"
            if let pause = p["pause"] {
                out.append(Phase(durationSeconds: try seconds(pause, key + ".pause"), ratePerSecond: 0)); continue
            }
            let d = try seconds(p["duration"], key + ".duration")
            if let countText = p["arrivalCount"]?.string {
                guard let count = Double(countText), count.isFinite, count >= 0, count <= 1e12 else {
                    let line = p["arrivalCount"]?.mark.map { ":\($0.line):\($0.column)" } ?? ""
                    throw CalibrationInputError("\(path)\(line): \(key).arrivalCount is \(countText): it must be a number of arrivals ≥ 0")
                }
                out.append(Phase(durationSeconds: d, ratePerSecond: d > 0 ? count / d : 0)); continue
            }
            guard let rateText = p["arrivalRate"]?.string, let rate = Double(rateText), rate >= 0, rate.isFinite, rate <= 1e9 else {
                let line = p.mark.map { ":\($0.line):\($0.column)" } ?? ""
                throw CalibrationInputError("\(path)\(line): \(key) needs `arrivalRate` (or `arrivalCount`, or `pause`)")
            }
            let ramp = try p["rampTo"]?.string.map { t throws(CalibrationInputError) -> Double in
                guard let v = Double(t), v.isFinite, v >= 0, v <= 1e9 else {
                    let line = p["rampTo"]?.mark.map { ":\($0.line):\($0.column)" } ?? ""
                    throw CalibrationInputError("\(path)\(line): \(key).rampTo is \(t): it must be a rate from 0 to 1e9 per second")
                }
                return v
            }
            out.append(Phase(durationSeconds: d, ratePerSecond: rate, rampToPerSecond: ramp))
        }
        guard !out.isEmpty else { throw CalibrationInputError("\(path): `config.phases` is empty") }
        return .open(out)
    }

    /// The offered load from a profile file: an Artillery script (YAML with `config.phases`) or k6
    /// options as JSON (`k6 inspect script.js`).
    public static func profile(path: String) throws(CalibrationInputError) -> LoadProfile {
        let data: Data
        do { data = try InputText.data(path: path, kind: "load profile", maxBytes: InputText.settingsFileBytes) } catch {
            throw CalibrationInputError(error.message)
        }
        if data.first(where: { !" \t\r\n".utf8.contains($0) }) == UInt8(ascii: "{") {
            let json: [String: Any]
            do { json = try CompactJSON.parseObject(data, keep: .all, file: path) } catch { throw CalibrationInputError(error.message) }
            let options = (json["options"] as? [String: Any]) ?? json
            guard let p = try k6Profile(options, path: path, where: json["options"] != nil ? "options" : "(top level)") else {
                throw CalibrationInputError("\(path): no offered load in these k6 options (`stages`, `vus` + `duration`, or one scenario)")
            }
            return p
        }
        return try artilleryProfile(path: path)
    }
}

/// `headroom import load-test`: the offered load as a `workload` fragment, the measurements as comments.
public enum LoadTestFragment {
    public static func rendered(result r: LoadTestResult, profile: LoadProfile?) -> String {
        var out = "# \(r.tool.rawValue) result \(InputText.commentSafe(r.path)): \(Units.formatNumber(r.requests.rounded())) requests"
        if let x = r.throughputPerSecond { out += String(format: ", %.2f/s", x) }
        if let e = r.errorShare { out += String(format: ", %.2f%% failed", e * 100) }
        if let d = r.durationSeconds { out += " over \(Units.formatDuration(d))" }
        out += "\n"
        let lat = ["mean", "p50", "p90", "p95", "p99", "max"].compactMap { k in r.latencySeconds[k].map { "\(k) \(Units.formatDuration(Double(String(format: "%.4g", $0))!))" } }
        if !lat.isEmpty { out += "# latency: \(lat.joined(separator: ", "))\n" }
        guard let profile else {
            out += "# the offered load is not in this file: give --profile (an Artillery script, or k6 options from `k6 inspect`)\n"
            return out
        }
        func rate(_ v: Double) -> String { "\(Units.formatNumber(Double(String(format: "%.6g", v))!))/s" }
        switch profile {
        case let .open(phases):
            out += "workload:\n  open:\n    phases:\n"
            for p in phases {
                out += "      - {duration: \(Units.formatDuration(p.durationSeconds)), rate: \(rate(p.ratePerSecond))\(p.rampToPerSecond.map { ", ramp_to: \(rate($0))" } ?? "")}\n"
            }
        case let .closed(users, d):
            out += "# \(users) virtual users for \(Units.formatDuration(d)); add their think time (sleep() in the script)\n"
            out += "workload:\n  closed: {users: \(users), think_time: 0s}\n"
        }
        out += "simulation: {horizon: \(Units.formatDuration(profile.durationSeconds)), warmup: 0s}\n"
        return out
    }
}
