import Foundation
import HeadroomModel
import HeadroomAnalysis
import HeadroomOutput

/// A problem with a sweep or plan request (not with the model file: those are `ModelErrors`).
public struct SweepError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The command line is wrong (a value list, a range, an SLO, a cost expression...).
        case usage
        /// An output directory or file cannot be used (exists, belongs to another sweep, unwritable).
        case output
        /// Sweep directories given as input do not fit together or are damaged (`merge`: shards of
        /// different sweeps, a shard missing, twice or incomplete; a manifest that does not parse).
        case data
    }
    public var kind: Kind
    public var message: String
    public init(_ message: String, kind: Kind = .usage) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

/// One dimension of a sweep or plan grid: a model key and the values it takes, in order.
public struct SweepAxis: Sendable, Hashable {
    /// The key as given (`pools.prisma.size`, `instances`, `pool.size`): the column name.
    public var key: String
    /// The values as YAML text (`10`, `250ms`, `round_robin`), in grid order.
    public var values: [String]

    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }

    /// Parses `KEY=V1,V2,...`, `KEY=A...B`, `KEY=A...B:STEP`, or a mix (`instances=1...4,8,16`).
    ///
    /// - Lists split on commas outside parentheses and brackets, so `exp(20ms)` and
    ///   `uniform(10ms, 30ms)` are single values.
    /// - A range `A...B:STEP` runs from A to B inclusive by STEP (default 1). A, B and STEP are
    ///   numbers with an optional unit that all three share (`100ms...1000ms:100ms`, `10/s...50/s:10/s`);
    ///   values are integers when A and STEP are.
    public static func parse(_ text: String) throws(SweepError) -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw SweepError("`\(text)` is not KEY=VALUES: write e.g. `pools.prisma.size=5,10,20` or `instances=1...8`")
        }
        let key = text[..<eq].trimmingCharacters(in: .whitespaces)
        let spec = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw SweepError("`\(text)`: the key before `=` is empty") }
        guard !spec.isEmpty else { throw SweepError("`\(text)`: no values after `=`") }
        var values: [String] = []
        for item in splitTopLevel(spec) {
            let t = item.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { throw SweepError("`\(text)`: an empty value in the list") }
            if t.contains("...") {
                values += try range(t, key: key)
            } else {
                values.append(t)
            }
            if values.count > SweepGrid.maximumCells {
                throw SweepError("`\(key)` takes more than \(SweepGrid.maximumCells) values")
            }
        }
        var seen = Set<String>()
        for v in values where !seen.insert(v).inserted {
            throw SweepError("`\(key)` lists the value `\(v)` twice")
        }
        return SweepAxis(key: key, values: values)
    }

    /// Whether `KEY=VALUES` names more than one value (a list or a range): an axis, where a
    /// single value is a fixed override.
    public static func isList(_ text: String) -> Bool {
        guard let axis = try? parse(text) else { return false }
        return axis.values.count > 1
    }

    /// Splits on commas that are not inside (), [] or {}.
    static func splitTopLevel(_ s: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for c in s {
            switch c {
            case "(", "[", "{": depth += 1; current.append(c)
            case ")", "]", "}": depth = max(0, depth - 1); current.append(c)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(c)
            }
        }
        parts.append(current)
        return parts
    }

    /// `12`, `1.5`, `1e3` followed by an optional unit (`ms`, `/s`, `%`).
    package static func numberWithUnit(_ s: String) -> (value: Double, text: String, unit: String)? {
        let t = s.trimmingCharacters(in: .whitespaces)
        var end = t.startIndex
        var i = t.startIndex
        while i < t.endIndex {
            let c = t[i]
            let next = t.index(after: i)
            if c.isASCII && (c.isNumber || c == "." || c == "_" || ((c == "-" || c == "+") && i == t.startIndex)) {
                end = next
            } else if (c == "e" || c == "E") && i != t.startIndex && next < t.endIndex &&
                        (t[next].isNumber || t[next] == "-" || t[next] == "+") {
                end = next
            } else { break }
            i = next
        }
        let numberText = String(t[..<end]).replacingOccurrences(of: "_", with: "")
        guard !numberText.isEmpty, let v = Double(numberText), v.isFinite else { return nil }
        return (v, numberText, t[end...].trimmingCharacters(in: .whitespaces))
    }

    static func range(_ item: String, key: String) throws(SweepError) -> [String] {
        let parts = item.components(separatedBy: "...")
        guard parts.count == 2 else { throw SweepError("`\(key)=\(item)`: a range is A...B or A...B:STEP") }
        let lowText = parts[0]
        var highText = parts[1], stepText: String? = nil
        if let colon = highText.lastIndex(of: ":") {
            stepText = String(highText[highText.index(after: colon)...])
            highText = String(highText[..<colon])
        }
        guard let low = numberWithUnit(lowText), let high = numberWithUnit(highText) else {
            throw SweepError("`\(key)=\(item)`: a range needs numbers at both ends (`1...8`, `100ms...500ms:100ms`)")
        }
        var step: (value: Double, text: String, unit: String) = (1, "1", low.unit)
        if let stepText {
            guard let s = numberWithUnit(stepText) else { throw SweepError("`\(key)=\(item)`: the step `\(stepText)` is not a number") }
            step = s
        }
        let units = Set([low.unit, high.unit, step.unit].filter { !$0.isEmpty })
        guard units.count <= 1, low.unit == high.unit else {
            throw SweepError("`\(key)=\(item)`: the ends and the step of a range must have the same unit (write `100ms...1000ms:100ms`, not `100ms...1s`)")
        }
        let unit = low.unit
        guard step.value > 0 else { throw SweepError("`\(key)=\(item)`: the step must be positive") }
        guard low.value <= high.value else { throw SweepError("`\(key)=\(item)`: the range is empty (\(low.text) > \(high.text))") }
        // Compared as a Double first: `1...1e300:1` has more values than an Int holds.
        let values = ((high.value - low.value) / step.value * (1 + 1e-12)).rounded(.down) + 1
        guard values.isFinite, values <= Double(SweepGrid.maximumCells) else {
            throw SweepError("`\(key)=\(item)` has \(values.isFinite ? Units.formatNumber(values) : "infinitely many") values; at most \(SweepGrid.maximumCells)")
        }
        let count = Int(values)
        let integral = low.value == low.value.rounded() && step.value == step.value.rounded() &&
            !low.text.contains(".") && !step.text.contains(".") && !low.text.lowercased().contains("e") &&
            abs(high.value) < 1e15
        return (0..<count).map { i in
            let v = low.value + Double(i) * step.value
            let text: String
            if integral {
                text = String(Int(v.rounded()))
            } else {
                // Twelve significant digits hide binary noise (0.1 * 3); shortest form after that.
                let rounded = Double(String(format: "%.12g", v)) ?? v
                text = rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : "\(rounded)"
            }
            return text + unit
        }
    }

    /// The value as a number, if it is one: plain numbers, durations (seconds), rates (per second)
    /// and percentages (fractions).
    public static func numericValue(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = numberWithUnit(t), n.unit.isEmpty { return n.value }
        if let d = try? Units.duration(t) { return d }
        if let r = try? Units.rate(t) { return r }
        if t.hasSuffix("%"), let n = numberWithUnit(String(t.dropLast())), n.unit.isEmpty { return n.value / 100 }
        return nil
    }
}

/// The cartesian product of sweep axes. Cell `i` takes the values of the mixed-radix digits of
/// `i`, the last axis varying fastest (row-major, like nested loops in the order given).
public struct SweepGrid: Sendable, Hashable {
    /// Sweeps and plans refuse grids larger than this.
    public static let maximumCells = 1_000_000

    public var axes: [SweepAxis]

    public init(axes: [SweepAxis]) throws(SweepError) {
        var seen = Set<String>()
        for a in axes where !seen.insert(a.key).inserted {
            throw SweepError("`\(a.key)` is given twice; list all its values in one option (`\(a.key)=1,2,4`)")
        }
        var total = 1
        for a in axes {
            let (product, overflow) = total.multipliedReportingOverflow(by: a.values.count)
            guard !overflow, product <= SweepGrid.maximumCells else {
                throw SweepError("the grid has more than \(SweepGrid.maximumCells) cells; split it into several sweeps")
            }
            total = product
        }
        self.axes = axes
    }

    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// Value index per axis of cell `index`.
    public func digits(_ index: Int) -> [Int] {
        var rest = index
        var out = [Int](repeating: 0, count: axes.count)
        for a in axes.indices.reversed() {
            let n = axes[a].values.count
            out[a] = rest % n
            rest /= n
        }
        return out
    }

    /// The values of cell `index`, one per axis.
    public func values(_ index: Int) -> [String] {
        zip(axes, digits(index)).map { $0.values[$1] }
    }

    /// `key -> value` overrides of cell `index`.
    public func overrides(_ index: Int) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(axes.map(\.key), values(index)))
    }

    /// `instances=4 pools.prisma.size=20`.
    public func label(_ index: Int) -> String {
        zip(axes.map(\.key), values(index)).map { "\($0)=\($1)" }.joined(separator: " ")
    }

    /// Checks that no two keys address the same model value (`instances` and `instances.count`),
    /// and that no key also appears among `fixed` overrides. Returns the full paths.
    public func resolvedPaths(modelPath: String, fixed: [String: String] = [:]) throws -> [String] {
        let yaml = try ModelLoader.readModelText(path: modelPath)
        var byPath: [String: String] = [:]
        for key in fixed.keys.sorted() {
            byPath[try ModelLoader.resolveOverrideKey(key, yaml: yaml, fileName: modelPath)] = key
        }
        var paths: [String] = []
        for a in axes {
            let path = try ModelLoader.resolveOverrideKey(a.key, yaml: yaml, fileName: modelPath)
            if let other = byPath[path] {
                throw SweepError(other == a.key ? "`\(a.key)` is both varied and set" :
                                    "`\(a.key)` and `\(other)` are the same model value (`\(path)`); give it once")
            }
            byPath[path] = a.key
            paths.append(path)
        }
        return paths
    }
}

/// `--shard K/N`: shard K (1-based) of N runs the cells whose index is K-1 modulo N (round robin,
/// so slow and fast regions of the grid spread evenly over the shards).
public struct SweepShard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(SweepError) {
        guard count >= 1, (1...count).contains(index) else {
            throw SweepError("--shard \(index)/\(count): K must be between 1 and N (shards are numbered from 1)")
        }
        self.index = index
        self.count = count
    }

    /// `3/8`.
    public static func parse(_ text: String) throws(SweepError) -> SweepShard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw SweepError("--shard takes K/N, e.g. `--shard 2/8` (shard 2 of 8, numbered from 1), not `\(text)`")
        }
        return try SweepShard(index: k, count: n)
    }

    public func contains(_ cell: Int) -> Bool { cell % count == index - 1 }

    public var description: String { "\(index)/\(count)" }
}
