import Foundation

/// One problem in a model file, with where it is: `file:line:column`, the key path
/// (`pools.prisma.size`) and a message (with a "did you mean" suggestion where one exists).
public struct ModelError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    /// 1-based; nil when the problem has no single position (e.g. a value set by an override).
    public var line: Int?
    public var column: Int?
    /// Dotted path of the key, e.g. `pools.prisma.size` or `endpoints.search.steps[1].query.pool`.
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: error: at `key.path`: message`
    public var description: String {
        diagnosticText(file: file, line: line, column: column, severity: "error", keyPath: keyPath, message: message)
    }
}

/// `file:line:column: severity: `key.path`: message`, as compilers print diagnostics.
func diagnosticText(file: String, line: Int?, column: Int?, severity: String, keyPath: String, message: String) -> String {
    var location = file
    if let line { location += ":\(line)" }
    if let column { location += ":\(column)" }
    return clippingLongQuotes("\(location): \(severity): \(keyPath.isEmpty ? "" : "`\(keyPath)`: ")\(message)")
}

/// `text` with every `quoted` span longer than `limit` characters cut to its first `kept` and a
/// count (so clipping twice changes nothing): a diagnostic quotes what the file says, and a 10 MB scalar or key
/// (a fuzzer's, or a file of the wrong kind) must not become a 10 MB error message.
/// The limit is well above a quoted path or a suggested command line (`headroom sweep ...
/// --output-dir /a/long/path --resume`), which must stay whole.
public func clippingLongQuotes(_ text: String, limit: Int = 1000, kept: Int = 100) -> String {
    guard text.utf8.count > limit else { return text }
    var out = ""
    var rest = Substring(text)
    var unclosed = false
    while let open = rest.firstIndex(of: "`") {
        out += rest[...open]
        let inside = rest[rest.index(after: open)...]
        guard let close = inside.firstIndex(of: "`") else { rest = inside; unclosed = true; break }
        let quoted = inside[..<close]
        let count = quoted.count
        if count > limit {
            out += quoted.prefix(kept) + "… (\(count) characters)"
        } else {
            out += quoted
        }
        out += "`"
        rest = inside[inside.index(after: close)...]
    }
    // An unclosed quote runs to the end: clip it too.
    if unclosed && rest.count > limit {
        out += rest.prefix(kept) + "… (\(rest.count) characters)"
    } else {
        out += rest
    }
    return out
}

/// All the errors found in one load, in file order. What `ModelLoader.load` throws.
public struct ModelErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ModelError]
    public init(_ errors: [ModelError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A non-fatal finding: the model loads, but the planner should know.
public struct ModelWarning: CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        diagnosticText(file: file, line: line, column: column, severity: "warning", keyPath: keyPath, message: message)
    }
}

/// Collects errors and warnings while decoding, so that several can be reported together.
final class Diagnostics {
    /// Errors kept (and printed); past it they are only counted, so that a file of 100,000 broken
    /// entries is reported in time linear in its size (no suggestion is computed for them).
    static let maximumErrors = 100

    let file: String
    var errors: [ModelError] = []
    var warnings: [ModelWarning] = []
    /// Errors past `maximumErrors`, and where the first of them is.
    private(set) var suppressedErrors = 0
    private(set) var firstSuppressed: Origin?

    init(file: String) { self.file = file }

    var isFull: Bool { errors.count >= Diagnostics.maximumErrors }

    /// A last error saying how many more there are (nothing when none was suppressed).
    var suppressedNote: [ModelError] {
        guard suppressedErrors > 0 else { return [] }
        return [ModelError(file: file, line: firstSuppressed?.line, column: firstSuppressed?.column, keyPath: "",
                                    message: "and \(suppressedErrors) more error\(suppressedErrors == 1 ? "" : "s") from here on (the first \(Diagnostics.maximumErrors) are shown)")]
    }

    /// `message` is only built for an error that is kept: past `maximumErrors`, a file of 100,000
    /// unknown keys must not compute 100,000 "did you mean" suggestions.
    func error(_ origin: Origin?, _ path: String, _ message: @autoclosure () -> String) {
        if isFull {
            if suppressedErrors == 0 { firstSuppressed = origin }
            suppressedErrors += 1
            return
        }
        var message = message()
        if let o = origin?.override { message += " (value set by override `\(o)`)" }
        errors.append(ModelError(file: file, line: origin?.line, column: origin?.column, keyPath: path, message: message))
    }

    func warn(_ origin: Origin?, _ path: String, _ message: String) {
        warnings.append(ModelWarning(file: file, line: origin?.line, column: origin?.column, keyPath: path, message: message))
    }
}

/// "Did you mean ...?" suggestions by edit distance, as swift-argument-parser makes them for
/// unknown options; shared by the model's keys and names and the CLI's SLO and key arguments.
public enum Suggest {
    /// Optimal string alignment (restricted Damerau-Levenshtein) distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// The closest candidate, if close enough to be a plausible typo (or a camelCase/dash spelling).
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        let normalized = snake(word)
        if normalized != word, candidates.contains(normalized) { return normalized }
        var best: (String, Int)? = nil
        let length = normalized.count
        for c in candidates {
            // The distance is at least the difference in length: a candidate too far in length
            // cannot be accepted below, and is not measured (a 7.5 MB header name against
            // `mean_exec_time` filled a 14 x 7.5 million table: 1 GB, found by the fuzzer).
            let cLength = c.count
            guard abs(length - cLength) <= max(2, min(length, cLength) / 3) else { continue }
            let d = distance(normalized, c)
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (c, d) = best else { return nil }
        let limit = max(2, min(word.count, c.count) / 3)
        if d <= limit { return c }
        // A prefix or containment (e.g. `timeout` for `acquire_timeout`) is also a useful hint.
        if word.count >= 4, let hit = candidates.first(where: { $0.contains(normalized) || normalized.contains($0) }) {
            return hit
        }
        return nil
    }

    public static func snake(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "-" || ch == " " { out.append("_") }
            else if ch.isUppercase { if !out.isEmpty && out.last != "_" { out.append("_") }; out.append(contentsOf: ch.lowercased()) }
            else { out.append(ch) }
        }
        return out
    }

    /// "did you mean `x`?" or the list of valid names.
    public static func hint(_ word: String, _ candidates: [String], noun: String = "keys") -> String {
        if let c = closest(word, in: candidates) { return "did you mean `\(c)`?" }
        if candidates.isEmpty { return "there are no \(noun) here" }
        return "valid \(noun): " + candidates.map { "`\($0)`" }.joined(separator: ", ")
    }
}
