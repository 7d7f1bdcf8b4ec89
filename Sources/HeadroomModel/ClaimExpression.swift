import Foundation

// The small arithmetic language of claims files (docs/claims.md): quantities with units
// (`50ms`, `85%`, `300/s`, `500/min`, `5x`), ranges (`20ms..50ms`), names (an unknown
// parameter or a `where:` value), claim figures (`@300.before.throughput`), figures read from a
// scenario's report (`b300:overall.all.mean_seconds`), the four operations, parentheses and a
// few functions. Every value is kept in base units: seconds, fractions, events per second.
//
// Evaluated with interval arithmetic (Moore): each operand is an interval, the result encloses
// every value the expression can take when each operand ranges over its interval. When a name
// occurs twice the enclosure can be wider than the true range (the dependency problem), never
// narrower: so "the two sides cannot meet" is a proof, while "they can meet" is only a
// necessary condition. That is the direction the consistency checks need.

/// A closed interval of reals; `low == high` for a single value. Infinite ends are allowed.
public struct Interval: Sendable, Hashable, CustomStringConvertible {
    public var low: Double
    public var high: Double

    public init(_ low: Double, _ high: Double) {
        self.low = Swift.min(low, high)
        self.high = Swift.max(low, high)
    }
    public init(_ value: Double) { self.init(value, value) }

    public var isPoint: Bool { low == high }
    public var isFinite: Bool { low.isFinite && high.isFinite }
    public var mid: Double { isFinite ? (low + high) / 2 : (low.isFinite ? low : high) }

    public func intersects(_ other: Interval, relativeTolerance: Double = 0) -> Bool {
        let slack = relativeTolerance * Swift.max(abs(low), abs(high), abs(other.low), abs(other.high)).finiteOr(0)
        return low <= other.high + slack && other.low <= high + slack
    }

    public static func + (a: Interval, b: Interval) -> Interval { Interval(a.low + b.low, a.high + b.high) }
    public static func - (a: Interval, b: Interval) -> Interval { Interval(a.low - b.high, a.high - b.low) }
    public static prefix func - (a: Interval) -> Interval { Interval(-a.high, -a.low) }
    public static func * (a: Interval, b: Interval) -> Interval {
        let p = [mul(a.low, b.low), mul(a.low, b.high), mul(a.high, b.low), mul(a.high, b.high)]
        return Interval(p.min()!, p.max()!)
    }
    /// Division; nil when the divisor's interval contains zero (the quotient is unbounded).
    public static func / (a: Interval, b: Interval) -> Interval? {
        if b.low <= 0 && b.high >= 0 {
            if b.isPoint { return nil }
            // A divisor that only touches zero at one end: [x, 0] or [0, x] with the quotient one-sided.
            if b.low == 0 { return a * Interval(1 / b.high, .infinity) }
            if b.high == 0 { return a * Interval(-.infinity, 1 / b.low) }
            return nil
        }
        return a * Interval(1 / b.high, 1 / b.low)
    }
    /// 0 x infinity is taken as 0: a zero-width operand stays zero.
    private static func mul(_ x: Double, _ y: Double) -> Double { (x == 0 || y == 0) ? 0 : x * y }

    public var description: String { isPoint ? "\(low)" : "[\(low), \(high)]" }
}

extension Double {
    func finiteOr(_ fallback: Double) -> Double { isFinite ? self : fallback }
}

/// A unit a figure is stated and shown in. Values are stored in base units (seconds, fractions,
/// per second); `per_minute` is shown per minute but stored per second.
public enum ClaimUnit: String, Sendable, Hashable, CaseIterable, Codable {
    case seconds, fraction, perSecond = "per_second", perMinute = "per_minute", count, ratio, users
}

/// Parsing quantities: `50ms`, `1.5s`, `85%`, `300/s`, `500/min`, `5x`, `1,000`, `12`.
public enum Quantity {
    /// The value in base units, or a message saying what is wrong.
    public static func parse(_ text: String) throws(ParseFailure) -> Double {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("~") { t = String(t.dropFirst()).trimmingCharacters(in: .whitespaces) }
        t = t.replacingOccurrences(of: ",", with: "")
        if let v = Units.number(t) { return v }
        if t.hasSuffix("%") { return try Units.fraction(t) }
        if t.lowercased().hasSuffix("x"), let v = Units.number(String(t.dropLast())) { return v }
        if t.contains("/") || t.hasSuffix("rps") || t.hasSuffix("rpm") {
            do { return try Units.rate(t) } catch { throw error }
        }
        do { return try Units.duration(t) } catch {
            throw ParseFailure("`\(text)` is not a quantity; write e.g. 50ms, 1.5s, 85%, 300/s, 500/min, 5x or a plain number")
        }
    }
}

/// A document's figure, parsed: a value, a range, a one-sided bound, or a word with the range it means.
public struct FigureSpec: Sendable, Hashable {
    public enum Shape: String, Sendable, Hashable { case value, approximate, range, atMost, atLeast, word }
    public var shape: Shape
    /// The range the figure stands for (before any agreement tolerance).
    public var interval: Interval

    public init(shape: Shape, interval: Interval) {
        self.shape = shape
        self.interval = interval
    }

    /// `14.5s`, `~500/min`, `50%..70%`, `< 1%`, `<= 60`, `> 60%`, `>= 10000`.
    public static func parse(_ text: String) throws(ParseFailure) -> FigureSpec {
        let t = text.trimmingCharacters(in: .whitespaces)
        for (prefix, shape) in [("<=", Shape.atMost), ("≤", .atMost), (">=", .atLeast), ("≥", .atLeast), ("<", .atMost), (">", .atLeast)] {
            if t.hasPrefix(prefix) {
                let v = try Quantity.parse(String(t.dropFirst(prefix.count)))
                return FigureSpec(shape: shape, interval: shape == .atMost ? Interval(Swift.min(0, v), v) : Interval(v, .infinity))
            }
        }
        if let r = t.range(of: "..") {
            let a = try Quantity.parse(String(t[..<r.lowerBound])), b = try Quantity.parse(String(t[r.upperBound...]))
            guard a <= b else { throw ParseFailure("a range goes from low to high: `\(t)`") }
            return FigureSpec(shape: .range, interval: Interval(a, b))
        }
        let v = try Quantity.parse(t)
        return FigureSpec(shape: t.hasPrefix("~") ? .approximate : .value, interval: Interval(v))
    }

    /// The band Headroom's figure must meet to agree: the range itself, or +-tolerance around a single value.
    public func agreementBand(tolerance: Double) -> Interval {
        switch shape {
        case .value, .approximate:
            let v = interval.low
            return Interval(v - abs(v) * tolerance, v + abs(v) * tolerance)
        default: return interval
        }
    }
}

/// A parsed expression of a claims file.
public indirect enum ClaimExpression: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case range(Double, Double)
    /// A name: an unknown parameter or a `where:` value.
    case name(String)
    /// `@id`: the figure of a claim of the same file.
    case claimFigure(String)
    /// `scenario:section.item.metric` (or `scenario:analysis.<figure>`).
    case reading(scenario: String, path: String)
    case negate(ClaimExpression)
    case binary(Character, ClaimExpression, ClaimExpression)
    case call(String, [ClaimExpression])

    /// Functions an expression may call.
    public static let functions: [String: ClosedRange<Int>] = ["min": 2...8, "max": 2...8]

    public var description: String {
        switch self {
        case let .number(v): return Units.formatNumber(v)
        case let .range(a, b): return "\(Units.formatNumber(a))..\(Units.formatNumber(b))"
        case let .name(n): return n
        case let .claimFigure(id): return "@" + id
        case let .reading(s, p): return "\(s):\(p)"
        case let .negate(e): return "-" + e.description
        case let .binary(op, a, b): return "(\(a) \(op) \(b))"
        case let .call(f, args): return "\(f)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }

    /// Every scenario reading in the expression.
    public var readings: [(scenario: String, path: String)] {
        switch self {
        case let .reading(s, p): return [(s, p)]
        case let .negate(e): return e.readings
        case let .binary(_, a, b): return a.readings + b.readings
        case let .call(_, args): return args.flatMap(\.readings)
        default: return []
        }
    }
    public var names: [String] {
        switch self {
        case let .name(n): return [n]
        case let .negate(e): return e.names
        case let .binary(_, a, b): return a.names + b.names
        case let .call(_, args): return args.flatMap(\.names)
        default: return []
        }
    }
    public var claimFigures: [String] {
        switch self {
        case let .claimFigure(id): return [id]
        case let .negate(e): return e.claimFigures
        case let .binary(_, a, b): return a.claimFigures + b.claimFigures
        case let .call(_, args): return args.flatMap(\.claimFigures)
        default: return []
        }
    }

    /// Evaluates with interval arithmetic; `lookup` supplies names, claim figures and readings.
    /// Throws a message when an operand is unknown or a divisor may be zero.
    public func evaluate(_ lookup: (ClaimExpression) -> Interval?) throws(ParseFailure) -> Interval {
        switch self {
        case let .number(v): return Interval(v)
        case let .range(a, b): return Interval(a, b)
        case .name, .claimFigure, .reading:
            guard let v = lookup(self) else { throw ParseFailure("no value for `\(self)`") }
            return v
        case let .negate(e): return -(try e.evaluate(lookup))
        case let .binary(op, a, b):
            let x = try a.evaluate(lookup), y = try b.evaluate(lookup)
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            default:
                guard let q = x / y else { throw ParseFailure("division by a value that may be zero: \(b) = \(y)") }
                return q
            }
        case let .call(f, args):
            let values = try args.map { (e) throws(ParseFailure) -> Interval in try e.evaluate(lookup) }
            switch f {
            case "min": return Interval(values.map(\.low).min()!, values.map(\.high).min()!)
            default: return Interval(values.map(\.low).max()!, values.map(\.high).max()!)
            }
        }
    }
}

/// A relation between two expressions: `lhs = rhs`, `lhs <= rhs`, ...
public struct ClaimRelation: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable { case equal = "=", atMost = "<=", atLeast = ">=" }
    public var lhs: ClaimExpression
    public var op: Operator
    public var rhs: ClaimExpression
    public var description: String { "\(lhs) \(op.rawValue) \(rhs)" }

    /// Whether some values of the operands satisfy the relation (intervals; `=` with a relative
    /// tolerance for the rounding of figures written in a document).
    public static func canHold(_ op: Operator, _ a: Interval, _ b: Interval, tolerance: Double) -> Bool {
        switch op {
        case .equal: return a.intersects(b, relativeTolerance: tolerance)
        case .atMost: return a.low <= b.high * (1 + tolerance) + 1e-12
        case .atLeast: return a.high * (1 + tolerance) + 1e-12 >= b.low
        }
    }
}

/// Parser of expressions and relations (recursive descent). Errors name the column.
///
/// Parsing, evaluating, printing, comparing and freeing an expression all recurse once per level
/// of its tree (an `indirect enum`), so the tree's depth is limited: a parenthesis, a unary minus,
/// a function call and each operator of a chain (`1 + 2 + 3` is two levels) add one. Within the
/// limits every recursion fits a 512 KiB thread stack (Linux's secondary threads) in a debug build
/// (`ClaimExpressionLimitTests`); without them 2,000 nested parentheses overflowed the main thread's.
public enum ClaimExpressionParser {
    /// Characters in one expression or relation (the longest in the bundled claims files has 183).
    public static let maxCharacters = 2_000
    /// Levels of the expression's tree (the bundled claims files' deepest has 4). At 32, a debug
    /// build parses and evaluates the deepest expressions on a 256 KiB stack, half of Linux's 512 KiB.
    public static let maxDepth = 32

    public static func parse(_ text: String) throws(ParseFailure) -> ClaimExpression {
        try checkLength(text)
        var p = Parser(Array(text))
        let e = try p.expression()
        p.skipSpaces()
        guard p.atEnd else { throw p.failure("unexpected `\(p.rest)`") }
        return e.expression
    }

    static func checkLength(_ text: String) throws(ParseFailure) {
        let count = text.count
        guard count <= maxCharacters else {
            throw ParseFailure("the expression has \(count) characters; an expression may have at most \(maxCharacters) (name intermediate values in `where:`)")
        }
    }

    public static func parseRelation(_ text: String) throws(ParseFailure) -> ClaimRelation {
        try checkLength(text)
        let ops: [(String, ClaimRelation.Operator)] = [("<=", .atMost), (">=", .atLeast), ("≤", .atMost), ("≥", .atLeast), ("=", .equal)]
        // The first relational operator outside parentheses splits the two sides.
        let chars = Array(text)
        var depth = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if depth == 0 {
                for (sym, op) in ops where String(chars[i..<min(chars.count, i + sym.count)]) == sym {
                    let lhs = String(chars[..<i]), rhs = String(chars[(i + sym.count)...])
                    return ClaimRelation(lhs: try parse(lhs), op: op, rhs: try parse(rhs))
                }
            }
            i += 1
        }
        throw ParseFailure("`\(text)` is not a relation: write `left = right`, `left <= right` or `left >= right`")
    }

    /// An expression with the depth of its tree.
    private struct Parsed {
        var expression: ClaimExpression
        var depth: Int
    }

    private struct Parser {
        let chars: [Character]
        var i = 0
        /// Open parentheses, unary minuses and calls around the current position (the recursion).
        var nesting = 0
        init(_ chars: [Character]) { self.chars = chars }

        var atEnd: Bool { i >= chars.count }
        /// The unparsed rest, cut short for a message.
        var rest: String { chars.count - i > 40 ? String(chars[i..<(i + 40)]) + "..." : String(chars[i...]) }
        func failure(_ message: String) -> ParseFailure { ParseFailure("\(message) (at column \(i + 1) of the expression)") }

        var tooDeep: ParseFailure {
            failure("the expression nests more than \(ClaimExpressionParser.maxDepth) levels deep (parentheses, minus signs, calls and each operator of a chain count); an expression may nest at most \(ClaimExpressionParser.maxDepth): name intermediate values in `where:`")
        }

        /// A node one level above `children`; refused past `maxDepth`.
        func node(_ e: ClaimExpression, over children: Int...) throws(ParseFailure) -> Parsed {
            let depth = (children.max() ?? 0) + 1
            guard depth <= ClaimExpressionParser.maxDepth else {
                throw tooDeep
            }
            return Parsed(expression: e, depth: depth)
        }

        /// Enters one level of recursion (a parenthesis, a minus sign, a call), refused past `maxDepth`.
        mutating func enter() throws(ParseFailure) {
            nesting += 1
            guard nesting <= ClaimExpressionParser.maxDepth else {
                throw tooDeep
            }
        }

        mutating func skipSpaces() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }

        mutating func expression() throws(ParseFailure) -> Parsed {
            var e = try term()
            while true {
                skipSpaces()
                guard !atEnd, chars[i] == "+" || chars[i] == "-" else { return e }
                let op = chars[i]
                i += 1
                let t = try term()
                e = try node(.binary(op, e.expression, t.expression), over: e.depth, t.depth)
            }
        }

        mutating func term() throws(ParseFailure) -> Parsed {
            var e = try factor()
            while true {
                skipSpaces()
                guard !atEnd, chars[i] == "*" || chars[i] == "/" || chars[i] == "×" else { return e }
                let op: Character = chars[i] == "/" ? "/" : "*"
                i += 1
                let f = try factor()
                e = try node(.binary(op, e.expression, f.expression), over: e.depth, f.depth)
            }
        }

        mutating func factor() throws(ParseFailure) -> Parsed {
            skipSpaces()
            guard !atEnd else { throw failure("the expression ends too early") }
            let c = chars[i]
            if c == "-" {
                try enter()
                i += 1
                let f = try factor()
                nesting -= 1
                return try node(.negate(f.expression), over: f.depth)
            }
            if c == "(" {
                try enter()
                i += 1
                let e = try expression()
                skipSpaces()
                guard !atEnd, chars[i] == ")" else { throw failure("missing `)`") }
                i += 1
                nesting -= 1
                return e
            }
            if c == "@" {
                i += 1
                let id = word(allowing: ".-_")
                guard !id.isEmpty else { throw failure("`@` needs a claim id, e.g. @300.before.throughput") }
                return Parsed(expression: .claimFigure(id), depth: 1)
            }
            if c.isNumber || c == "." || c == "~" {
                let start = i
                // A quantity runs until an operator, a space or a parenthesis: `50ms`, `85%`, `300/s`.
                var text = ""
                while i < chars.count {
                    let d = chars[i]
                    if d == " " || d == "*" || d == "+" || d == "(" || d == ")" || d == "," || d == "×" { break }
                    if d == "-" && !(text.last == "e" || text.last == "E") { break }
                    if d == "/" {
                        // `300/s` is a rate; `300 / 2` (or `/` followed by a digit or paren) is a division.
                        let next = i + 1 < chars.count ? chars[i + 1] : " "
                        if !next.isLetter { break }
                    }
                    text.append(d)
                    i += 1
                }
                if let r = text.range(of: "..") {
                    do {
                        let a = try Quantity.parse(String(text[..<r.lowerBound])), b = try Quantity.parse(String(text[r.upperBound...]))
                        return Parsed(expression: .range(a, b), depth: 1)
                    } catch { i = start; throw failure(error.message) }
                }
                do { return Parsed(expression: .number(try Quantity.parse(text)), depth: 1) } catch { i = start; throw failure(error.message) }
            }
            if c.isLetter || c == "_" {
                let w = word(allowing: "._")
                skipSpaces()
                if !atEnd, chars[i] == "(" {
                    guard let arity = ClaimExpression.functions[w] else {
                        throw failure("unknown function `\(w)`; \(Suggest.hint(w, ClaimExpression.functions.keys.sorted(), noun: "functions"))")
                    }
                    try enter()
                    i += 1
                    var args: [ClaimExpression] = []
                    var depth = 0
                    while true {
                        guard args.count < arity.upperBound else { throw failure("\(w) takes \(arity.lowerBound) to \(arity.upperBound) arguments") }
                        let a = try expression()
                        args.append(a.expression)
                        depth = max(depth, a.depth)
                        skipSpaces()
                        guard !atEnd else { throw failure("missing `)` after the arguments of \(w)") }
                        if chars[i] == "," { i += 1; continue }
                        if chars[i] == ")" { i += 1; break }
                        throw failure("expected `,` or `)` in the arguments of \(w)")
                    }
                    guard arity.contains(args.count) else { throw failure("\(w) takes \(arity.lowerBound) to \(arity.upperBound) arguments") }
                    nesting -= 1
                    return try node(.call(w, args), over: depth)
                }
                if !atEnd, chars[i] == ":" {
                    i += 1
                    let path = word(allowing: "._-")
                    guard !path.isEmpty else { throw failure("`\(w):` needs a report path, e.g. \(w):overall.all.mean_seconds") }
                    return Parsed(expression: .reading(scenario: w, path: path), depth: 1)
                }
                return Parsed(expression: .name(w), depth: 1)
            }
            throw failure("unexpected `\(c)`")
        }

        mutating func word(allowing extra: String) -> String {
            var out = ""
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || extra.contains(chars[i]) {
                out.append(chars[i])
                i += 1
            }
            // A trailing dot is punctuation, not part of the name.
            while out.hasSuffix(".") { out.removeLast(); i -= 1 }
            return out
        }
    }
}
