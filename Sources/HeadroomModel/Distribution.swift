import Foundation

/// A distribution of durations; every parameter that is a time is in seconds.
public enum DistributionSpec: Sendable, Hashable {
    /// `const(5ms)` or a bare `5ms`.
    case constant(Double)
    /// `exp(20ms)`: exponential with this mean.
    case exponential(mean: Double)
    /// `uniform(10ms, 30ms)`.
    case uniform(low: Double, high: Double)
    /// `normal(mean: 50ms, sd: 10ms)`, truncated at zero (negative draws are redrawn).
    case normal(mean: Double, sd: Double)
    /// `lognormal(mean: 100ms, cv: 0.5)`: mean and coefficient of variation of the distribution itself.
    case lognormal(mean: Double, cv: Double)
    /// `gamma(mean: 100ms, cv: 0.5)`: shape = 1/cv², scale = mean·cv².
    case gamma(mean: Double, cv: Double)
    /// `erlang(k: 3, mean: 30ms)`: sum of k exponentials, total mean `mean`.
    case erlang(k: Int, mean: Double)
    /// `weibull(shape: 1.5, scale: 40ms)`.
    case weibull(shape: Double, scale: Double)
    /// `pareto(alpha: 1.5, low: 5ms, high: 5s)`: bounded Pareto on [low, high].
    case pareto(alpha: Double, low: Double, high: Double)
    /// `hyperexp(mean: 50ms, cv: 2)`: two-phase hyperexponential with balanced means, cv ≥ 1.
    case hyperexponential(mean: Double, cv: Double)
    /// `empirical(file: x.csv)` or `empirical(values: [10ms, 20ms])`: draws uniformly among the samples.
    case empirical([Double])
    /// `empirical(file: x.csv, column: ms, weight: calls)`, or a histogram (`format: prometheus`,
    /// `format: hdrhistogram`): weighted samples or buckets, drawn by inverse CDF.
    case tabulated(EmpiricalTable)

    /// The distribution's mean, in seconds.
    public var mean: Double {
        switch self {
        case let .constant(v): return v
        case let .exponential(m): return m
        case let .uniform(a, b): return (a + b) / 2
        case let .normal(m, sd):
            // Mean of the normal truncated at zero.
            guard sd > 0 else { return m }
            let a = -m / sd
            let phi = exp(-a * a / 2) / (2 * Double.pi).squareRoot()
            let z = 0.5 * erfc(a / 2.0.squareRoot())
            return z > 0 ? m + sd * phi / z : m
        case let .lognormal(m, _), let .gamma(m, _), let .erlang(_, m), let .hyperexponential(m, _): return m
        case let .weibull(k, lambda): return lambda * tgamma(1 + 1 / k)
        case let .pareto(alpha, l, h):
            if abs(alpha - 1) < 1e-12 { return (h * l / (h - l)) * log(h / l) }
            let la = pow(l, alpha)
            return la / (1 - pow(l / h, alpha)) * (alpha / (alpha - 1)) * (1 / pow(l, alpha - 1) - 1 / pow(h, alpha - 1))
        case let .empirical(v): return v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
        case let .tabulated(t): return t.mean
        }
    }

    /// Model syntax for this distribution, e.g. `exp(20ms)`.
    public var description: String {
        let d = Units.formatDuration
        func n(_ x: Double) -> String { Units.formatNumber(x) }
        switch self {
        case let .constant(v): return "const(\(d(v)))"
        case let .exponential(m): return "exp(\(d(m)))"
        case let .uniform(a, b): return "uniform(\(d(a)), \(d(b)))"
        case let .normal(m, sd): return "normal(mean: \(d(m)), sd: \(d(sd)))"
        case let .lognormal(m, cv): return "lognormal(mean: \(d(m)), cv: \(n(cv)))"
        case let .gamma(m, cv): return "gamma(mean: \(d(m)), cv: \(n(cv)))"
        case let .erlang(k, m): return "erlang(k: \(k), mean: \(d(m)))"
        case let .weibull(k, l): return "weibull(shape: \(n(k)), scale: \(d(l)))"
        case let .pareto(a, l, h): return "pareto(alpha: \(n(a)), low: \(d(l)), high: \(d(h)))"
        case let .hyperexponential(m, cv): return "hyperexp(mean: \(d(m)), cv: \(n(cv)))"
        case let .empirical(v): return "empirical(\(v.count) values, mean \(d(mean)))"
        case let .tabulated(t):
            return t.isHistogram ? "empirical(histogram, \(t.values.count) edges, mean \(d(mean)))"
                : "empirical(\(t.values.count) weighted values, mean \(d(mean)))"
        }
    }
}

/// A distribution of non-negative whole numbers (the count of a `repeat`).
public enum CountSpec: Sendable, Hashable {
    /// `5` or `const(5)`.
    case constant(Int)
    /// `uniform(1, 10)`: each integer in [low, high] equally likely.
    case uniform(low: Int, high: Int)
    /// `poisson(5)`: Poisson with this mean.
    case poisson(mean: Double)
    /// `geometric(mean: 5)`: on {0, 1, 2, ...} with this mean (p = 1 / (1 + mean)).
    case geometric(mean: Double)

    public var mean: Double {
        switch self {
        case let .constant(n): return Double(n)
        case let .uniform(a, b): return Double(a + b) / 2
        case let .poisson(m), let .geometric(m): return m
        }
    }

    public var description: String {
        switch self {
        case let .constant(n): return "\(n)"
        case let .uniform(a, b): return "uniform(\(a), \(b))"
        case let .poisson(m): return "poisson(\(Units.formatNumber(m)))"
        case let .geometric(m): return "geometric(mean: \(Units.formatNumber(m)))"
        }
    }
}

extension DistributionSpec: CustomStringConvertible {}
extension CountSpec: CustomStringConvertible {}

// MARK: - Parsing

/// A parsed `name(arg, key: value, list: [a, b])` expression.
struct CallExpr {
    enum Arg {
        case atom(String)
        case list([String])
    }
    var name: String
    var positional: [Arg]
    var named: [(String, Arg)]
}

enum ExprParser {
    /// Parses `name(args)`; returns nil if `text` is not of that shape. Throws a message on a malformed one.
    static func parse(_ text: String) throws(ParseFailure) -> CallExpr? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let open = t.firstIndex(of: "("), t.hasSuffix(")") else {
            if t.contains("(") { throw ParseFailure("missing `)` at the end of `\(t)`") }
            return nil
        }
        let name = String(t[..<open]).trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        let inner = String(t[t.index(after: open)..<t.index(before: t.endIndex)])
        var expr = CallExpr(name: name, positional: [], named: [])
        for part in splitTopLevel(inner) {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { throw ParseFailure("empty argument in `\(t)`") }
            var key: String? = nil
            var value = p
            if let sep = p.firstIndex(where: { $0 == ":" || $0 == "=" }), !p[..<sep].contains("[") {
                key = String(p[..<sep]).trimmingCharacters(in: .whitespaces).lowercased()
                value = String(p[p.index(after: sep)...]).trimmingCharacters(in: .whitespaces)
                if value.isEmpty { throw ParseFailure("argument `\(key!)` has no value in `\(t)`") }
            }
            let arg: CallExpr.Arg
            if value.hasPrefix("[") {
                guard value.hasSuffix("]") else { throw ParseFailure("missing `]` in `\(t)`") }
                let items = splitTopLevel(String(value.dropFirst().dropLast()))
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                arg = .list(items)
            } else {
                arg = .atom(value)
            }
            if let key {
                expr.named.append((key, arg))
            } else {
                if !expr.named.isEmpty { throw ParseFailure("positional argument after named ones in `\(t)`") }
                expr.positional.append(arg)
            }
        }
        return expr
    }

    private static func splitTopLevel(_ s: String) -> [String] {
        var parts: [String] = []
        var depth = 0
        var cur = ""
        for c in s {
            if c == "[" || c == "(" { depth += 1 }
            if c == "]" || c == ")" { depth -= 1 }
            if c == "," && depth == 0 { parts.append(cur); cur = "" } else { cur.append(c) }
        }
        if !cur.trimmingCharacters(in: .whitespaces).isEmpty || !parts.isEmpty { parts.append(cur) }
        return parts
    }
}

/// A malformed unit or distribution text; `message` says what is wrong and how to write it.
public struct ParseFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Binds a call's positional and named arguments to a parameter list.
struct ArgBinder {
    let expr: CallExpr
    let params: [String]
    let aliases: [String: String]
    var values: [String: CallExpr.Arg] = [:]

    init(_ expr: CallExpr, params: [String], aliases: [String: String] = [:], usage: String) throws(ParseFailure) {
        self.expr = expr; self.params = params; self.aliases = aliases
        if expr.positional.count > params.count {
            throw ParseFailure("`\(expr.name)` takes at most \(params.count) argument(s); write it as \(usage)")
        }
        for (i, a) in expr.positional.enumerated() { values[params[i]] = a }
        for (k, a) in expr.named {
            let key = aliases[k] ?? k
            guard params.contains(key) else {
                throw ParseFailure("`\(expr.name)` has no argument `\(k)`; \(Suggest.hint(k, params, noun: "arguments")) (write it as \(usage))")
            }
            if values[key] != nil { throw ParseFailure("argument `\(key)` given twice in `\(expr.name)(...)`") }
            values[key] = a
        }
    }

    func atom(_ p: String, usage: String) throws(ParseFailure) -> String {
        guard let v = values[p] else { throw ParseFailure("`\(expr.name)` needs `\(p)`; write it as \(usage)") }
        guard case let .atom(s) = v else { throw ParseFailure("`\(p)` of `\(expr.name)` must be a single value, not a list") }
        return s
    }
    func has(_ p: String) -> Bool { values[p] != nil }
}

enum DistributionParser {
    static let names = ["const", "exp", "uniform", "normal", "lognormal", "gamma", "erlang", "weibull",
                        "pareto", "hyperexp", "empirical"]

    /// Parses a duration distribution. `baseDirectory` resolves `empirical(file: ...)` paths.
    /// Every time in it, and its mean, are at most `Limits.durationSeconds` (30 days): a longer one is a
    /// mistake, and 1e308 s would overflow the clock and every figure computed from it.
    static func parse(_ text: String, baseDirectory: String?) throws(ParseFailure) -> DistributionSpec {
        let spec = try parseUnbounded(text, baseDirectory: baseDirectory)
        let mean = spec.mean
        guard mean.isFinite, mean <= Limits.durationSeconds else {
            throw ParseFailure("the mean of `\(text.trimmingCharacters(in: .whitespaces))` is \(mean.isFinite ? Units.formatDuration(mean) : "infinite"): more than \(Units.formatDuration(Limits.durationSeconds)) is not supported")
        }
        return spec
    }

    private static func bounded(_ seconds: Double, _ text: String) throws(ParseFailure) -> Double {
        guard seconds <= Limits.durationSeconds else {
            throw ParseFailure("`\(text)` is absurd: a duration of more than \(Units.formatDuration(Limits.durationSeconds)) is not supported")
        }
        return seconds
    }

    private static func parseUnbounded(_ text: String, baseDirectory: String?) throws(ParseFailure) -> DistributionSpec {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let e = try ExprParser.parse(t) else {
            // A bare duration is `const(...)`, which refuses a negative value: so must this (a
            // negative sleep would schedule an event in the past and run the clock backwards),
            // unit or not (`-5` is refused as negative, not sent to write `-5ms`).
            let negative = ParseFailure("a duration must not be negative (got `\(t)`)")
            if let n = Double(t) {
                guard n >= 0 else { throw negative }
                if n != 0 {
                    throw ParseFailure("duration needs a unit, e.g. \(Units.formatNumber(n))ms, or a distribution such as exp(\(Units.formatNumber(n))ms) (got `\(t)`)")
                }
            }
            let seconds: Double
            do { seconds = try Units.duration(t) } catch {
                throw ParseFailure("`\(t)` is not a duration or distribution; write e.g. 20ms, exp(20ms), uniform(10ms, 30ms), lognormal(mean: 100ms, cv: 0.5)")
            }
            guard seconds >= 0 else { throw negative }
            return .constant(try bounded(seconds, t))
        }
        func dur(_ b: ArgBinder, _ p: String, _ usage: String) throws(ParseFailure) -> Double {
            let s = try b.atom(p, usage: usage)
            let seconds: Double
            do { seconds = try Units.duration(s) } catch {
                throw ParseFailure("`\(p)` of `\(e.name)`: \(error.message)")
            }
            do { return try bounded(seconds, s) } catch { throw ParseFailure("`\(p)` of `\(e.name)`: \(error.message)") }
        }
        func num(_ b: ArgBinder, _ p: String, _ usage: String) throws(ParseFailure) -> Double {
            let s = try b.atom(p, usage: usage)
            guard let v = Units.number(s) else { throw ParseFailure("`\(p)` of `\(e.name)` must be a number, not `\(s)`") }
            return v
        }
        func positive(_ v: Double, _ what: String) throws(ParseFailure) {
            guard v > 0, v.isFinite else { throw ParseFailure("\(what) must be positive in `\(t)`") }
        }
        func nonNegative(_ v: Double, _ what: String) throws(ParseFailure) {
            guard v >= 0, v.isFinite else { throw ParseFailure("\(what) must not be negative in `\(t)`") }
        }
        switch e.name {
        case "const", "constant", "fixed":
            let u = "const(5ms)"
            let b = try ArgBinder(e, params: ["value"], usage: u)
            let v = try dur(b, "value", u)
            try nonNegative(v, "the value")
            return .constant(v)
        case "exp", "exponential":
            let u = "exp(20ms)"
            let b = try ArgBinder(e, params: ["mean"], usage: u)
            let m = try dur(b, "mean", u)
            try positive(m, "the mean")
            return .exponential(mean: m)
        case "uniform":
            let u = "uniform(10ms, 30ms)"
            let b = try ArgBinder(e, params: ["low", "high"], aliases: ["min": "low", "max": "high"], usage: u)
            let lo = try dur(b, "low", u), hi = try dur(b, "high", u)
            try nonNegative(lo, "the low end")
            guard hi >= lo else { throw ParseFailure("the high end must not be below the low end in `\(t)`") }
            return .uniform(low: lo, high: hi)
        case "normal", "gaussian":
            let u = "normal(mean: 50ms, sd: 10ms)"
            let b = try ArgBinder(e, params: ["mean", "sd"], aliases: ["stddev": "sd", "sigma": "sd", "mu": "mean"], usage: u)
            let m = try dur(b, "mean", u), sd = try dur(b, "sd", u)
            try positive(m, "the mean"); try nonNegative(sd, "sd")
            return .normal(mean: m, sd: sd)
        case "lognormal", "gamma", "hyperexp", "hyperexponential":
            let canonical = e.name == "hyperexponential" ? "hyperexp" : e.name
            let u = "\(canonical)(mean: 100ms, cv: \(canonical == "hyperexp" ? "2" : "0.5"))"
            let b = try ArgBinder(e, params: ["mean", "cv", "sd"], usage: u)
            let m = try dur(b, "mean", u)
            try positive(m, "the mean")
            let cv: Double
            if b.has("cv") { cv = try num(b, "cv", u) }
            else if b.has("sd") { cv = try dur(b, "sd", u) / m }
            else { throw ParseFailure("`\(canonical)` needs `cv` (or `sd`); write it as \(u)") }
            try positive(cv, "cv")
            switch canonical {
            case "lognormal": return .lognormal(mean: m, cv: cv)
            case "gamma": return .gamma(mean: m, cv: cv)
            default:
                guard cv >= 1 else { throw ParseFailure("a hyperexponential needs cv ≥ 1 (got \(Units.formatNumber(cv))); for cv < 1 use gamma or erlang") }
                return .hyperexponential(mean: m, cv: cv)
            }
        case "erlang":
            let u = "erlang(k: 3, mean: 30ms)"
            let b = try ArgBinder(e, params: ["k", "mean"], usage: u)
            let kText = try b.atom("k", usage: u)
            guard let k = Int(kText), k >= 1 else { throw ParseFailure("`k` of erlang must be a whole number ≥ 1, not `\(kText)`") }
            guard k <= Limits.erlangPhases else { throw ParseFailure("`k` of erlang is \(k): more than \(Limits.erlangPhases) phases is not supported") }
            let m = try dur(b, "mean", u)
            try positive(m, "the mean")
            return .erlang(k: k, mean: m)
        case "weibull":
            let u = "weibull(shape: 1.5, scale: 40ms)"
            let b = try ArgBinder(e, params: ["shape", "scale"], usage: u)
            let k = try num(b, "shape", u), l = try dur(b, "scale", u)
            try positive(k, "shape"); try positive(l, "scale")
            return .weibull(shape: k, scale: l)
        case "pareto":
            let u = "pareto(alpha: 1.5, low: 5ms, high: 5s)"
            let b = try ArgBinder(e, params: ["alpha", "low", "high"], aliases: ["min": "low", "max": "high", "shape": "alpha"], usage: u)
            let a = try num(b, "alpha", u), lo = try dur(b, "low", u), hi = try dur(b, "high", u)
            try positive(a, "alpha"); try positive(lo, "low")
            guard hi > lo else { throw ParseFailure("`high` must be above `low` in `\(t)` (the Pareto is bounded)") }
            return .pareto(alpha: a, low: lo, high: hi)
        case "empirical":
            let u = "empirical(file: samples.csv, column: latency_ms, unit: ms) or empirical(values: [10ms, 20ms])"
            let b = try ArgBinder(e, params: ["file", "values", "unit", "column", "weight", "weights", "format", "metric"], usage: u)
            var unit: Double? = nil
            if b.has("unit") {
                let s = try b.atom("unit", usage: u)
                guard let f = Units.durationUnits[s] else {
                    throw ParseFailure("unknown unit `\(s)`; use one of us, ms, s, min, h")
                }
                unit = f
            }
            if b.has("file") == b.has("values") { throw ParseFailure("`empirical` needs exactly one of `file` and `values`; write it as \(u)") }
            if b.has("values") {
                for fileOnly in ["column", "weight", "format", "metric"] where b.has(fileOnly) {
                    throw ParseFailure("`\(fileOnly)` of empirical applies to `file:`, not to inline `values`")
                }
                guard case let .list(items)? = b.values["values"] else {
                    throw ParseFailure("`values` of empirical must be a list, e.g. [10ms, 20ms]")
                }
                guard !items.isEmpty else { throw ParseFailure("`values` of empirical is empty") }
                var out: [Double] = []
                for item in items { out.append(try sample(item, unit: unit, where: "in `values`")) }
                guard b.has("weights") else { return .empirical(out) }
                guard case let .list(ws)? = b.values["weights"] else {
                    throw ParseFailure("`weights` of empirical must be a list of numbers, e.g. [3, 1]")
                }
                guard ws.count == out.count else {
                    throw ParseFailure("empirical has \(out.count) values but \(ws.count) weights: give one weight per value")
                }
                var weights: [Double] = []
                for w in ws {
                    guard let v = Units.number(w), v >= 0 else { throw ParseFailure("weight `\(w)` of empirical must be a number ≥ 0") }
                    weights.append(v)
                }
                guard weights.reduce(0, +) > 0 else { throw ParseFailure("the weights of empirical are all zero") }
                return .tabulated(EmpiricalTable(weightedValues: out, weights: weights))
            }
            if b.has("weights") { throw ParseFailure("`weights` of empirical goes with inline `values`; for a file, name its weight column with `weight:`") }
            var options = MeasurementFileOptions()
            options.unitSeconds = unit
            func text(_ p: String) throws(ParseFailure) -> String? {
                guard b.has(p) else { return nil }
                return unquote(try b.atom(p, usage: u))
            }
            options.column = try text("column")
            options.weight = try text("weight")
            options.metric = try text("metric")
            if let f = try text("format") {
                guard let format = MeasurementFormat(rawValue: f.lowercased()) ?? (f.lowercased() == "hdr" ? .hdrhistogram : nil) else {
                    throw ParseFailure("unknown empirical format `\(f)`; \(Suggest.hint(f, MeasurementFormat.allCases.map(\.rawValue), noun: "formats"))")
                }
                options.format = format
            }
            if options.format != .samples, options.column != nil || options.weight != nil {
                throw ParseFailure("`column` and `weight` apply to `format: samples`; `format: \(options.format.rawValue)` knows where its values are")
            }
            if options.format != .prometheus, options.metric != nil {
                throw ParseFailure("`metric` applies to `format: prometheus` only")
            }
            if options.format == .pgbench, unit != nil {
                throw ParseFailure("a pgbench log is in microseconds: drop `unit` with `format: pgbench`")
            }
            let file = unquote(try b.atom("file", usage: u))
            return try MeasurementFiles.distribution(path: resolve(file, baseDirectory: baseDirectory), options: options)
        case "poisson", "geometric", "zipf":
            throw ParseFailure("`\(e.name)(...)` is not a duration distribution here; use one of \(names.joined(separator: ", "))")
        default:
            throw ParseFailure("unknown distribution `\(e.name)`; \(Suggest.hint(e.name, names, noun: "distributions"))")
        }
    }

    private static func sample(_ s: String, unit: Double?, where w: String) throws(ParseFailure) -> Double {
        let v: Double
        if let n = Units.number(s) {
            guard let unit else { throw ParseFailure("`\(s)` \(w) needs a unit (e.g. \(s)ms), or give `unit: ms` to empirical") }
            v = n * unit
        } else {
            do { v = try Units.duration(s) } catch { throw ParseFailure("`\(s)` \(w): \(error.message)") }
        }
        guard v >= 0 else { throw ParseFailure("`\(s)` \(w) is negative") }
        do { return try bounded(v, s) } catch { throw ParseFailure("\(error.message) (\(w))") }
    }

    private static func unquote(_ s: String) -> String {
        if s.count >= 2, (s.hasPrefix("\"") && s.hasSuffix("\"")) || (s.hasPrefix("'") && s.hasSuffix("'")) {
            return String(s.dropFirst().dropLast())
        }
        return s
    }

    /// A file path relative to the model's directory.
    static func resolve(_ file: String, baseDirectory: String?) -> String {
        if file.hasPrefix("/") { return file }
        return URL(fileURLWithPath: baseDirectory ?? FileManager.default.currentDirectoryPath).appendingPathComponent(file).path
    }
}

enum CountParser {
    static func parse(_ text: String) throws(ParseFailure) -> CountSpec {
        let t = text.trimmingCharacters(in: .whitespaces)
        func int(_ s: String, _ what: String) throws(ParseFailure) -> Int {
            guard let v = Int(s.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw ParseFailure("\(what) must be a whole number ≥ 0, not `\(s)`")
            }
            guard v <= Limits.repeatCount else {
                throw ParseFailure("\(what) of \(v) is absurd: more than \(Limits.repeatCount) is not supported")
            }
            return v
        }
        guard let e = try ExprParser.parse(t) else {
            if Units.number(t) != nil, Int(t) == nil { throw ParseFailure("a count must be a whole number, not `\(t)`") }
            return .constant(try int(t, "a count"))
        }
        switch e.name {
        case "const", "constant":
            let u = "const(5)"
            return .constant(try int(try ArgBinder(e, params: ["value"], usage: u).atom("value", usage: u), "the count"))
        case "uniform":
            let u = "uniform(1, 10)"
            let b = try ArgBinder(e, params: ["low", "high"], aliases: ["min": "low", "max": "high"], usage: u)
            let lo = try int(try b.atom("low", usage: u), "low"), hi = try int(try b.atom("high", usage: u), "high")
            guard hi >= lo else { throw ParseFailure("the high end must not be below the low end in `\(t)`") }
            return .uniform(low: lo, high: hi)
        case "poisson", "geometric":
            let u = "\(e.name)(mean: 5)"
            let s = try ArgBinder(e, params: ["mean"], aliases: ["lambda": "mean"], usage: u).atom("mean", usage: u)
            guard let m = Units.number(s), m >= 0, m.isFinite else { throw ParseFailure("the mean of \(e.name) must be a number ≥ 0, not `\(s)`") }
            guard m <= Double(Limits.repeatCount) else {
                throw ParseFailure("the mean of \(e.name) of \(s) is absurd: more than \(Limits.repeatCount) is not supported")
            }
            return e.name == "poisson" ? .poisson(mean: m) : .geometric(mean: m)
        default:
            throw ParseFailure("unknown count distribution `\(e.name)`; \(Suggest.hint(e.name, ["const", "uniform", "poisson", "geometric"], noun: "count distributions"))")
        }
    }
}

enum KeyPopularityParser {
    static func parse(_ text: String) throws(ParseFailure) -> KeyPopularity {
        let u = "zipf(s: 1.0, n: 1000)"
        guard let e = try ExprParser.parse(text), e.name == "zipf" else {
            throw ParseFailure("key popularity must be written as \(u)")
        }
        let b = try ArgBinder(e, params: ["s", "n"], aliases: ["keys": "n", "alpha": "s"], usage: u)
        let sText = try b.atom("s", usage: u), nText = try b.atom("n", usage: u)
        guard let s = Units.number(sText), s >= 0 else { throw ParseFailure("`s` of zipf must be a number ≥ 0, not `\(sText)`") }
        guard let n = Units.integer(nText), n >= 1 else { throw ParseFailure("`n` of zipf must be a whole number ≥ 1, not `\(nText)`") }
        guard n <= 100_000_000 else { throw ParseFailure("`n` of zipf is \(n): more than 100,000,000 keys is not supported") }
        return KeyPopularity(s: s, n: n)
    }
}
