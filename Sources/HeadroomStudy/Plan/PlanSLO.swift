import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// A service-level objective of `headroom plan`: a report figure, a comparison and a threshold,
/// e.g. `search.p95<500ms` (endpoint `search`, `p95_seconds < 0.5`) or `timeouts<1%`
/// (all endpoints together, `timeout_rate < 0.01`).
public struct PlanSLO: Sendable, Hashable {
    /// The SLOs `breakpoint` adds when latency SLOs come without any on failures: `timeouts<1%`
    /// and `errors<1%` of all requests. Latencies are of successful responses (`latency_of:
    /// succeeded`), and past saturation those that succeed are the fast ones, so a latency SLO
    /// alone is not monotone in the load and a search on it finds a "breakpoint" far past where
    /// the system fails. Empty when an SLO already limits timeouts or errors, none limits a
    /// latency, or latencies count every request (`latency_of: all`).
    public static func survivorshipGuards(for slos: [PlanSLO], model: Model) -> [PlanSLO] {
        guard model.network == nil, model.simulation.latencyOf == .succeeded,
              slos.contains(where: { $0.metric.hasSuffix("_seconds") && $0.comparison.isUpperLimit }),
              !slos.contains(where: { failureMetrics.contains($0.metric) }) else { return [] }
        // A thread-per-request server refuses what its accept queue cannot hold: a failure too.
        let guards = ["timeouts<1%", "errors<1%"] + (model.instances.threads != nil ? ["rejected<1%"] : [])
        return guards.compactMap { try? PlanSLO.parse($0, model: model) }
    }

    /// The figures that count requests that did not succeed: timed out, failed, refused by a full
    /// accept queue (rate-limited requests are shed on purpose and not counted here).
    public static let failureMetrics: Set<String> = [Metric.timeoutRate.key, Metric.errorRate.key, Metric.rejectedRate.key]

    /// The share of requests of `item` that did not succeed, from its figures (absent ones are 0).
    public static func failedShare(_ item: ReportItem) -> (total: Double, parts: [(String, Double)]) {
        let parts = [Metric.timeoutRate, .errorRate, .rejectedRate].compactMap { m in
            item[m.key].map { (m.key, $0.estimate.mean) }
        }
        return (parts.map(\.1).reduce(0, +), parts)
    }

    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"

        /// Upper limits (`<`, `<=`) are checked at the CI's upper bound, lower limits at its lower bound.
        public var isUpperLimit: Bool { self == .less || self == .lessOrEqual }

        public func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .less: return value < threshold
            case .lessOrEqual: return value <= threshold
            case .greater: return value > threshold
            case .greaterOrEqual: return value >= threshold
            }
        }
    }

    /// As written.
    public var text: String
    public var section: String
    public var item: String
    public var metric: String
    public var comparison: Comparison
    public var threshold: Double

    /// `endpoints.search.p95_seconds`.
    public var figure: String { "\(section).\(item).\(metric)" }

    /// The bound of the confidence interval on the unfavourable side.
    public func unfavourableBound(_ e: Estimate) -> Double { comparison.isUpperLimit ? e.upper : e.lower }

    /// The figure in `report` and whether the SLO holds at its unfavourable bound (a missing
    /// figure, e.g. a p95 with no completed request, fails).
    public func check(_ report: StudyReport) -> PlanSLOCheck {
        var figure = report[section, item]?[metric]?.estimate
        if figure == nil, section == ReportSectionName.failures.rawValue, report[section, item] == nil {
            // The report lists only the causes that happened: one it leaves out never did.
            let zeros = Array(repeating: 0.0, count: max(1, report.settings.replications))
            figure = Estimate.studentT(zeros, confidence: report.settings.confidenceLevel)
        }
        guard let e = figure, e.mean.isFinite else {
            return PlanSLOCheck(estimate: nil, bound: nil, holds: false)
        }
        let bound = unfavourableBound(e)
        return PlanSLOCheck(estimate: e, bound: bound, holds: bound.isFinite && comparison.holds(bound, threshold))
    }

    // MARK: Parsing

    /// Metric names per section: every figure the report emits (the metric catalog).
    static func sectionMetrics(_ section: String) -> [String] { MetricCatalog.specs(section: section).map(\.key) }

    /// Short names a section's figures accept (`p95` is `p95_seconds`, of a job queue
    /// `p95_latency_seconds`; `wait` of a pool `mean_wait_seconds`), from the metric catalog.
    static func aliases(_ section: String) -> [String: String] {
        var out: [String: String] = [:]
        for spec in MetricCatalog.specs(section: section) { for a in spec.aliases { out[a] = spec.key } }
        return out
    }

    /// `pool` for `pools`, and `node` for `database_nodes`.
    static let singular: [String: String] = Dictionary(
        ReportSectionName.allCases.compactMap { s in s.singular.map { ($0, s.rawValue) } } + [("node", ReportSectionName.databaseNodes.rawValue)],
        uniquingKeysWith: { a, _ in a })

    /// Parses `[item.]metric OP value` or `section.item.metric OP value` against a model's items.
    public static func parse(_ text: String, model: Model) throws(SweepError) -> PlanSLO {
        var found: (Comparison, Range<String.Index>)? = nil
        for c in Comparison.allCases {
            if let r = text.range(of: c.rawValue) { found = (c, r); break }
        }
        guard let (comparison, range) = found else {
            throw SweepError("--slo `\(text)`: write FIGURE<VALUE or FIGURE>VALUE, e.g. `search.p95<500ms`, `timeouts<1%`, `throughput>=100/s`")
        }
        let lhs = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let rhs = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !lhs.isEmpty, !rhs.isEmpty else { throw SweepError("--slo `\(text)`: a figure and a value are needed on both sides of `\(comparison.rawValue)`") }
        let items = Dictionary(SweepColumns.items(of: model).map { ($0.section, $0.names) }, uniquingKeysWith: { a, _ in a })
        let segs = lhs.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let defaultSection = model.network != nil ? "network" : "overall"
        let defaultItem = model.network != nil ? "network" : "all"
        var section: String, item: String, metricName: String
        switch segs.count {
        case 1:
            (section, item, metricName) = (defaultSection, defaultItem, segs[0])
        case 2:
            metricName = segs[1]
            if ["all", "overall"].contains(segs[0]) && model.network == nil {
                (section, item) = ("overall", "all")
            } else if segs[0] == "network" && model.network != nil {
                (section, item) = ("network", "network")
            } else {
                let sections = ["endpoints", "pools", "poolers", "caches", "job_queues", "stations", "database_nodes"]
                    .filter { items[$0]?.contains(segs[0]) ?? false }
                guard let s = sections.first else {
                    let names = sections.isEmpty ? ["endpoints", "pools", "poolers", "caches", "job_queues", "stations"].flatMap { items[$0] ?? [] } : []
                    throw SweepError("--slo `\(text)`: no endpoint, pool, cache, job queue or station named `\(segs[0])`; \(hint(segs[0], names + ["all"]))")
                }
                (section, item) = (s, segs[0])
            }
        case 3:
            section = singular[segs[0]] ?? segs[0]
            guard let names = items[section] else {
                throw SweepError("--slo `\(text)`: no section `\(segs[0])`; \(hint(segs[0], StudyReport.sectionNames))")
            }
            guard names.contains(segs[1]) else {
                throw SweepError("--slo `\(text)`: no `\(segs[1])` in `\(section)`; \(hint(segs[1], names))")
            }
            (item, metricName) = (segs[1], segs[2])
        default:
            throw SweepError("--slo `\(text)`: write `metric`, `item.metric` or `section.item.metric` before `\(comparison.rawValue)`")
        }
        let valid = sectionMetrics(section)
        let shortNames = aliases(section)
        let metric = valid.contains(metricName) ? metricName : shortNames[metricName]
        guard let metric else {
            throw SweepError("--slo `\(text)`: `\(section)` items have no figure `\(metricName)`; \(hint(metricName, valid + shortNames.keys))")
        }
        let threshold = try value(rhs, metric: metric, slo: text)
        return PlanSLO(text: text, section: section, item: item, metric: metric, comparison: comparison, threshold: threshold)
    }

    static func value(_ t: String, metric: String, slo: String) throws(SweepError) -> Double {
        switch MetricUnit(metric: metric) {
        case .seconds:
            if let d = try? Units.duration(t) {
                // A time is never negative: `p95<-1s` could never hold, and every cell would fail it.
                guard d >= 0 else { throw SweepError("--slo `\(slo)`: a time is never negative; write e.g. 500ms") }
                return d
            }
            throw SweepError("--slo `\(slo)`: `\(t)` is not a duration; write e.g. 500ms or 1.5s")
        case .fraction:
            if let f = try? Units.fraction(t), f >= 0 {
                if f > 1 && !t.hasSuffix("%") { throw SweepError("--slo `\(slo)`: `\(t)` is a fraction above 1; write a percentage such as \(t)%") }
                if f > 1 { throw SweepError("--slo `\(slo)`: a share is at most 100%, not \(t)") }
                return f
            }
            throw SweepError("--slo `\(slo)`: `\(t)` is not a fraction; write e.g. 1% or 0.01")
        case .perSecond:
            if let r = try? Units.rate(t) {
                guard r >= 0 else { throw SweepError("--slo `\(slo)`: a rate is never negative; write e.g. 100/s") }
                return r
            }
            if let n = SweepAxis.numberWithUnit(t), n.unit.isEmpty, n.value >= 0 { return n.value }
            throw SweepError("--slo `\(slo)`: `\(t)` is not a rate; write e.g. 100/s")
        case .number:
            if let n = SweepAxis.numberWithUnit(t), n.unit.isEmpty { return n.value }
            throw SweepError("--slo `\(slo)`: `\(t)` is not a number")
        }
    }

    /// "did you mean `x`? (one of ...)" with the model layer's edit-distance suggestion.
    static func hint(_ word: String, _ candidates: [String]) -> String {
        let unique = Array(Set(candidates)).sorted()
        guard !unique.isEmpty else { return "the model has none" }
        let quoted: [String] = unique.prefix(20).map { "`" + $0 + "`" }
        var list: String = "one of " + quoted.joined(separator: ", ")
        if unique.count > 20 { list += ", ..." }
        if let best = Suggest.closest(word, in: unique) { return "did you mean `\(best)`? (\(list))" }
        return list
    }
}

public struct PlanSLOCheck: Sendable, Hashable {
    /// The simulated figure (nil: the report has none, e.g. no request completed).
    public var estimate: Estimate?
    /// Its unfavourable confidence bound.
    public var bound: Double?
    public var holds: Bool
}

/// `--cost 'instances*120 + pools.prisma.size*2'`: numbers, model keys (any `--set` key or
/// shorthand, valued per configuration), `+ - * /`, unary minus and parentheses.
public struct CostExpression: Sendable, Hashable, CustomStringConvertible {
    indirect enum Node: Sendable, Hashable {
        case number(Double)
        case key(String)
        case negate(Node)
        case binary(Character, Node, Node)
    }

    public var text: String
    let root: Node

    public var description: String { text }

    /// Keys the expression reads, in order of first appearance.
    public var keys: [String] {
        var out: [String] = []
        func walk(_ n: Node) {
            switch n {
            case .number: break
            case let .key(k): if !out.contains(k) { out.append(k) }
            case let .negate(a): walk(a)
            case let .binary(_, a, b): walk(a); walk(b)
            }
        }
        walk(root)
        return out
    }

    /// Characters and levels of an expression (as a claims expression's, `ClaimExpressionParser`):
    /// parsing, evaluating and freeing the tree recurse once per level, so 60,000 nested
    /// parentheses overflowed the stack (exit 139) before the limits.
    public static let maxCharacters = 2_000
    public static let maxDepth = 32

    public init(_ text: String) throws(SweepError) {
        self.text = text
        guard text.count <= Self.maxCharacters else {
            throw SweepError("--cost: the expression has \(text.count) characters; it may have at most \(Self.maxCharacters)")
        }
        var parser = Parser(text: text)
        root = try parser.parse()
    }

    /// Evaluates with `value(key)` for each key; throws if a key has no numeric value.
    public func evaluate(_ value: (String) -> Double?) throws(SweepError) -> Double {
        func eval(_ n: Node) throws(SweepError) -> Double {
            switch n {
            case let .number(x): return x
            case let .key(k):
                guard let v = value(k) else {
                    throw SweepError("--cost `\(text)`: `\(k)` has no numeric value in this configuration: vary it, --set it, or write it in the model file")
                }
                return v
            case let .negate(a): return -(try eval(a))
            case let .binary(op, a, b):
                let x = try eval(a), y = try eval(b)
                switch op {
                case "+": return x + y
                case "-": return x - y
                case "*": return x * y
                default:
                    guard y != 0 else { throw SweepError("--cost `\(text)`: division by zero") }
                    return x / y
                }
            }
        }
        return try eval(root)
    }

    struct Parser {
        let chars: [Character]
        let text: String
        var i = 0

        init(text: String) {
            self.text = text
            chars = Array(text)
        }

        mutating func skipSpaces() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        func fail(_ message: String) -> SweepError {
            SweepError("--cost `\(text)`: \(message) at position \(i + 1); write e.g. 'instances*120 + pools.prisma.size*2'")
        }

        mutating func parse() throws(SweepError) -> Node {
            let n = try sum().node
            skipSpaces()
            guard i == chars.count else { throw fail("unexpected `\(chars[i])`") }
            return n
        }

        /// Open parentheses and signs around the position (the parser's recursion).
        var nesting = 0

        func level(_ depth: Int) throws(SweepError) -> Int {
            guard depth <= CostExpression.maxDepth else {
                throw fail("the expression nests more than \(CostExpression.maxDepth) levels deep (parentheses, signs and each operator of a chain count)")
            }
            return depth
        }

        mutating func sum() throws(SweepError) -> (node: Node, depth: Int) {
            var left = try product()
            while true {
                skipSpaces()
                guard i < chars.count, chars[i] == "+" || chars[i] == "-" else { return left }
                let op = chars[i]; i += 1
                let right = try product()
                left = (.binary(op, left.node, right.node), try level(max(left.depth, right.depth) + 1))
            }
        }

        mutating func product() throws(SweepError) -> (node: Node, depth: Int) {
            var left = try unary()
            while true {
                skipSpaces()
                guard i < chars.count, chars[i] == "*" || chars[i] == "/" else { return left }
                let op = chars[i]; i += 1
                let right = try unary()
                left = (.binary(op, left.node, right.node), try level(max(left.depth, right.depth) + 1))
            }
        }

        mutating func unary() throws(SweepError) -> (node: Node, depth: Int) {
            skipSpaces()
            guard i < chars.count else { throw fail("an operand is missing") }
            if chars[i] == "-" || chars[i] == "+" || chars[i] == "(" {
                nesting += 1
                _ = try level(nesting)
            }
            if chars[i] == "-" {
                i += 1
                let a = try unary()
                nesting -= 1
                return (.negate(a.node), try level(a.depth + 1))
            }
            if chars[i] == "+" { i += 1; let a = try unary(); nesting -= 1; return a }
            if chars[i] == "(" {
                i += 1
                let n = try sum()
                skipSpaces()
                guard i < chars.count, chars[i] == ")" else { throw fail("`)` is missing") }
                i += 1
                nesting -= 1
                return n
            }
            if chars[i].isNumber || chars[i] == "." {
                let start = i
                while i < chars.count && (chars[i].isNumber || chars[i] == "." || chars[i] == "_") { i += 1 }
                if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
                    var j = i + 1
                    if j < chars.count && (chars[j] == "-" || chars[j] == "+") { j += 1 }
                    if j < chars.count && chars[j].isNumber {
                        i = j
                        while i < chars.count && chars[i].isNumber { i += 1 }
                    }
                }
                let s = String(chars[start..<i]).replacingOccurrences(of: "_", with: "")
                guard let v = Double(s) else { throw fail("`\(s)` is not a number") }
                return (.number(v), 1)
            }
            if chars[i].isLetter || chars[i] == "_" {
                let start = i
                while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == ".") { i += 1 }
                return (.key(String(chars[start..<i])), 1)
            }
            throw fail("unexpected `\(chars[i])`")
        }
    }
}
