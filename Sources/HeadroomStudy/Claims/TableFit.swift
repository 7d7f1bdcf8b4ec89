import Foundation
import HeadroomKernel
import HeadroomModel

// A document's table is one test: one system under one load, one (unknown) think time, one
// database. Each cell judged on its own may hold at a different setting of the unknowns; the
// table as a whole holds only if one setting fits every cell. For a `tables:` entry this file
// tries candidate settings — the grid's points and the edges of each cell's holding set — judges
// every cell at each, and takes the setting that minimises the worst cell's miss (how far, as a
// ratio, the cell's confidence interval lies from the document's band: 1 when they meet). When
// even the best setting leaves a cell outside the band, no single setting of the unknowns fits
// the table: the document's figures contradict each other through the system they describe,
// and the pairs of cells that each hold somewhere but never at the same setting are named.

/// The best single setting of the unknowns for a table of cells.
public struct TableFit: Sendable {
    public var table: ClaimTable
    /// The setting that minimises the worst cell's miss (unknown name -> value, base units).
    public var best: [(String, Double)]
    /// The cell furthest from its figure at `best`, and its miss (1: within the band).
    public var worstCell: String?
    public var worstMiss: Double
    /// Every cell meets its band at `best`.
    public var fits: Bool
    /// Cells that each hold at some setting tried, but never at the same one.
    public var conflicts: [(String, String)]
    public var settingsTried: Int
    /// The table's verdict in words.
    public var text: String
}

extension Verification {
    /// Most settings a table fit tries (the grid's points first, then the holding sets' edges).
    static let maxTableSettings = 24

    /// How far a cell's 95% interval (or its analytic bound) lies from the band, as a ratio >= 1;
    /// 1 when they meet; nil when the cell is not judged there.
    static func miss(_ p: PointResult, band: Interval) -> Double? {
        guard p.verdict != .notComparable else { return nil }
        if p.verdict == .holds { return 1 }
        let low: Double, high: Double
        if let e = p.estimate {
            let half = e.halfWidth.isFinite ? e.halfWidth : 0
            (low, high) = (e.mean - half, e.mean + half)
        } else {
            return .infinity   // decided by a bound: out of reach at this setting
        }
        func ratio(_ a: Double, _ b: Double) -> Double { b > 0 && a > 0 ? a / b : .infinity }
        if low > band.high { return abs(band.high) < 1e-15 ? .infinity : ratio(low, band.high) }
        if high < band.low { return ratio(band.low, high) }
        return 1
    }

    static func fit(_ table: ClaimTable, claims: [ClaimResult], file: ClaimsFile, runner: ScenarioRunner) throws(ModelErrors) -> TableFit {
        let cells = table.cells.compactMap { id in claims.first { $0.claim.id == id } }.filter { $0.claim.read != nil && $0.claim.figure != nil }
        // The table's unknowns: every unknown some cell varies, in the file's order.
        var names: [String] = []
        for c in cells { for p in c.points { for (n, _) in p.values where !names.contains(n) { names.append(n) } } }
        names.sort { a, b in (file.unknowns.firstIndex { $0.name == a } ?? 0) < (file.unknowns.firstIndex { $0.name == b } ?? 0) }
        // Candidate settings: each cell's grid points, then the edges of its holding sets.
        var settings: [[(String, Double)]] = []
        func add(_ values: [(String, Double)]) {
            guard values.map(\.0) == names, settings.count < maxTableSettings,
                  !settings.contains(where: { $0.map(\.1) == values.map(\.1) }) else { return }
            settings.append(values)
        }
        for c in cells { for p in c.points where !p.refined { add(p.values) } }
        for c in cells {
            for h in c.holdsWhere {
                for i in h.intervals {
                    for x in [i.low, i.high] {
                        add(names.map { n in n == h.unknown ? (n, x) : (n, h.at.first { $0.0 == n }?.1 ?? .nan) }.filter { !$0.1.isNaN })
                    }
                }
            }
        }
        if settings.isEmpty { settings = [[]] }
        // Every cell at every setting (points already judged are reused; the runner shares runs).
        var misses: [[Double?]] = []
        var holds: [[Bool]] = []
        for setting in settings {
            var row: [Double?] = [], ok: [Bool] = []
            for c in cells {
                let own = setting.filter { v in c.points.first?.values.contains { $0.0 == v.0 } ?? false }
                let band = c.claim.figure!.agreementBand(tolerance: file.tolerance)
                var p: PointResult
                if let known = c.points.first(where: { $0.values.map(\.1) == own.map(\.1) && $0.values.map(\.0) == own.map(\.0) }) {
                    p = known
                } else {
                    p = try judgePoint(c.claim, read: c.claim.read!, band: band, at: own, runner: runner)
                }
                row.append(miss(p, band: band))
                ok.append(p.verdict == .holds)
            }
            misses.append(row)
            holds.append(ok)
        }
        func worst(_ row: [Double?]) -> (Int?, Double) {
            var w: (Int?, Double) = (nil, 1)
            for (i, m) in row.enumerated() { if let m, m > w.1 || w.0 == nil { w = (i, m) } }
            return w
        }
        var bestIndex = 0
        for i in settings.indices where worst(misses[i]).1 < worst(misses[bestIndex]).1 { bestIndex = i }
        let (worstIndex, worstMiss) = worst(misses[bestIndex])
        let fits = worstMiss <= 1
        var conflicts: [(String, String)] = []
        for i in cells.indices {
            for j in cells.indices where j > i {
                let a = holds.map { $0[i] }, b = holds.map { $0[j] }
                if a.contains(true) && b.contains(true) && !zip(a, b).contains(where: { $0 && $1 }) {
                    conflicts.append((cells[i].claim.id, cells[j].claim.id))
                }
            }
        }
        let unknowns = file.unknowns.filter { names.contains($0.name) }
        let at = settings[bestIndex].isEmpty ? "" : " at \(pointText(settings[bestIndex], unknowns))"
        let worstText: String = worstIndex.map { i in
            let c = cells[i]
            let m = worstMiss.isFinite ? String(format: "%.2fx", worstMiss) : "beyond the bounds"
            return "worst cell \(c.claim.id) (\(c.claim.documentText)), off by \(m)"
        } ?? "no cell judged"
        var text: String
        if fits {
            text = "one setting fits the whole table\(at) (\(settings.count) settings tried)"
        } else {
            text = "no single setting of the unknowns fits this table: the best\(at) leaves \(worstText) (\(settings.count) settings tried)"
            if !conflicts.isEmpty {
                text += "; cells that each hold somewhere but never together: " + conflicts.map { "\($0.0) / \($0.1)" }.joined(separator: ", ")
            }
        }
        return TableFit(table: table, best: settings[bestIndex], worstCell: worstIndex.map { cells[$0].claim.id }, worstMiss: worstMiss,
                        fits: fits, conflicts: conflicts, settingsTried: settings.count, text: text)
    }
}
