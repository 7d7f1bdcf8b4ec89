import Foundation

/// Units of the model language: durations (`20ms`), rates (`50/s`), percentages (`85%`).
public enum Units {
    /// `s` without leading and trailing whitespace, and `s` itself when it has none (the usual
    /// case): Foundation's `trimmingCharacters` goes through NSString on Linux, and was a quarter of
    /// the time to check a model of 100,000 steps.
    static func trimmed(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last else { return s }
        func plain(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }
        if plain(first) && plain(last) { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Seconds per unit.
    static let durationUnits: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "sec": 1, "secs": 1,
        "second": 1, "seconds": 1, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600,
        "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400,
    ]

    /// A plain number (`12`, `1.5`, `1e3`, `1_000`).
    public static func number(_ s: String) -> Double? {
        let t = Units.trimmed(s).replacingOccurrences(of: "_", with: "")
        guard !t.isEmpty, let v = Double(t), v.isFinite else { return nil }
        // Reject things Double() accepts but people don't mean as numbers.
        if t.lowercased().contains("inf") || t.lowercased().contains("nan") || t.hasPrefix("0x") { return nil }
        return v
    }

    static func integer(_ s: String) -> Int? {
        let t = Units.trimmed(s).replacingOccurrences(of: "_", with: "")
        return Int(t)
    }

    private static func split(_ s: String) -> (Double, String)? {
        let t = Units.trimmed(s)
        var end = t.startIndex
        for i in t.indices {
            let c = t[i]
            if c.isNumber || c == "." || c == "-" || c == "+" || c == "_" ||
                ((c == "e" || c == "E") && i != t.startIndex && t.index(after: i) < t.endIndex &&
                    (t[t.index(after: i)].isNumber || t[t.index(after: i)] == "-" || t[t.index(after: i)] == "+")) {
                end = t.index(after: i)
            } else { break }
        }
        guard end > t.startIndex, let v = number(String(t[..<end])) else { return nil }
        return (v, t[end...].trimmingCharacters(in: .whitespaces))
    }

    /// Parses `20ms`, `1.5s`, `2min`, `1h`, `500us` into seconds. A bare `0` is accepted.
    public static func duration(_ s: String) throws(ParseFailure) -> Double {
        let t = Units.trimmed(s)
        if let n = number(t) {
            if n == 0 { return 0 }
            throw ParseFailure("duration needs a unit, e.g. \(formatNumber(n))ms or \(formatNumber(n))s (got `\(t)`)")
        }
        guard let (v, unit) = split(t) else {
            throw ParseFailure("`\(t)` is not a duration; write e.g. 20ms, 1.5s, 2min")
        }
        guard let f = durationUnits[unit] ?? durationUnits[unit.lowercased()] else {
            if unit == "m" { throw ParseFailure("`\(t)`: write minutes as `min` (e.g. \(formatNumber(v))min) and milliseconds as `ms`") }
            throw ParseFailure("`\(t)`: unknown time unit `\(unit)`; use us, ms, s, min or h")
        }
        return v * f
    }

    /// Parses `50/s`, `3000/min`, `10/h`, `2/ms` (also `50 rps`, `50 per second`) into events per second.
    public static func rate(_ s: String) throws(ParseFailure) -> Double {
        let t = Units.trimmed(s)
        if let n = number(t) {
            throw ParseFailure("rate needs a unit, e.g. \(formatNumber(n))/s or \(formatNumber(n))/min (got `\(t)`)")
        }
        if let (v, rest) = split(t) {
            var unit = rest
            if unit.hasPrefix("/") { unit = String(unit.dropFirst()).trimmingCharacters(in: .whitespaces) }
            else if unit.hasPrefix("per ") { unit = String(unit.dropFirst(4)) }
            else if unit == "rps" || unit == "qps" { unit = "s" }
            else if unit == "rpm" { unit = "min" }
            else { throw ParseFailure("`\(t)` is not a rate; write e.g. 50/s, 3000/min, 10/h") }
            if let f = durationUnits[unit] { return v / f }
            // `50/10s`: events per ten seconds.
            if let d = try? duration(unit), d > 0 { return v / d }
            throw ParseFailure("`\(t)`: unknown time unit `\(unit)` in a rate; use /s, /min or /h")
        }
        throw ParseFailure("`\(t)` is not a rate; write e.g. 50/s, 3000/min, 10/h")
    }

    /// `85%` → 0.85; a bare number is taken as a fraction (0.85).
    public static func fraction(_ s: String) throws(ParseFailure) -> Double {
        let t = Units.trimmed(s)
        if t.hasSuffix("%") {
            guard let v = number(String(t.dropLast())) else { throw ParseFailure("`\(t)` is not a percentage; write e.g. 85%") }
            return v / 100
        }
        guard let v = number(t) else { throw ParseFailure("`\(t)` is not a number or percentage; write e.g. 0.85 or 85%") }
        return v
    }

    /// A compact number: `5`, `0.5`, `1e-06`.
    public static func formatNumber(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        var s = String(format: "%.6g", x)
        if s.contains("e") { return s }
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s
    }

    /// A duration in the most readable unit: `500us`, `20ms`, `1.5s`, `2min`, `1h`.
    public static func formatDuration(_ seconds: Double) -> String {
        let a = abs(seconds)
        if a == 0 { return "0s" }
        if a < 1e-3 { return formatNumber(seconds * 1e6) + "us" }
        if a < 1 { return formatNumber(seconds * 1e3) + "ms" }
        if a < 60 || (a < 3600 && (a / 60) != (a / 60).rounded()) { return formatNumber(seconds) + "s" }
        if a < 3600 || (a / 3600) != (a / 3600).rounded() { return formatNumber(seconds / 60) + "min" }
        if a < 86400 || (a / 86400) != (a / 86400).rounded() { return formatNumber(seconds / 3600) + "h" }
        return formatNumber(seconds / 86400) + "d"
    }
}
