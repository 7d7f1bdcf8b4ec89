import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

// `headroom verify CLAIMS.yaml` and `headroom reproduce` (verify over the five bundled claims
// files of models/seeds/). A claims file (docs/claims.md) names the document's figures, the
// scenarios (model file + overrides) that stand for the system the figure describes, how
// Headroom's figure is read from a scenario's report, and the parameters the document never
// states, as ranges. For every claim this file:
//   1. lays a grid over the unknown parameters its scenarios use (the ends of each range and
//      evenly spaced points between them);
//   2. at each point, first asks the asymptotic bounds (utilization law, X <= N / (R0 + Z),
//      R >= R0: Analysis.bounds) whether the document's figure is reachable at all; a point the
//      bounds decide is not simulated;
//   3. simulates the remaining points (one run per scenario and point, shared by every claim)
//      and compares the Student-t interval over replications with the document's band;
//   4. states the verdict over the whole range: holds everywhere, holds for a sub-range,
//      optimistic / pessimistic everywhere (with the best case), or cannot hold (by the bounds).
// Consistency checks relate the document's own figures by a law or plain arithmetic, with
// interval arithmetic over the stated ranges and the unknowns (ClaimExpression.swift).

/// The verdict of a claim over the range of its unknowns.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Headroom's confidence interval meets the document's band at every point tried.
    case holds
    /// It meets it at some points of the range, not at others: the verdict text says where.
    case holdsInPart = "holds in part"
    /// The document promises better than Headroom finds, at every point tried.
    case documentOptimistic = "document optimistic"
    /// The document fears worse than Headroom finds, at every point tried.
    case documentPessimistic = "document pessimistic"
    /// Optimistic at some points, pessimistic at others, never agreeing.
    case mixed = "never holds"
    /// The analytic bounds exclude the document's figure at every point: no simulation needed.
    case cannotHold = "cannot hold"
    /// It holds only for values of the unknowns that the document's own settings rule out
    /// (its rate limits, pool sizes, timeouts: the file's `constraints`).
    case holdsOnlyWhereForbidden = "holds only where the document forbids"
    /// Taken from the document into the model: shown, not judged.
    case modelInput = "model input"
    case notCapacity = "not a capacity claim"
    /// No verdict applies: the note says why.
    case notComparable = "not comparable"
}

/// The outcome of one consistency check.
public enum CheckVerdict: String, Sendable, Hashable, Codable {
    /// Some values within the stated ranges satisfy the relation.
    case consistent
    /// No values within the stated ranges satisfy it: the figures cannot all be true.
    case inconsistent
    /// An operand could not be evaluated (a division by a range that contains zero), or the
    /// arithmetic overflowed (a NaN or an infinite value out of finite figures): no evidence either way.
    case undecided
}

/// One point of the grid over a claim's unknowns and what Headroom found there.
public struct PointResult: Sendable {
    /// Unknown name -> value (base units), in the file's order.
    public var values: [(String, Double)]
    public var estimate: Estimate?
    /// holds, documentOptimistic, documentPessimistic or notComparable.
    public var verdict: Verdict
    /// Set when the analytic bounds decided the point: the bound and its arithmetic.
    public var bound: String?
    public var note: String?
    /// Added by the search for the holding set (bisection or a denser scan), not a point of the first grid.
    public var refined: Bool = false
}

public struct ClaimResult: Sendable {
    public var document: String
    public var claim: Claim
    /// `002.300.before.timeouts`: the document id and the claim id.
    public var fullID: String
    public var points: [PointResult]
    public var verdict: Verdict
    /// The verdict in words, over the range: `holds for think_time 2-6 s (of 0, 2, 4, 6 s tried)`.
    public var verdictText: String
    /// Headroom's figure shown in single-value places: at the nominal point (the middle of the grid).
    public var headroom: Estimate?
    /// The smallest and largest Headroom mean over the points (equal without unknowns).
    public var range: (low: Double, high: Double)?
    /// What the verdict depends on: the unknowns and their ranges, the claim's own assumptions, bounds used.
    public var assumptions: [String]
    public var note: String
    /// Consistency checks that use this figure and cannot hold: the figure's column is internally inconsistent.
    public var inconsistentWith: [String] = []
    /// Where the claim holds along each unknown, the others at each of their grid values.
    public var holdsWhere: [HoldingSet] = []
}

extension Claim {
    /// Whether the claim reads one figure of a report as it is (not a difference or ratio of
    /// several): only such a figure has its unit's natural edges (a share in [0, 1], a time >= 0).
    public var readsOneFigure: Bool {
        if case .reading = read { return true }
        return false
    }
}

extension ConsistencyCheck {
    /// Whether the check uses claim `id`'s figure (in its relation or its operands).
    public func mentions(_ id: String) -> Bool {
        (relation.lhs.claimFigures + relation.rhs.claimFigures + bindings.flatMap(\.1.claimFigures)).contains(id)
    }
}

public struct CheckResult: Sendable {
    public var document: String
    public var check: ConsistencyCheck
    public var fullID: String
    public var verdict: CheckVerdict
    public var lhs: Interval?
    public var rhs: Interval?
    public var correction: Interval?
    /// The relation with its operands' values and both sides evaluated.
    public var arithmetic: String
}

/// One simulated (or analysed) scenario at one point, for the report's header.
public struct ScenarioSummary: Sendable, Hashable {
    public var id: String
    public var label: String
    public var file: String
    public var overrides: [String: String]
    public var simulated: Bool
    public var replications: Int
    public var horizonSeconds: Double
    public var warmupSeconds: Double
    public var bottleneck: String?
    public var capacityPerSecond: Double?
    public var utilizations: [String: Double]
    /// The command that runs this scenario as verify ran it (`headroom run FILE --set ... --replications ...`,
    /// or `headroom analyze` for an analytic-only one), quoted for a POSIX shell; the model path
    /// relative to the working directory when it lies under it.
    public var command: String = ""
    /// Run at a value the search for a holding set tried, not at a point of the grid.
    public var refined: Bool = false
}

public struct DocumentResult: Sendable {
    public var file: ClaimsFile
    public var claims: [ClaimResult]
    public var checks: [CheckResult]
    public var scenarios: [ScenarioSummary]
    /// The best single setting of the unknowns for each of the file's `tables`.
    public var tables: [TableFit] = []

    public func claim(_ id: String) -> ClaimResult? { claims.first { $0.claim.id == id || $0.fullID == id } }
}

/// What `verify` and `reproduce` print.
public struct VerificationReport: Sendable {
    public var documents: [DocumentResult]
    public var replications: Int?
    public var horizonSeconds: Double?
    public var pointsPerUnknown: Int?

    public var allClaims: [ClaimResult] { documents.flatMap(\.claims) }
    public var allChecks: [CheckResult] { documents.flatMap(\.checks) }
    public func claim(_ id: String) -> ClaimResult? { allClaims.first { $0.fullID == id } }
    public func check(_ id: String) -> CheckResult? { allChecks.first { $0.fullID == id } }

    public var verdictCounts: [(Verdict, Int)] {
        Verdict.allCases.map { v in (v, allClaims.filter { $0.verdict == v }.count) }.filter { $0.1 > 0 }
    }
}

/// Options of a verification run.
public struct VerificationOptions: Sendable {
    public var replications: Int?
    public var horizonSeconds: Double?
    /// At most this many points per unknown (the file's `points` otherwise).
    public var pointsPerUnknown: Int?
    public var threads: Int?
    /// Called before each simulation with (document, scenario label, point text).
    public var progress: (@Sendable (String, String, String) -> Void)?
    /// The work budget (`--budget`), shared by every file of the run; nil: none.
    public var budget: WorkBudgetTally?

    public init(replications: Int? = nil, horizonSeconds: Double? = nil, pointsPerUnknown: Int? = nil, threads: Int? = nil) {
        self.replications = replications
        self.horizonSeconds = horizonSeconds
        self.pointsPerUnknown = pointsPerUnknown
        self.threads = threads
    }
}

public enum Verification {
    /// Runs every claim and check of a claims file. Throws `ModelErrors` when a scenario's model
    /// (with its overrides and an unknown's value) does not load.
    public static func verify(_ file: ClaimsFile, options: VerificationOptions) throws(ModelErrors) -> DocumentResult {
        let runner = ScenarioRunner(file: file, options: options)
        var claims: [ClaimResult] = []
        for claim in file.claims { claims.append(try judge(claim, file: file, runner: runner)) }
        let checks = file.checks.map { evaluate($0, file: file) }
        // A figure that an inconsistent check uses belongs to a column that cannot hold as a whole: say so beside its verdict.
        for i in claims.indices {
            let against = checks.filter { $0.verdict == .inconsistent && $0.check.mentions(claims[i].claim.id) }.map(\.check.id)
            guard !against.isEmpty else { continue }
            claims[i].inconsistentWith = against
            claims[i].verdictText += "; the document's own figures around it cannot all hold (\(against.joined(separator: ", ")))"
        }
        // Tables as one test: the best single setting of the unknowns for all their cells.
        runner.refining = true
        var tables: [TableFit] = []
        for t in file.tables { tables.append(try fit(t, claims: claims, file: file, runner: runner)) }
        runner.refining = false
        for t in tables where !t.fits {
            for i in claims.indices where t.table.cells.contains(claims[i].claim.id) {
                claims[i].verdictText += "; no single setting of the unknowns fits its table (\(t.table.id))"
            }
        }
        var doc = DocumentResult(file: file, claims: claims, checks: checks, scenarios: runner.summaries())
        doc.tables = tables
        return doc
    }

    /// Verifies several files in order.
    public static func verify(_ files: [ClaimsFile], options: VerificationOptions) throws(ModelErrors) -> VerificationReport {
        var docs: [DocumentResult] = []
        for f in files { docs.append(try verify(f, options: options)) }
        return VerificationReport(documents: docs, replications: options.replications, horizonSeconds: options.horizonSeconds,
                                  pointsPerUnknown: options.pointsPerUnknown)
    }

    // MARK: Claims

    /// The unknowns a scenario varies: those of the file whose override key it does not set itself.
    static func unknowns(of scenario: ClaimScenario, in file: ClaimsFile) -> [UnknownParameter] {
        file.unknowns.filter { u in !scenario.overrides.contains { $0.0 == u.overrideKey || $0.0 == u.name } }
    }

    /// Values tried for an unknown: the ends and evenly spaced points between (whole numbers for counts).
    static func grid(_ u: UnknownParameter, maxPoints: Int?) -> [Double] {
        let n = max(2, min(u.points, maxPoints ?? u.points))
        if u.low == u.high { return [u.low] }
        var values: [Double] = []
        for i in 0..<n {
            let t = Double(i) / Double(n - 1)
            var v = u.logSpacing ? u.low * pow(u.high / u.low, t) : u.low + (u.high - u.low) * t
            if u.unit == .count && u.low == u.low.rounded() && u.high == u.high.rounded() { v = v.rounded() }
            if !values.contains(v) { values.append(v) }
        }
        return values
    }

    static func judge(_ claim: Claim, file: ClaimsFile, runner: ScenarioRunner) throws(ModelErrors) -> ClaimResult {
        let fullID = "\(file.id).\(claim.id)"
        var assumptions = claim.assumptions
        func result(_ verdict: Verdict, _ text: String, points: [PointResult] = [], note: String? = nil,
                    holdsWhere: [HoldingSet] = []) -> ClaimResult {
            let judged = points.compactMap(\.estimate).map(\.mean)
            // The nominal point is the middle of the first grid, whatever the search added.
            let grid = points.filter { !$0.refined }
            let nominal = grid.isEmpty ? nil : grid[(grid.count - 1) / 2].estimate ?? grid.compactMap(\.estimate).first
            var r = ClaimResult(document: file.id, claim: claim, fullID: fullID, points: points, verdict: verdict, verdictText: text,
                                headroom: nominal, range: judged.isEmpty ? nil : (judged.min()!, judged.max()!),
                                assumptions: assumptions, note: note ?? claim.note)
            r.holdsWhere = holdsWhere
            return r
        }
        guard let read = claim.read else {
            let v: Verdict = claim.status == .modelInput ? .modelInput : claim.status == .notCapacity ? .notCapacity : .notComparable
            return result(v, v.rawValue)
        }
        // The grid: every unknown any of the read's scenarios varies.
        let scenarioIDs = Array(Set(read.readings.map(\.scenario))).sorted()
        var varied: [UnknownParameter] = []
        for s in scenarioIDs {
            guard let sc = file.scenario(s) else { continue }
            for u in unknowns(of: sc, in: file) where !varied.contains(where: { $0.name == u.name }) { varied.append(u) }
        }
        varied.sort { a, b in file.unknowns.firstIndex { $0.name == a.name }! < file.unknowns.firstIndex { $0.name == b.name }! }
        for u in varied {
            assumptions.append("\(u.name) in \(Format.value(u.low, u.unit))..\(Format.value(u.high, u.unit)) (not stated by the document)")
        }
        let grids = varied.map { grid($0, maxPoints: runner.options.pointsPerUnknown) }
        var combos: [[(String, Double)]] = [[]]
        for (u, g) in zip(varied, grids) { combos = combos.flatMap { c in g.map { c + [(u.name, $0)] } } }
        let band = claim.figure.map { $0.agreementBand(tolerance: file.tolerance) }
        var points: [PointResult] = []
        var known: [String: Int] = [:]
        /// The claim at one point of the unknowns, evaluated once (the grid and the search share points).
        func point(_ combo: [(String, Double)], refined: Bool) throws(ModelErrors) -> PointResult {
            let key = combo.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            if let i = known[key] { return points[i] }
            var p = try judgePoint(claim, read: read, band: band, at: combo, runner: runner)
            p.refined = refined
            known[key] = points.count
            points.append(p)
            return p
        }
        for combo in combos { _ = try point(combo, refined: false) }
        if claim.status != .judged {
            let v: Verdict = claim.status == .modelInput ? .modelInput : claim.status == .notCapacity ? .notCapacity : .notComparable
            return result(v, v.rawValue, points: points)
        }
        runner.refining = true
        defer { runner.refining = false }
        let holdsWhere = try holdingSets(varied: varied, grids: grids) { combo throws(ModelErrors) in try point(combo, refined: true) }
        // What the document's own settings allow of the unknowns: try the allowed range's ends too.
        let allowed = allowedRanges(file: file, varied: varied, scenarios: scenarioIDs)
        for (name, range) in allowed {
            guard let range, let k = varied.firstIndex(where: { $0.name == name }) else { continue }
            for combo in combos {
                for x in [range.low, range.high] {
                    var c = combo
                    c[k].1 = x
                    _ = try point(c, refined: true)
                }
            }
        }
        runner.refining = false
        if points.allSatisfy({ $0.bound != nil }) || points.contains(where: { $0.bound != nil }) {
            for text in Set(points.compactMap(\.bound)).sorted() { assumptions.append("bound: " + text) }
        }
        var (verdict, text) = summarize(points, claim: claim, band: band!, varied: varied, holdsWhere: holdsWhere)
        if !allowed.isEmpty {
            let limits = allowedText(allowed, varied: varied)
            for (name, _) in allowed {
                for k in file.constraints where k.unknown == name && (k.scenarios.isEmpty || !Set(k.scenarios).isDisjoint(with: scenarioIDs)) {
                    assumptions.append("the document's own settings: \(k.relationText) (\(k.law)\(k.quote.isEmpty ? "" : ": \"\(k.quote)\"")); allowed: \(limits)")
                }
            }
            func isAllowed(_ p: PointResult) -> Bool {
                allowed.allSatisfy { name, range in
                    guard let range, let v = p.values.first(where: { $0.0 == name })?.1 else { return false }
                    return v >= range.low * (1 - 1e-9) && v <= range.high * (1 + 1e-9)
                }
            }
            // Judged only where the allowed values were judged: an unjudged stretch proves nothing.
            let inside = points.filter { isAllowed($0) && $0.verdict != .notComparable }
            if (verdict == .holds || verdict == .holdsInPart), !inside.isEmpty, !inside.contains(where: { $0.verdict == .holds }) {
                let kinds = Set(inside.map(\.verdict))
                let side = kinds == [.documentOptimistic] ? "optimistic" : kinds == [.documentPessimistic] ? "pessimistic" : "optimistic or pessimistic"
                let values = inside.map { pointText($0.values, varied) + ($0.estimate.map { ": " + Format.value($0.mean, claim.unit) } ?? "") }
                verdict = .holdsOnlyWhereForbidden
                text = "holds only where the document's own settings forbid: \(text); where they allow (\(limits)) \(side) (\(values.joined(separator: "; ")))"
            } else if verdict == .holdsInPart || verdict == .holds {
                text += "; the document's own settings allow \(limits)"
            }
        }
        // A Student-t interval of two or three replications is so wide that it meets almost any
        // band: "holds" on so few says little, and the verdict says so.
        if verdict == .holds || verdict == .holdsInPart,
           let fewest = points.filter({ $0.verdict == .holds }).compactMap(\.estimate).filter({ $0.samples > 1 }).map(\.samples).min(),
           fewest < minimumReplicationsForHolds {
            text += "; warning: only \(fewest) replications, too few for \"holds\" to mean much (rerun with --replications \(minimumReplicationsForHolds) or more)"
        }
        let unjudged = points.filter { $0.verdict == .notComparable && $0.note != nil && !$0.refined }
        if !unjudged.isEmpty && unjudged.count < points.filter({ !$0.refined }).count {
            text += "; not judged at " + unjudged.map { varied.isEmpty ? "the only point" : pointText($0.values, varied) }.joined(separator: "; ")
                + " (see the note)"
        }
        let notes = Set(points.compactMap(\.note)).sorted()
        let note = ([claim.note] + notes).filter { !$0.isEmpty }.joined(separator: "; ")
        return result(verdict, text, points: points, note: note, holdsWhere: holdsWhere)
    }

    /// The range each unknown may take under the document's own settings (the file's
    /// `constraints` that apply to these scenarios), intersected with its stated range; nil for
    /// an unknown the settings leave no value of. Only unknowns some constraint bounds are listed.
    static func allowedRanges(file: ClaimsFile, varied: [UnknownParameter], scenarios: [String]) -> [(String, Interval?)] {
        var out: [(String, Interval?)] = []
        for u in varied {
            let applicable = file.constraints.filter { $0.unknown == u.name && ($0.scenarios.isEmpty || !Set($0.scenarios).isDisjoint(with: scenarios)) }
            guard !applicable.isEmpty else { continue }
            var low = u.low, high = u.high
            for k in applicable {
                guard let b = try? k.relation.rhs.evaluate({ e in
                    if case let .claimFigure(id) = e { return file.claims.first { $0.id == id }?.figure?.interval }
                    return nil
                }) else { continue }
                // The most permissive reading of the bound: the constraint rules out only what no value of it allows.
                switch k.relation.op {
                case .atLeast: low = max(low, b.low)
                case .atMost: high = min(high, b.high)
                case .equal: low = max(low, b.low); high = min(high, b.high)
                }
            }
            out.append((u.name, low <= high ? Interval(low, high) : nil))
        }
        return out
    }

    static func allowedText(_ allowed: [(String, Interval?)], varied: [UnknownParameter]) -> String {
        allowed.map { name, range in
            let unit = varied.first { $0.name == name }?.unit ?? .count
            return range.map { "\(name) in [\(Format.value($0.low, unit)), \(Format.value($0.high, unit))]" } ?? "no \(name) in its range"
        }.joined(separator: ", ")
    }

    /// The claim at one point of its unknowns: decided by the analytic bounds when they exclude
    /// the band, else simulated (each scenario once per point, shared by every claim that reads it).
    static func judgePoint(_ claim: Claim, read: ClaimExpression, band: Interval?, at combo: [(String, Double)],
                           runner: ScenarioRunner) throws(ModelErrors) -> PointResult {
        // Bounds first: a single reading of a bounded figure, decided without simulating.
        if claim.status == .judged, let band, case let .reading(s, path) = read,
           let (bound, text) = try runner.bound(scenario: s, path: path, at: combo),
           !bound.intersects(band, relativeTolerance: 1e-9) {
            let above = bound.low > band.high
            let v: Verdict = (above == (claim.better == .lower)) ? .documentOptimistic : .documentPessimistic
            return PointResult(values: combo, estimate: nil, verdict: v, bound: text, note: nil)
        }
        let (estimate, guardNote) = try runner.estimate(read, at: combo, line: claim.readLine ?? claim.line, column: claim.readColumn)
        var verdict: Verdict = .notComparable
        if claim.status == .judged, let band, let e = estimate, e.mean.isFinite, guardNote == nil {
            verdict = compare(e, band: band, better: claim.better)
        }
        return PointResult(values: combo, estimate: estimate, verdict: verdict, bound: nil, note: guardNote)
    }

    /// Fewer replications than this and a "holds" verdict carries a warning: with n = 3 the 95%
    /// interval is the mean +- 4.3 standard errors (Student's t with 2 degrees of freedom), wide
    /// enough to meet a band it does not. At 5 the factor is 2.78.
    public static let minimumReplicationsForHolds = 5

    /// holds / optimistic / pessimistic for one interval against the band.
    public static func compare(_ e: Estimate, band: Interval, better: Better) -> Verdict {
        let half = e.halfWidth.isFinite ? e.halfWidth : 0
        if e.mean + half >= band.low - 1e-12 && e.mean - half <= band.high + 1e-12 { return .holds }
        let headroomHigher = e.mean > band.high
        switch better {
        case .lower: return headroomHigher ? .documentOptimistic : .documentPessimistic
        case .higher: return headroomHigher ? .documentPessimistic : .documentOptimistic
        }
    }

    static func pointText(_ values: [(String, Double)], _ varied: [UnknownParameter]) -> String {
        values.map { name, v in
            let unit = varied.first { $0.name == name }?.unit ?? .count
            return "\(name) \(Format.value(v, unit))"
        }.joined(separator: ", ")
    }

    /// The verdict over the range, in words: where the claim holds (its holding sets), or on
    /// which side of the document's figure Headroom lies everywhere.
    static func summarize(_ points: [PointResult], claim: Claim, band: Interval, varied: [UnknownParameter],
                          holdsWhere: [HoldingSet] = []) -> (Verdict, String) {
        let judged = points.filter { $0.verdict != .notComparable }
        guard !judged.isEmpty else {
            return (.notComparable, points.compactMap(\.note).first ?? "no Headroom figure at any point")
        }
        let ranged = !varied.isEmpty
        let holding = judged.filter { $0.verdict == .holds }
        let tried: String = {
            guard ranged else { return "" }
            let ranges = varied.map { "\($0.name) \(Format.value($0.low, $0.unit))..\(Format.value($0.high, $0.unit))" }.joined(separator: ", ")
            return "\(ranges); \(points.count) point\(points.count == 1 ? "" : "s") tried"
        }()
        func distance(_ p: PointResult) -> Double {
            guard let e = p.estimate else { return .infinity }
            return e.mean > band.high ? e.mean - band.high : band.low - e.mean
        }
        let best = judged.filter { $0.estimate != nil }.min { distance($0) < distance($1) }
        let bestText: String = best.flatMap { p in
            p.estimate.map { "closest \(Format.value($0.mean, claim.unit))" + (ranged ? " at \(pointText(p.values, varied))" : "") }
        } ?? ""
        if holding.count == judged.count {
            return (.holds, ranged ? "holds over the whole range (\(tried))" : "holds")
        }
        if !holding.isEmpty {
            let where_ = HoldingSet.text(holdsWhere, varied: varied)
                ?? holding.map { pointText($0.values, varied) }.joined(separator: "; ")
            let others = judged.filter { $0.verdict != .holds }
            let kinds = Set(others.map(\.verdict))
            let elsewhere = kinds.count == 1 ? (kinds.first == .documentOptimistic ? "optimistic" : "pessimistic") + " elsewhere"
                                             : "optimistic or pessimistic elsewhere"
            return (.holdsInPart, "holds only for \(where_) (\(tried)); \(elsewhere)")
        }
        let kinds = Set(judged.map(\.verdict))
        let all = ranged ? " over the whole range (\(tried))" : ""
        if judged.allSatisfy({ $0.bound != nil }) {
            let side = kinds == [.documentOptimistic] ? "optimistic" : kinds == [.documentPessimistic] ? "pessimistic" : "wrong"
            return (.cannotHold, "cannot hold\(ranged ? " for any value in range" : ""): the analytic bound excludes it (\(side))")
        }
        if kinds == [.documentOptimistic] {
            return (.documentOptimistic, "optimistic\(all)" + (bestText.isEmpty ? "" : "; best case: \(bestText)"))
        }
        if kinds == [.documentPessimistic] {
            return (.documentPessimistic, "pessimistic\(all)" + (bestText.isEmpty ? "" : "; \(bestText)"))
        }
        // Optimistic on one side, pessimistic on the other, and the search found no value between
        // them that holds: the figure jumps across the band within the resolution.
        let grid = judged.filter { !$0.refined }
        let opt = grid.filter { $0.verdict == .documentOptimistic }.map { pointText($0.values, varied) }.joined(separator: "; ")
        let pes = grid.filter { $0.verdict == .documentPessimistic }.map { pointText($0.values, varied) }.joined(separator: "; ")
        let crossings = HoldingSet.crossingText(holdsWhere, varied: varied)
        return (.mixed, "never holds: optimistic at \(opt.isEmpty ? "some points" : opt), pessimistic at \(pes.isEmpty ? "others" : pes)"
                    + (crossings.map { "; no value holds between them: \($0)" } ?? ""))
    }

    // MARK: Checks

    /// An interval that arithmetic overflow produced: a NaN end (inf - inf, 0 / 0), or a single
    /// infinite value (a stated range is finite at one end at least).
    static func overflowed(_ i: Interval) -> Bool {
        i.low.isNaN || i.high.isNaN || (i.low.isInfinite && i.low == i.high)
    }

    static func evaluate(_ check: ConsistencyCheck, file: ClaimsFile) -> CheckResult {
        let fullID = "\(file.id).\(check.id)"
        var cache: [String: Interval] = [:]
        func lookup(_ e: ClaimExpression) -> Interval? {
            switch e {
            case let .claimFigure(id): return file.claims.first { $0.id == id }?.figure?.interval
            case let .name(n):
                if let v = cache[n] { return v }
                if let b = check.bindings.first(where: { $0.0 == n }) {
                    let v = try? b.1.evaluate(lookup)
                    cache[n] = v
                    return v
                }
                if let u = file.unknown(n) { return Interval(u.low, u.high) }
                return nil
            default: return nil
            }
        }
        let operands = check.bindings.map { name, e -> String in
            let v = lookup(.name(name))
            if case .number = e { return "\(name) = \(e)" }
            return "\(name) = \(e)" + (v.map { " = \(Format.interval($0))" } ?? "")
        }
        do {
            let a = try check.relation.lhs.evaluate(lookup), b = try check.relation.rhs.evaluate(lookup)
            // An overflow (1e308 * 10, inf - inf) proves nothing: a NaN end, or a side that is one
            // infinite value, is no evidence either way.
            if let side = [("left", a), ("right", b)].first(where: { Verification.overflowed($0.1) }) {
                return CheckResult(document: file.id, check: check, fullID: fullID, verdict: .undecided, lhs: a, rhs: b, correction: nil,
                                   arithmetic: "\(check.relationText): the \(side.0) side overflows (\(Format.interval(side.1))): no evidence either way")
            }
            let ok = ClaimRelation.canHold(check.relation.op, a, b, tolerance: file.arithmeticTolerance)
            let corr = check.correction.flatMap { try? $0.evaluate(lookup) }
            var text = "\(check.relationText): left \(Format.interval(a)), right \(Format.interval(b))"
            if !operands.isEmpty { text += " (with " + operands.joined(separator: ", ") + ")" }
            if let c = corr, let ct = check.correctionText {
                text += "; instead: \(ct) = \(check.correctionUnit.map { Format.intervalValue(c, $0) } ?? Format.interval(c))"
            }
            return CheckResult(document: file.id, check: check, fullID: fullID, verdict: ok ? .consistent : .inconsistent,
                               lhs: a, rhs: b, correction: corr, arithmetic: text)
        } catch {
            return CheckResult(document: file.id, check: check, fullID: fullID, verdict: .undecided, lhs: nil, rhs: nil, correction: nil,
                               arithmetic: "\(check.relationText): \(error.message)")
        }
    }
}

// MARK: - Bundled claims files

public enum Reproduction {
    /// The bundled claims files, in order: `models/seeds/*.claims.yaml`.
    public static func bundledFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".claims.yaml") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Where the bundled seeds are: `models/seeds` under the working directory or under any
    /// ancestor of the executable (so `reproduce` works from any directory).
    public static func locateSeeds(executable: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" && !url.path.isEmpty {
            candidates.append(url.path)
            url.deleteLastPathComponent()
        }
        for c in candidates {
            let dir = (c as NSString).appendingPathComponent("models/seeds")
            if !bundledFiles(in: dir).isEmpty { return dir }
        }
        return nil
    }

    /// Resolves `000`, `0`, `seed-000`, `tailors`, `all` among loaded files; nil for an unknown name.
    public static func resolve(_ name: String, among files: [ClaimsFile]) -> [ClaimsFile]? {
        let n = name.lowercased()
        if n == "all" { return files }
        let digits = n.hasPrefix("seed-") ? String(n.dropFirst(5)) : n.hasPrefix("seed") ? String(n.dropFirst(4)) : n
        if let k = Int(digits), let f = files.first(where: { Int($0.id) == k }) { return [f] }
        if let f = files.first(where: { $0.shortName.lowercased() == n }) { return [f] }
        return nil
    }
}
