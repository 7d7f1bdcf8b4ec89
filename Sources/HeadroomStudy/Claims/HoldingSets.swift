import Foundation
import HeadroomKernel
import HeadroomModel

// Where a claim holds over the range of an unknown, found by search instead of read off a coarse
// grid (docs/claims.md, "Holding sets"). Along each unknown, with the other unknowns at each of
// their grid values:
//   1. the grid's points are checked for monotonicity of Headroom's figure; where the figure
//      turns, a denser scan (a midpoint in every gap) looks for a holding stretch the grid skipped;
//   2. every pair of neighbouring values whose verdicts differ (holds / optimistic / pessimistic /
//      not judged) is bisected until the two are closer than the unknown's resolution. Every
//      value is simulated with the same seed (common random numbers), so neighbouring values
//      differ by the unknown's effect, not by noise;
//   3. the values found holding form the holding set: closed intervals from the first to the last
//      value found holding in each stretch. The true edge lies between an interval's end and the
//      next value tried, less than the resolution away.
// A claim optimistic on one side and pessimistic on the other crosses the band somewhere between
// (the figure moves continuously with the unknown); "never holds" is said only when the search,
// at its resolution, found no value whose interval meets the band, and the text says where the
// figure jumps across it.

/// Where a claim holds along one unknown, the other unknowns fixed.
public struct HoldingSet: Sendable {
    public var unknown: String
    public var unit: ClaimUnit
    /// The other unknowns' values on this line, in the file's order (empty with one unknown).
    public var at: [(String, Double)]
    /// The values where the claim holds: from the first to the last value found holding in each stretch.
    public var intervals: [Interval]
    /// Each edge is known to within this: an absolute step, or a factor for a log-spaced unknown.
    public var resolution: Double
    public var resolutionIsFactor: Bool
    /// Neighbouring values, closer than the resolution, where the verdict flips between optimistic
    /// and pessimistic with no value holding in between: the figure jumps across the band there.
    public var crossings: [Interval]
    /// Whether Headroom's figure moved one way along the first grid (if not, the scan was made denser).
    public var monotone: Bool
    /// The low and high ends of the unknown's range.
    public var range: Interval
    public var valuesTried: Int

    /// The whole range holds.
    public var isWhole: Bool { intervals.count == 1 && intervals[0].low <= range.low && intervals[0].high >= range.high }

    var resolutionText: String {
        resolutionIsFactor ? String(format: "%.1f%%", (resolution - 1) * 100) : Format.value(resolution, unit)
    }

    func intervalText(_ i: Interval) -> String {
        "[\(Format.value(i.low, unit)), \(Format.value(i.high, unit))]"
    }

    /// `think_time in [0.22 s, 0.61 s] ∪ [2.00 s, 2.50 s] at database.cores 4`.
    func text(varied: [UnknownParameter]) -> String {
        let sets = intervals.map(intervalText).joined(separator: " ∪ ")
        return "\(unknown) in \(sets)" + (at.isEmpty ? "" : " at \(Verification.pointText(at, varied))")
    }

    /// The holding sets in words, with their resolution; nil when none holds anywhere.
    static func text(_ sets: [HoldingSet], varied: [UnknownParameter]) -> String? {
        let holding = sets.filter { !$0.intervals.isEmpty }
        guard !holding.isEmpty else { return nil }
        var parts: [String] = []
        for u in varied {
            let lines = holding.filter { $0.unknown == u.name }
            guard let first = lines.first else { continue }
            parts.append(lines.map { $0.text(varied: varied) }.joined(separator: "; ")
                         + " (edges within \(first.resolutionText)\(lines.allSatisfy(\.monotone) ? "" : "; not monotone: scanned densely"))")
        }
        return parts.joined(separator: "; ")
    }

    /// Where a never-holding claim's figure jumps across the band; nil when the search found no such place.
    static func crossingText(_ sets: [HoldingSet], varied: [UnknownParameter]) -> String? {
        let lines = sets.filter { !$0.crossings.isEmpty }
        guard !lines.isEmpty else { return nil }
        return lines.map { l in
            l.crossings.map { "\(l.unknown) between \(Format.value($0.low, l.unit)) and \(Format.value($0.high, l.unit))" }.joined(separator: ", ")
                + (l.at.isEmpty ? "" : " at \(Verification.pointText(l.at, varied))")
        }.joined(separator: "; ")
    }
}

extension Verification {
    /// Most values a search adds along one line (bisection steps and the denser scan together).
    static let maxRefinementsPerLine = 40
    /// Steps of the default resolution across a range: 1/64 of it (a factor of (high/low)^(1/64) on a log scale).
    static let resolutionSteps = 64.0

    /// Whether the unknown takes whole values only (a count with whole ends: cores, instances).
    static func isWhole(_ u: UnknownParameter) -> Bool {
        u.unit == .count && u.low == u.low.rounded() && u.high == u.high.rounded()
    }

    /// The finest step the search takes: 1 for whole values, else 1/64 of the range (a factor on a log scale).
    static func resolution(_ u: UnknownParameter) -> (step: Double, factor: Bool) {
        if let r = u.resolution { return (isWhole(u) ? max(1, r.rounded()) : r, false) }
        if isWhole(u) { return (1, false) }
        if u.logSpacing { return (pow(u.high / u.low, 1 / resolutionSteps), true) }
        return ((u.high - u.low) / resolutionSteps, false)
    }

    /// The value between `a` and `b` the bisection tries next; nil when they are within the resolution.
    /// Rounded to 4 significant digits, so the value a model is given is the value reported.
    static func midpoint(_ u: UnknownParameter, _ a: Double, _ b: Double) -> Double? {
        let (step, factor) = resolution(u)
        if isWhole(u) {
            guard b - a > max(1, step) else { return nil }
            return ((a + b) / 2).rounded(.down)
        }
        var m: Double
        if factor {
            guard a > 0, b / a > step * (1 + 1e-9) else { return nil }
            m = (a * b).squareRoot()
        } else {
            guard b - a > step * (1 + 1e-9) else { return nil }
            m = (a + b) / 2
        }
        if m != 0 { m = Double(String(format: "%.4g", m)) ?? m }
        return m > a && m < b ? m : nil
    }

    /// Whether a sequence moves one way only (equal neighbours allowed).
    static func isMonotone(_ xs: [Double]) -> Bool {
        let steps = zip(xs, xs.dropFirst()).map { $1 - $0 }
        return !(steps.contains { $0 > 0 } && steps.contains { $0 < 0 })
    }

    /// The holding set of a claim along each unknown, the others at each of their grid values.
    /// `evaluate` judges the claim at one point (cached by the caller: the grid's points are not rerun).
    static func holdingSets(varied: [UnknownParameter], grids: [[Double]],
                            evaluate: ([(String, Double)]) throws(ModelErrors) -> PointResult) throws(ModelErrors) -> [HoldingSet] {
        var sets: [HoldingSet] = []
        for (k, u) in varied.enumerated() {
            var lines: [[(String, Double)]] = [[]]
            for (j, v) in varied.enumerated() where j != k { lines = lines.flatMap { l in grids[j].map { l + [(v.name, $0)] } } }
            for fixed in lines {
                func at(_ x: Double) -> [(String, Double)] {
                    varied.map { v in v.name == u.name ? (v.name, x) : (v.name, fixed.first { $0.0 == v.name }!.1) }
                }
                var verdicts: [Double: PointResult] = [:]
                for x in grids[k] { verdicts[x] = try evaluate(at(x)) }
                var added = 0
                // A figure that turns along the grid may hold between two points that both fail: look closer.
                let means = grids[k].compactMap { verdicts[$0]?.estimate?.mean }
                let monotone = isMonotone(means)
                if !monotone {
                    for (a, b) in zip(grids[k], grids[k].dropFirst()) {
                        guard added < maxRefinementsPerLine, let m = midpoint(u, a, b) else { continue }
                        verdicts[m] = try evaluate(at(m))
                        added += 1
                    }
                }
                // Bisect every pair of neighbours whose verdicts differ, down to the resolution.
                let xs = verdicts.keys.sorted()
                var pending = zip(xs, xs.dropFirst()).filter { verdicts[$0.0]!.verdict != verdicts[$0.1]!.verdict }.map { ($0.0, $0.1) }
                while let (a, b) = pending.popLast() {
                    guard added < maxRefinementsPerLine, let m = midpoint(u, a, b) else { continue }
                    let pm = try evaluate(at(m))
                    verdicts[m] = pm
                    added += 1
                    if pm.verdict != verdicts[a]!.verdict { pending.append((a, m)) }
                    if pm.verdict != verdicts[b]!.verdict { pending.append((m, b)) }
                }
                // Stretches of holding values, and optimistic/pessimistic flips with nothing between.
                let sorted = verdicts.keys.sorted()
                var intervals: [Interval] = []
                var start: Double? = nil, last: Double? = nil
                var crossings: [Interval] = []
                for (i, x) in sorted.enumerated() {
                    let v = verdicts[x]!.verdict
                    if v == .holds {
                        if start == nil { start = x }
                        last = x
                    } else if let s = start, let l = last {
                        intervals.append(Interval(s, l))
                        start = nil
                        last = nil
                    }
                    if i > 0 {
                        let prev = verdicts[sorted[i - 1]]!.verdict
                        if Set([prev, v]) == [.documentOptimistic, .documentPessimistic] { crossings.append(Interval(sorted[i - 1], x)) }
                    }
                }
                if let s = start, let l = last { intervals.append(Interval(s, l)) }
                let (step, factor) = resolution(u)
                sets.append(HoldingSet(unknown: u.name, unit: u.unit, at: fixed, intervals: intervals, resolution: step,
                                       resolutionIsFactor: factor, crossings: crossings, monotone: monotone,
                                       range: Interval(u.low, u.high), valuesTried: sorted.count))
            }
        }
        return sets
    }
}
