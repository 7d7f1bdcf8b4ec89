import Foundation

/// Colour for people at a terminal, and only there: verdicts (`FAIL` red, `pass` green),
/// `error:` red, `warning:` and `caution:` yellow. Never in a file, a pipe or JSON, and never when
/// `NO_COLOR` is set to anything non-empty (no-color.org) or `TERM` is `dumb`.
package enum TerminalColor {
    /// Whether text written to `fd` may be coloured.
    package static func enabled(fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let v = environment["NO_COLOR"], !v.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(fd) == 1
    }

    static let red = "\u{1B}[1;31m", green = "\u{1B}[32m", yellow = "\u{1B}[33m", reset = "\u{1B}[0m"

    /// Words that carry a verdict, and their colour. Whole words only (`passes` stays plain).
    static let rules: [(pattern: NSRegularExpression, color: String)] = [
        (#"\bFAIL\b"#, red), (#"\bfail:"#, red), (#"\berror:"#, red), (#"\bpass\b"#, green),
        (#"\bwarning:"#, yellow), (#"\bcaution:"#, yellow),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// `text` with its verdict words coloured.
    package static func paint(_ text: String) -> String {
        var out = text
        for (pattern, color) in rules {
            let ns = out as NSString
            let matches = pattern.matches(in: out, range: NSRange(location: 0, length: ns.length)).reversed()
            for m in matches {
                let word = ns.substring(with: m.range)
                out = (out as NSString).replacingCharacters(in: m.range, with: color + word + reset)
            }
        }
        return out
    }
}
