import Foundation
import HeadroomKernel

/// How a report is written: aligned text, JSON (docs/output-schema.md) or CSV (one row per figure).
public enum OutputFormat: String, Sendable, Hashable, CaseIterable {
    case table, json, csv
}

// MARK: - Value formatting

/// How a metric's values are shown, from its name's suffix.
package enum MetricUnit {
    case seconds, perSecond, fraction, number

    package init(metric: String) {
        if metric.hasSuffix("_seconds") { self = .seconds }
        else if metric.hasSuffix("_per_second") { self = .perSecond }
        else if metric == Metric.utilization.key || metric.hasSuffix("_utilization") || metric.hasSuffix("_rate")
                    || metric.hasSuffix("_share") { self = .fraction }
        else { self = .number }
    }
}

package enum ValueText {
    package static func decimals(_ v: Double) -> Int {
        let a = abs(v)
        if a >= 100 || a == 0 { return 1 }
        if a >= 10 { return 1 }
        if a >= 1 { return 2 }
        return 3
    }

    package static func fixed(_ v: Double, _ d: Int) -> String { String(format: "%.\(d)f", v) }

    /// Scale and unit suffix for a duration of this magnitude.
    package static func durationScale(_ v: Double) -> (Double, String) {
        let a = abs(v)
        if a >= 1 { return (1, " s") }
        if a >= 0.001 || a == 0 { return (1000, " ms") }
        return (1e6, " µs")
    }

    /// `123.4 ms`, `45.21/s`, `12.3%`, `8.50`.
    package static func value(_ v: Double, metric: String) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "-∞") }
        switch MetricUnit(metric: metric) {
        case .seconds:
            let (k, u) = durationScale(v)
            return fixed(v * k, decimals(v * k)) + u
        case .perSecond: return fixed(v, decimals(v)) + "/s"
        case .fraction: return fixed(v * 100, decimals(v * 100) > 1 ? 2 : 1) + "%"
        case .number:
            if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
            return fixed(v, decimals(v))
        }
    }

    /// `123.4 ms ± 2.1`: the half-width in the mean's unit and decimals.
    package static func estimate(_ e: Estimate, metric: String) -> String {
        let text = value(e.mean, metric: metric)
        guard e.samples > 1, e.mean.isFinite, e.halfWidth.isFinite else { return text }
        var scaled = e.halfWidth, d: Int
        switch MetricUnit(metric: metric) {
        case .seconds:
            let (k, _) = durationScale(e.mean)
            scaled *= k; d = decimals(e.mean * k)
        case .fraction:
            scaled *= 100; d = decimals(e.mean * 100) > 1 ? 2 : 1
        case .perSecond: d = decimals(e.mean)
        case .number: d = e.mean == e.mean.rounded() ? max(1, decimals(e.halfWidth)) : decimals(e.mean)
        }
        return "\(text) ± \(fixed(scaled, d))"
    }

    package static func label(_ metric: String) -> String {
        var m = metric
        for suffix in ["_per_second", "_seconds"] where m.hasSuffix(suffix) { m.removeLast(suffix.count) }
        return m.replacingOccurrences(of: "_", with: " ")
    }
}

/// Pads columns to equal width; `right` columns are right-aligned.
package func alignedRows(_ rows: [[String]], right: Set<Int> = [], indent: String = "  ") -> [String] {
    guard let columns = rows.map(\.count).max() else { return [] }
    var widths = [Int](repeating: 0, count: columns)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
        var line = indent
        for (i, c) in r.enumerated() {
            let pad = String(repeating: " ", count: widths[i] - c.count)
            line += right.contains(i) ? pad + c : c + (i == r.count - 1 ? "" : pad)
            if i < r.count - 1 { line += "   " }
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}

package func csvField(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}

package func csvNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "" }
    return "\(x)"
}


/// The end of a table: warnings, then notes, each block after a blank line. Each distinct
/// warning once; a loader warning (`file:line:col: warning: ...`) keeps its own label.
package func finishedTable(_ lines: [String], warnings: [String], notes: [String]) -> String {
    var lines = lines
    var seen = Set<String>()
    let distinct = warnings.filter { seen.insert($0).inserted }
    if !distinct.isEmpty {
        lines.append("")
        lines += distinct.map { $0.contains(": warning: ") ? $0 : "warning: \($0)" }
    }
    if !notes.isEmpty {
        lines.append("")
        lines += notes.map { "note: \($0)" }
    }
    return lines.joined(separator: "\n") + "\n"
}


package func formatRate(_ r: Double) -> String { "\(formatSignificant(r))/s" }

package func formatSignificant(_ x: Double, digits: Int = 4) -> String {
    if abs(x) < 1e-9 { return "0" }
    if !x.isFinite { return "\(x)" }
    let magnitude = Int(floor(log10(abs(x))))
    let decimals = max(0, min(9, digits - 1 - magnitude))
    return String(format: "%.\(decimals)f", x)
}

package func formatFraction(_ x: Double) -> String { String(format: "%.3f", x) }

package func formatPercent(_ x: Double) -> String {
    let p = x * 100
    return p == p.rounded() ? "\(Int(p))%" : String(format: "%.2f%%", p)
}

package func formatDuration(_ s: Double) -> String {
    if s == 0 { return "0 s" }
    // Beyond a thousand years (or not finite) no branch below may convert it to an Int.
    guard s.isFinite, abs(s) < 3e10 else { return String(format: "%.4g s", s) }
    if s >= 3600 && (s / 3600).rounded() == s / 3600 { return "\(Int(s / 3600)) h" }
    if s >= 60 && (s / 60).rounded() == s / 60 { return "\(Int(s / 60)) min" }
    if s >= 1 { return s == s.rounded() ? "\(Int(s)) s" : "\(formatSignificant(s)) s" }
    if s >= 0.001 { return "\(formatSignificant(s * 1000)) ms" }
    return "\(formatSignificant(s * 1e6)) µs"
}

/// A word as a POSIX shell reads it back: bare when it has no special character, else in single
/// quotes (a quote inside written '\''). The commands Headroom prints for a planner to run again
/// (`sweep`'s resume line, `verify`'s scenario lines) pass their words through it.
package func shellQuoted(_ word: String) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@%+")
    if !word.isEmpty && word.allSatisfy(plain.contains) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// `messages` with those that differ only in their numbers folded into the first of them, which
/// says how many it stands for: a breakpoint search warns about the same overload at each of 36
/// loads, and a page that lists all 36 hides the one warning that differs.
package func foldingNumberVariants(_ messages: [String]) -> [String] {
    /// The message with each number replaced by `#`; digits inside a name (`db2`) stay.
    func shape(_ m: String) -> String {
        var out = "", inNumber = false, previous: Character = " "
        for c in m {
            if (c.isNumber && (inNumber || !(previous.isLetter || previous == "_"))) || (inNumber && (c == "." || c == ",") ) {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                inNumber = false
                out.append(c)
            }
            previous = c
        }
        return out
    }
    var order: [String] = [], first: [String: String] = [:], count: [String: Int] = [:]
    for m in messages {
        let s = shape(m)
        if first[s] == nil { order.append(s); first[s] = m }
        count[s, default: 0] += 1
    }
    return order.map { s in
        let n = count[s]! - 1
        return first[s]! + (n > 0 ? " (and \(n) more like it, with other figures)" : "")
    }
}
