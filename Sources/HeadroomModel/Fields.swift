import Foundation

/// Reading typed values out of the YAML tree, reporting every problem to `Diagnostics`
/// with its position and key path. Readers return nil when a value is absent or invalid
/// (an invalid one has been reported, so the load fails).
struct Reader {
    let diag: Diagnostics
    let baseDirectory: String?

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A mapping's fields, checked against the keys valid at this place (unknown keys are reported
    /// with a "did you mean" suggestion). `aliases` maps other spellings to the canonical key: a
    /// native spelling is the same key, so giving two spellings of one key is an error naming both.
    /// `nativeUnits` gives the unit a native spelling's bare numbers are in (HikariCP's
    /// `connectionTimeout: 30000` is milliseconds, Prisma's `pool_timeout: 10` seconds).
    func fields(_ node: YNode, _ path: String, _ allowed: [String], aliases: [String: String] = [:],
                nativeUnits: [String: String] = [:], what: String? = nil) -> Fields? {
        guard let entries = node.entries else {
            if node.isNull { return Fields(reader: self, path: path, origin: node.origin, values: [:], keyOrigins: [:]) }
            diag.error(node.origin, path, "expected a mapping of \(what ?? "settings") (keys such as \(allowed.prefix(4).map { "`\($0)`" }.joined(separator: ", "))), found \(describe(node))")
            return nil
        }
        var values: [String: YNode] = [:]
        var keyOrigins: [String: Origin] = [:]
        var spellings: [String: String] = [:]
        for e in entries {
            let key = aliases[e.key] ?? e.key
            let p = Reader.join(path, e.key)
            guard allowed.contains(key) else {
                diag.error(e.keyOrigin, p, "unknown key `\(e.key)`; \(Suggest.hint(e.key, allowed))")
                continue
            }
            if let first = spellings[key] {
                if first == e.key {
                    diag.error(e.keyOrigin, p, "`\(key)` is given twice")
                } else {
                    diag.error(e.keyOrigin, p, "`\(first)` and `\(e.key)` are two spellings of `\(key)`: give it once")
                }
                continue
            }
            var value = e.value
            if let unit = nativeUnits[e.key], case let .scalar(text, plain) = value.kind, plain, let n = Units.number(text) {
                value.kind = .scalar("\(Units.formatNumber(n))\(unit)", plain: true)
            }
            values[key] = value
            keyOrigins[key] = e.keyOrigin
            spellings[key] = e.key
        }
        return Fields(reader: self, path: path, origin: node.origin, values: values, keyOrigins: keyOrigins)
    }

    func describe(_ node: YNode) -> String {
        switch node.kind {
        case let .scalar(s, _): return node.isNull ? "nothing" : "`\(s)`"
        case .map: return "a mapping"
        case .seq: return "a list"
        }
    }

    // MARK: scalars

    func text(_ node: YNode, _ path: String, _ expected: String) -> String? {
        guard let s = node.scalar, !node.isNull else {
            diag.error(node.origin, path, "expected \(expected), found \(describe(node))")
            return nil
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    func name(_ node: YNode, _ path: String) -> String? {
        guard let s = text(node, path, "a name") else { return nil }
        return s
    }

    func int(_ node: YNode, _ path: String, min: Int, max: Int, what: String) -> Int? {
        guard let s = text(node, path, "a whole number") else { return nil }
        guard let v = Units.integer(s) else {
            if Units.number(s) != nil { diag.error(node.origin, path, "\(what) must be a whole number, not `\(s)`") }
            else { diag.error(node.origin, path, "\(what) must be a whole number, not `\(s)`") }
            return nil
        }
        if v < min {
            diag.error(node.origin, path, min == 1 ? "\(what) must be at least 1, not \(v)" : "\(what) must be at least \(min), not \(v)")
            return nil
        }
        if v > max {
            diag.error(node.origin, path, "\(what) of \(v) is absurd: more than \(max.formatted()) is not supported")
            return nil
        }
        return v
    }

    /// An Int or `unbounded`/`none` (→ .some(nil)).
    func optionalInt(_ node: YNode, _ path: String, min: Int, max: Int, what: String) -> Int?? {
        if let s = node.scalar, ["unbounded", "unlimited", "none", "infinite", "inf"].contains(s.lowercased()) { return .some(nil) }
        guard let v = int(node, path, min: min, max: max, what: what) else { return nil }
        return .some(v)
    }

    func number(_ node: YNode, _ path: String, min: Double? = nil, max: Double? = nil, positive: Bool = false, what: String) -> Double? {
        guard let s = text(node, path, "a number") else { return nil }
        guard let v = Units.number(s) else {
            diag.error(node.origin, path, "\(what) must be a number, not `\(s)`")
            return nil
        }
        if positive && v <= 0 { diag.error(node.origin, path, "\(what) must be positive, not \(s)"); return nil }
        if let min, v < min { diag.error(node.origin, path, "\(what) must be at least \(Units.formatNumber(min)), not \(s)"); return nil }
        if let max, v > max { diag.error(node.origin, path, "\(what) must be at most \(Units.formatNumber(max)), not \(s)"); return nil }
        return v
    }

    func probability(_ node: YNode, _ path: String, what: String) -> Double? {
        guard let s = text(node, path, "a probability") else { return nil }
        do {
            let v = try Units.fraction(s)
            guard v >= 0, v <= 1 else {
                diag.error(node.origin, path, "\(what) must be between 0 and 1 (or 0% and 100%), not \(s)")
                return nil
            }
            return v
        } catch {
            diag.error(node.origin, path, "\(what): \(error.message)")
            return nil
        }
    }

    func bool(_ node: YNode, _ path: String) -> Bool? {
        guard let s = text(node, path, "true or false") else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            diag.error(node.origin, path, "expected true or false, not `\(s)`")
            return nil
        }
    }

    /// A duration in seconds; `min` refuses a positive one too short to mean anything (a rate
    /// limiter's window of 1e-320 min made every request's window number infinite).
    func duration(_ node: YNode, _ path: String, positive: Bool = false, min: Double = 0, max: Double = Limits.durationSeconds,
                  what: String) -> Double? {
        guard let s = text(node, path, "a duration such as 20ms") else { return nil }
        do {
            let v = try Units.duration(s)
            if v < 0 { diag.error(node.origin, path, "\(what) must not be negative, not \(s)"); return nil }
            if positive && v == 0 { diag.error(node.origin, path, "\(what) must be more than zero"); return nil }
            if v > max { diag.error(node.origin, path, "\(what) of \(s) is absurd: more than \(Units.formatDuration(max)) is not supported"); return nil }
            if v > 0 && v < min { diag.error(node.origin, path, "\(what) of \(s) is absurd: less than \(Units.formatDuration(min)) is not supported"); return nil }
            return v
        } catch {
            diag.error(node.origin, path, error.message)
            return nil
        }
    }

    /// A duration, or `none`/`never`/`forever` (→ .some(nil)).
    func optionalDuration(_ node: YNode, _ path: String, what: String) -> Double?? {
        if let s = node.scalar, ["none", "never", "forever", "infinite", "off", "false"].contains(s.lowercased()) { return .some(nil) }
        guard let v = duration(node, path, positive: true, what: what) else { return nil }
        return .some(v)
    }

    func rate(_ node: YNode, _ path: String, what: String, allowZero: Bool = false) -> Double? {
        guard let s = text(node, path, "a rate such as 50/s") else { return nil }
        do {
            let v = try Units.rate(s)
            if v < 0 || (!allowZero && v == 0) {
                diag.error(node.origin, path, "\(what) must be positive, not \(s)")
                return nil
            }
            if v > 10_000_000 { diag.error(node.origin, path, "\(what) of \(s) is absurd: more than 10,000,000/s is not supported"); return nil }
            return v
        } catch {
            diag.error(node.origin, path, error.message)
            return nil
        }
    }

    func choice<T>(_ node: YNode, _ path: String, _ options: KeyValuePairs<String, T>, what: String) -> T? {
        guard let s = text(node, path, what) else { return nil }
        let normalized = Suggest.snake(s)
        if let hit = options.first(where: { $0.key == normalized || $0.key == s }) { return hit.value }
        let names = options.map(\.key)
        diag.error(node.origin, path, "unknown \(what) `\(s)`; \(Suggest.hint(s, names, noun: "values"))")
        return nil
    }

    func distribution(_ node: YNode, _ path: String) -> DistributionSpec? {
        guard let s = text(node, path, "a duration or distribution such as exp(20ms)") else { return nil }
        do { return try DistributionParser.parse(s, baseDirectory: baseDirectory) } catch {
            diag.error(node.origin, path, error.message)
            return nil
        }
    }

    func count(_ node: YNode, _ path: String) -> CountSpec? {
        guard let s = text(node, path, "a count such as 10 or poisson(5)") else { return nil }
        do {
            let c = try CountParser.parse(s)
            if case let .constant(n) = c, n > 1_000_000 {
                diag.error(node.origin, path, "a count of \(n) is absurd: more than 1,000,000 is not supported")
                return nil
            }
            return c
        } catch {
            diag.error(node.origin, path, error.message)
            return nil
        }
    }

    /// A list of names: `[a, b]` or a single `a`.
    func names(_ node: YNode, _ path: String) -> [String]? {
        if let items = node.items {
            var out: [String] = []
            for (i, item) in items.enumerated() {
                if let s = name(item, "\(path)[\(i)]") { out.append(s) }
            }
            return out
        }
        if node.isNull { return [] }
        return name(node, path).map { [$0] }
    }
}

/// The fields of one mapping (already checked for unknown keys).
struct Fields {
    let reader: Reader
    let path: String
    let origin: Origin
    let values: [String: YNode]
    let keyOrigins: [String: Origin]

    subscript(key: String) -> YNode? {
        guard let v = values[key] else { return nil }
        return v.isNull ? nil : v
    }
    func has(_ key: String) -> Bool { self[key] != nil }
    func p(_ key: String) -> String { Reader.join(path, key) }
    func at(_ key: String) -> Origin { values[key]?.origin ?? keyOrigins[key] ?? origin }

    func int(_ key: String, min: Int = 1, max: Int, what: String? = nil) -> Int? {
        self[key].flatMap { reader.int($0, p(key), min: min, max: max, what: what ?? "`\(key)`") }
    }
    func optionalInt(_ key: String, min: Int = 1, max: Int, what: String? = nil) -> Int?? {
        self[key].flatMap { reader.optionalInt($0, p(key), min: min, max: max, what: what ?? "`\(key)`") }
    }
    func number(_ key: String, min: Double? = nil, max: Double? = nil, positive: Bool = false) -> Double? {
        self[key].flatMap { reader.number($0, p(key), min: min, max: max, positive: positive, what: "`\(key)`") }
    }
    func probability(_ key: String) -> Double? {
        self[key].flatMap { reader.probability($0, p(key), what: "`\(key)`") }
    }
    func bool(_ key: String) -> Bool? { self[key].flatMap { reader.bool($0, p(key)) } }
    func duration(_ key: String, positive: Bool = false, min: Double = 0, max: Double = Limits.durationSeconds) -> Double? {
        self[key].flatMap { reader.duration($0, p(key), positive: positive, min: min, max: max, what: "`\(key)`") }
    }
    func optionalDuration(_ key: String) -> Double?? {
        self[key].flatMap { reader.optionalDuration($0, p(key), what: "`\(key)`") }
    }
    func rate(_ key: String) -> Double? { self[key].flatMap { reader.rate($0, p(key), what: "`\(key)`") } }
    func name(_ key: String) -> String? { self[key].flatMap { reader.name($0, p(key)) } }
    func names(_ key: String) -> [String]? { self[key].flatMap { reader.names($0, p(key)) } }
    func distribution(_ key: String) -> DistributionSpec? { self[key].flatMap { reader.distribution($0, p(key)) } }
    func count(_ key: String) -> CountSpec? { self[key].flatMap { reader.count($0, p(key)) } }
    func choice<T>(_ key: String, _ options: KeyValuePairs<String, T>, what: String) -> T? {
        self[key].flatMap { reader.choice($0, p(key), options, what: what) }
    }
}
