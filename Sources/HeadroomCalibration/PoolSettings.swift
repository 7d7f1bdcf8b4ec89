import Foundation
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// `headroom import pool FILE`: a pool's or pooler's settings from the library's own configuration,
/// as a model fragment in the model's keys (each native name is an alias of one of them:
/// `PoolSpellings`). Reads a `pgbouncer.ini`, HikariCP `.properties` (plain or Spring's
/// `spring.datasource.hikari.*`), node-postgres pool options as JSON, and Prisma connection URLs
/// (`connection_limit`, `pool_timeout`), alone or in a `.env` line.
public enum PoolSettingsImport {
    public struct Setting: Sendable { var key: String; var value: String; var native: String; var line: Int }

    public static func read(path: String) throws(ParseFailure) -> String {
        let text = try InputText.read(path: path, kind: "pool settings file", maxBytes: InputText.settingsFileBytes)
        let lower = path.lowercased()
        if lower.hasSuffix(".ini") || text.contains("[pgbouncer]") { return try pgbouncer(text, path: path) }
        if lower.hasSuffix(".json") { return try nodePostgres(text, path: path) }
        if lower.hasSuffix(".properties") || text.contains("maximumPoolSize") || text.contains("maximum-pool-size") {
            return try hikari(text, path: path)
        }
        if text.contains("://") { return try prisma(text, path: path) }
        throw ParseFailure("\(path): not a pgbouncer.ini, HikariCP .properties, node-postgres JSON or Prisma URL")
    }

    static func lines(_ text: String) -> [(Int, String)] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated()
            .map { ($0.offset + 1, $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// A whole number from `minimum` to 100,000; a pool's or pooler's size starts at 1, since
    /// the model refuses an empty pool (an importer must not print what `check` refuses).
    static func whole(_ s: String, _ path: String, _ line: Int, _ key: String, minimum: Int = 0) throws(ParseFailure) -> Int {
        guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n >= minimum, n <= 100_000 else {
            throw ParseFailure("\(path):\(line): `\(key)` must be a whole number from \(minimum) to 100000, not `\(s)`")
        }
        return n
    }

    static func duration(_ s: String, unit: Double, _ path: String, _ line: Int, _ key: String) throws(ParseFailure) -> String {
        guard let n = Double(s.trimmingCharacters(in: .whitespaces)), n >= 0, n <= 1e9 else {
            throw ParseFailure("\(path):\(line): `\(key)` must be a number (\(unit == 1 ? "seconds" : "milliseconds")), not `\(s)`")
        }
        return try timeout(n * unit, s, path, line, key)
    }

    /// A timeout in the model's spelling: `none` for 0; a positive one that prints as 0 (below a
    /// microsecond) is refused, as the model refuses a zero timeout (found by the fuzzer:
    /// `idleTimeoutMillis: 5e-324` printed `idle_timeout: 0s`).
    static func timeout(_ seconds: Double, _ text: String, _ path: String, _ line: Int?, _ key: String) throws(ParseFailure) -> String {
        if seconds == 0 { return "none" }
        let printed = Units.formatDuration(seconds)
        guard seconds >= 1e-6, let back = try? Units.duration(printed), back > 0 else {
            throw ParseFailure("\(path)\(line.map { ":\($0)" } ?? ""): `\(key)` is \(text): a timeout is 0 (none) or at least a microsecond")
        }
        return printed
    }

    /// Adds `setting`, replacing an earlier one of the same model key: a repeated key in
    /// pgbouncer.ini or a .properties file takes its last value, as pgbouncer and
    /// java.util.Properties do (the fragment's comment names the line it came from).
    static func set(_ setting: Setting, in settings: inout [Setting]) {
        if let i = settings.firstIndex(where: { $0.key == setting.key }) { settings[i] = setting } else { settings.append(setting) }
    }

    static func render(_ section: String, _ name: String, _ source: String, _ settings: [Setting], preset: String?) -> String {
        // The path and the native keys come from outside: a line break would end the comment.
        var out = "# from \(InputText.commentSafe(source)): " + settings.map { "\(InputText.commentSafe($0.native)) (line \($0.line))" }.joined(separator: ", ") + "\n"
        var items = preset.map { ["preset: \($0)"] } ?? []
        items += settings.map { "\($0.key): \($0.value)" }
        out += "\(section):\n  \(name): {\(items.joined(separator: ", "))}\n"
        return out
    }

    static func pgbouncer(_ text: String, path: String) throws(ParseFailure) -> String {
        var section = "", settings: [Setting] = []
        for (n, l) in lines(text) {
            if l.isEmpty || l.hasPrefix(";") || l.hasPrefix("#") { continue }
            if l.hasPrefix("[") { section = l.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased(); continue }
            guard section == "pgbouncer" else { continue }
            guard let eq = l.firstIndex(of: "=") else { throw ParseFailure("\(path):\(n): expected `key = value`, found `\(l)`") }
            let key = l[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = l[l.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "default_pool_size": set(Setting(key: "server_connections", value: "\(try whole(value, path, n, key, minimum: 1))", native: key, line: n), in: &settings)
            case "max_client_conn": set(Setting(key: "max_client_connections", value: "\(try whole(value, path, n, key, minimum: 1))", native: key, line: n), in: &settings)
            case "query_wait_timeout": set(Setting(key: "query_wait_timeout", value: try duration(value, unit: 1, path, n, key), native: key, line: n), in: &settings)
            case "pool_mode":
                guard ["transaction", "session"].contains(value) else {
                    throw ParseFailure("\(path):\(n): pool_mode `\(value)` is not modelled: transaction or session")
                }
                set(Setting(key: "mode", value: value, native: key, line: n), in: &settings)
            default: continue
            }
        }
        guard !settings.isEmpty else { throw ParseFailure("\(path): no pool settings in a [pgbouncer] section (default_pool_size, max_client_conn, query_wait_timeout, pool_mode)") }
        return render("poolers", "pgbouncer", "\(path) [pgbouncer]", settings, preset: nil)
    }

    static func hikari(_ text: String, path: String) throws(ParseFailure) -> String {
        var settings: [Setting] = []
        for (n, l) in lines(text) {
            if l.isEmpty || l.hasPrefix("#") || l.hasPrefix("!") { continue }
            guard let sep = l.firstIndex(where: { $0 == "=" || $0 == ":" }) else { throw ParseFailure("\(path):\(n): expected `key=value`, found `\(l)`") }
            let full = l[..<sep].trimmingCharacters(in: .whitespaces)
            let key = full.split(separator: ".").last.map(String.init) ?? full
            let value = l[l.index(after: sep)...].trimmingCharacters(in: .whitespaces)
            guard let canonical = PoolSpellings.aliases[key], ["maximumPoolSize", "connectionTimeout", "idleTimeout", "minimumIdle",
                                                                 "maximum-pool-size", "connection-timeout", "idle-timeout", "minimum-idle"].contains(key) else { continue }
            let v = canonical == "size" || canonical == "min_idle" ? "\(try whole(value, path, n, full, minimum: canonical == "size" ? 1 : 0))"
                : try duration(value, unit: 0.001, path, n, full)
            set(Setting(key: canonical, value: v, native: full, line: n), in: &settings)
        }
        // HikariCP's maximumPoolSize defaults to 10; the model refuses a min_idle above the size.
        let size = settings.first { $0.key == "size" }
        if let idle = settings.first(where: { $0.key == "min_idle" }), let m = Int(idle.value), m > Int(size?.value ?? "10")! {
            throw ParseFailure("\(path):\(idle.line): `\(InputText.commentSafe(idle.native))` (\(m)) exceeds the pool's size (\(size.map { "`\(InputText.commentSafe($0.native))`, \($0.value)" } ?? "HikariCP's default, 10")): give at most that")
        }
        guard !settings.isEmpty else { throw ParseFailure("\(path): no HikariCP pool settings (maximumPoolSize, connectionTimeout, idleTimeout, minimumIdle)") }
        return render("pools", "hikari", path, settings, preset: "hikari")
    }

    static func nodePostgres(_ text: String, path: String) throws(ParseFailure) -> String {
        let object: [String: Any]
        do { object = try CompactJSON.parseObject(Data(text.utf8), keep: .all, file: path) } catch {
            throw ParseFailure("\(error.message); expected a JSON object of pg.Pool options ({\"max\": 20, \"connectionTimeoutMillis\": 5000})")
        }
        let options = (object["pool"] as? [String: Any]) ?? object
        var settings: [Setting] = []
        for key in ["max", "connectionTimeoutMillis", "idleTimeoutMillis"] {
            guard let v = options[key] else { continue }
            guard let n = (v as? NSNumber)?.doubleValue, n >= 0, n <= 1e9, key != "max" || (n == n.rounded() && n >= 1 && n <= 100_000) else {
                throw ParseFailure("\(path): `\(key)` must be \(key == "max" ? "a whole number of connections from 1 to 100000" : "a number of milliseconds ≥ 0"), not \(v)")
            }
            let canonical = PoolSpellings.aliases[key]!
            let value = canonical == "size" ? "\(Int(n))" : try timeout(n / 1000, "\(v)", path, nil, key)
            settings.append(Setting(key: canonical, value: value, native: key, line: 1))
        }
        guard !settings.isEmpty else { throw ParseFailure("\(path): no pg.Pool options (max, connectionTimeoutMillis, idleTimeoutMillis)") }
        return render("pools", "pg", path, settings, preset: "node_postgres")
    }

    static func prisma(_ text: String, path: String) throws(ParseFailure) -> String {
        for (n, l) in lines(text) {
            guard let q = l.range(of: "?"), l.contains("://") else { continue }
            var query = String(l[q.upperBound...])
            query = query.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
            var settings: [Setting] = []
            var seen: Set<String> = []
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { continue }
                // A parameter given twice is ambiguous (URL parsers differ on which one counts).
                if ["connection_limit", "pool_timeout", "max_idle_connection_lifetime"].contains(kv[0]) && !seen.insert(kv[0]).inserted {
                    throw ParseFailure("\(path):\(n): `\(kv[0])` is given twice in the connection URL: keep one")
                }
                switch kv[0] {
                case "connection_limit": settings.append(Setting(key: "size", value: "\(try whole(kv[1], path, n, kv[0], minimum: 1))", native: kv[0], line: n))
                case "pool_timeout": settings.append(Setting(key: "acquire_timeout", value: try duration(kv[1], unit: 1, path, n, kv[0]), native: kv[0], line: n))
                case "max_idle_connection_lifetime": settings.append(Setting(key: "idle_timeout", value: try duration(kv[1], unit: 1, path, n, kv[0]), native: kv[0], line: n))
                default: continue
                }
            }
            if !settings.isEmpty { return render("pools", "prisma", path, settings, preset: "prisma") }
        }
        throw ParseFailure("\(path): no Prisma pool parameters (connection_limit, pool_timeout) in a connection URL")
    }
}
