import Foundation

// Claims files (docs/claims.md): a document's capacity claims as data. This file turns the YAML
// into a checked `ClaimsFile` value, with every problem reported as file:line:column and key
// path like a model's; HeadroomStudy runs it (`headroom verify`).

/// What a claims file declares about one parameter its document never states.
public struct UnknownParameter: Sendable, Hashable {
    /// The name used in expressions and verdicts (`think_time`, `database.cores`).
    public var name: String
    /// The model override key it sets (`think_time`, `database.cores`, `pools.prisma.size`).
    public var overrideKey: String
    public var low: Double
    public var high: Double
    /// How a value is written into the model: `{}` is replaced by the value (`exp({})` for a
    /// think time drawn from an exponential distribution).
    public var template: String
    /// The unit the range was written in: `seconds`, `fraction` (a percentage), `per_second` (a rate) or `count`
    /// (whole numbers when both ends are).
    public var unit: ClaimUnit
    /// Why this range: the reader's evidence for its ends.
    public var why: String
    /// Points tried across the range (the ends included).
    public var points: Int
    /// Points evenly spaced on a log scale (`spacing: log`, for ranges over orders of magnitude).
    public var logSpacing: Bool = false
    /// The finest step of the search for where a claim holds (`resolution: 50ms`), in the range's
    /// unit; nil: 1/64 of the range (a factor of (high/low)^(1/64) with `spacing: log`), 1 for whole numbers.
    public var resolution: Double? = nil

    public init(name: String, overrideKey: String, low: Double, high: Double, template: String, unit: ClaimUnit, why: String,
                points: Int, logSpacing: Bool = false, resolution: Double? = nil) {
        self.name = name
        self.overrideKey = overrideKey
        self.low = low
        self.high = high
        self.template = template
        self.unit = unit
        self.why = why
        self.points = points
        self.logSpacing = logSpacing
        self.resolution = resolution
    }
}

public struct ClaimScenario: Sendable, Hashable {
    public var id: String
    /// The model file, resolved against the claims file's directory.
    public var modelPath: String
    /// As written in the claims file.
    public var modelFile: String
    public var overrides: [(String, String)]
    public var label: String
    /// Keep the model's own horizon even when a shorter one is asked for (a run whose length is its content).
    public var fixedHorizon: Bool

    public static func == (a: ClaimScenario, b: ClaimScenario) -> Bool {
        a.id == b.id && a.modelPath == b.modelPath && a.overrides.map { "\($0.0)=\($0.1)" } == b.overrides.map { "\($0.0)=\($0.1)" }
            && a.label == b.label && a.fixedHorizon == b.fixedHorizon
    }
    public func hash(into h: inout Hasher) { h.combine(id); h.combine(modelPath) }
}

/// What kind of row a claim is.
public enum ClaimStatus: String, Sendable, Hashable, CaseIterable {
    /// Headroom's figure is set beside the document's and judged.
    case judged
    /// The figure is taken from the document into the model: shown, never judged.
    case modelInput = "model input"
    /// Not about capacity (an index making one query faster, a cost, a bundle size).
    case notCapacity = "not a capacity claim"
    /// Listed with the reason no verdict applies (no hardware given, no figure in the document).
    case notComparable = "not comparable"
}

public struct Claim: Sendable, Hashable {
    public var id: String
    public var table: String
    /// The row and column of a side-by-side table (`Timeout Rate`, `before`), when the document has one.
    public var row: String?
    public var column: String?
    /// The document's words.
    public var quote: String
    /// The figure as written (`50-70%`, `TIMEOUT`).
    public var documentText: String
    public var figure: FigureSpec?
    public var unit: ClaimUnit
    public var better: Better
    public var read: ClaimExpression?
    public var readText: String?
    public var status: ClaimStatus
    /// Why the row is not judged, or what the verdict depends on beyond the unknowns.
    public var note: String
    public var assumptions: [String]
    /// Source position of the claim, for messages at run time.
    public var line: Int?
    /// Source position of its `read` (a reading the scenario's report turns out not to have is
    /// only found once it has run).
    public var readLine: Int? = nil
    public var readColumn: Int? = nil
}

/// Which direction is better for the system: a latency is better lower, a throughput higher.
public enum Better: String, Sendable, Hashable, Codable { case lower, higher }

/// A relation between figures that a law or plain arithmetic imposes.
public struct ConsistencyCheck: Sendable, Hashable {
    public var id: String
    public var table: String
    /// `Little's law`, `utilization law`, `timeouts and the mean`, `arithmetic`, ...
    public var law: String
    /// The document's own words for every premise the relation uses, each a verbatim excerpt
    /// (a test holds the bundled files to that: no premise the document does not state).
    public var quotes: [String]
    /// The excerpts as shown: joined by ` … `.
    public var quote: String { ClaimsDecoder.joinedQuotes(quotes) }
    public var relation: ClaimRelation
    public var relationText: String
    /// Named operands: an expression each (claim figures, literals, ranges).
    public var bindings: [(String, ClaimExpression)]
    /// What the law gives instead (evaluated and shown), with its unit.
    public var correction: ClaimExpression?
    public var correctionText: String?
    public var correctionUnit: ClaimUnit?
    public var explanation: String
    public var line: Int?

    public static func == (a: ConsistencyCheck, b: ConsistencyCheck) -> Bool { a.id == b.id && a.relationText == b.relationText }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// What the document's own settings imply for an unknown (docs/claims.md, "Constraints"): its
/// rate limits bound the think time, a pool size bounds concurrency, a timeout bounds waits.
/// `holds: "think_time >= 15min / 100 - 500ms"`: the unknown on the left, a bound on the right.
public struct UnknownConstraint: Sendable, Hashable {
    public var id: String
    public var unknown: String
    public var relation: ClaimRelation
    public var relationText: String
    /// The scenarios the constraint applies to (the system whose settings imply it); empty: all.
    public var scenarios: [String]
    public var law: String
    /// The document's words for the setting, each a verbatim excerpt.
    public var quotes: [String]
    /// The excerpts as shown: joined by ` … `.
    public var quote: String { ClaimsDecoder.joinedQuotes(quotes) }
    public var explanation: String
    public var line: Int?

    public static func == (a: UnknownConstraint, b: UnknownConstraint) -> Bool { a.id == b.id && a.relationText == b.relationText }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// Cells of a document's table that are one test: one system, one setting of the unknowns
/// (docs/claims.md, "Tables as one test").
public struct ClaimTable: Sendable, Hashable {
    public var id: String
    /// The claims' `table` it stands for, when it groups a whole table.
    public var table: String?
    /// The claim ids of its cells (judged claims only).
    public var cells: [String]
    public var why: String
    public var line: Int?
}

/// A checked claims file.
public struct ClaimsFile: Sendable {
    public var path: String
    public var id: String
    public var shortName: String
    public var title: String
    /// The document the claims come from, as written in the file (may be absent).
    public var source: String?
    /// Agreement band around a single figure (relative), default 15%.
    public var tolerance: Double
    /// Relative tolerance of `=` in checks (rounding in the document), default 2%.
    public var arithmeticTolerance: Double
    public var unknowns: [UnknownParameter]
    public var scenarios: [ClaimScenario]
    public var claims: [Claim]
    public var checks: [ConsistencyCheck]
    /// Markdown; `{claim-id}` becomes Headroom's figure, `{claim-id:verdict}` its verdict.
    public var summary: String
    public var modelingNotes: [String]
    /// What the document's own settings imply for its unknowns.
    public var constraints: [UnknownConstraint] = []
    /// Tables whose cells share one setting of the unknowns.
    public var tables: [ClaimTable] = []

    public func scenario(_ id: String) -> ClaimScenario? { scenarios.first { $0.id == id } }
    public func unknown(_ name: String) -> UnknownParameter? { unknowns.first { $0.name == name } }
}

public enum ClaimsLoader {
    /// Loads and checks a claims file. Model paths resolve against the claims file's directory,
    /// so the file works from any working directory.
    public static func load(path: String) throws(ModelErrors) -> ClaimsFile {
        // The model files' reading: the size limit, a directory or device named as such, and
        // the line and column of the first byte that is not UTF-8.
        let text = try ModelLoader.readModelText(path: path, kind: "claims file")
        return try load(yaml: text, fileName: path)
    }

    public static func load(yaml: String, fileName: String) throws(ModelErrors) -> ClaimsFile {
        let tree = try TreeBuilder.parse(yaml: yaml, file: fileName)
        let diag = Diagnostics(file: fileName)
        let dir = URL(fileURLWithPath: fileName).deletingLastPathComponent().path
        let decoder = ClaimsDecoder(diag: diag, directory: dir, fileName: fileName)
        let file = decoder.decode(tree)
        guard let file, diag.errors.isEmpty else { throw ModelErrors(ModelLoader.sortedErrors(diag.errors)) }
        return file
    }
}

final class ClaimsDecoder {
    let diag: Diagnostics
    let r: Reader
    let directory: String
    let fileName: String

    init(diag: Diagnostics, directory: String, fileName: String) {
        self.diag = diag
        self.r = Reader(diag: diag, baseDirectory: directory)
        self.directory = directory
        self.fileName = fileName
    }

    static let units: KeyValuePairs<String, ClaimUnit> = [
        "seconds": .seconds, "fraction": .fraction, "per_second": .perSecond, "per_minute": .perMinute,
        "count": .count, "ratio": .ratio, "users": .users,
    ]
    static let statuses: KeyValuePairs<String, ClaimStatus> = [
        "judged": .judged, "model_input": .modelInput, "not_a_capacity_claim": .notCapacity, "not_comparable": .notComparable,
    ]

    func decode(_ root: YNode) -> ClaimsFile? {
        guard let f = r.fields(root, "", ["document", "tolerance", "arithmetic_tolerance", "unknowns", "scenarios", "claims", "checks",
                                           "summary", "modeling_notes", "constraints", "tables"], what: "claims-file sections") else { return nil }
        var id = "", short = "", title = "", source: String? = nil
        if let d = f["document"], let df = r.fields(d, "document", ["id", "short_name", "title", "source"]) {
            id = df.name("id") ?? ""
            short = df.name("short_name") ?? id
            title = df.name("title") ?? ""
            source = df.name("source")
            if id.isEmpty { diag.error(df.origin, "document.id", "the document needs an `id` (e.g. `002`): it prefixes every claim id") }
        } else {
            diag.error(f.origin, "document", "a claims file starts with `document: {id: ..., title: ...}`")
        }
        let tolerance = f["tolerance"].flatMap { r.probability($0, "tolerance", what: "`tolerance`") } ?? 0.15
        let arithmetic = f["arithmetic_tolerance"].flatMap { r.probability($0, "arithmetic_tolerance", what: "`arithmetic_tolerance`") } ?? 0.02

        var unknowns: [UnknownParameter] = []
        if let u = f["unknowns"] {
            if let entries = u.entries {
                for e in entries { if let p = decodeUnknown(e.key, e.value, "unknowns.\(e.key)") { unknowns.append(p) } }
            } else if !u.isNull {
                diag.error(u.origin, "unknowns", "expected a mapping of parameter name to range, e.g. `think_time: 0s..30s`")
            }
        }
        var scenarios: [ClaimScenario] = []
        if let s = f["scenarios"] {
            if let entries = s.entries {
                for e in entries {
                    if scenarios.contains(where: { $0.id == e.key }) { diag.error(e.keyOrigin, "scenarios.\(e.key)", "scenario `\(e.key)` is given twice"); continue }
                    if let sc = decodeScenario(e.key, e.value, "scenarios.\(e.key)", unknowns: unknowns) { scenarios.append(sc) }
                }
            } else if !s.isNull {
                diag.error(s.origin, "scenarios", "expected a mapping of scenario name to `{model: FILE, set: {...}}`")
            }
        }
        var claims: [Claim] = []
        if let c = f["claims"] {
            if let items = c.items {
                for (i, item) in items.enumerated() {
                    if let claim = decodeClaim(item, "claims[\(i)]", scenarios: scenarios, unknowns: unknowns) {
                        if claims.contains(where: { $0.id == claim.id }) {
                            diag.error(item["id"]?.origin ?? item.origin, "claims[\(i)].id", "claim id `\(claim.id)` is used twice")
                        }
                        claims.append(claim)
                    }
                }
            } else if !c.isNull {
                diag.error(c.origin, "claims", "expected a list of claims (`- id: ...`)")
            }
        }
        var checks: [ConsistencyCheck] = []
        if let c = f["checks"] {
            if let items = c.items {
                for (i, item) in items.enumerated() {
                    if let check = decodeCheck(item, "checks[\(i)]", claims: claims, unknowns: unknowns) { checks.append(check) }
                }
            } else if !c.isNull {
                diag.error(c.origin, "checks", "expected a list of checks (`- id: ...`)")
            }
        }
        // Claim figures referenced by reads must exist (checked after all claims are known).
        let notes: [String] = f["modeling_notes"].flatMap { r.names($0, "modeling_notes") } ?? []
        var tables: [ClaimTable] = []
        if let t = f["tables"] {
            if let items = t.items {
                for (i, item) in items.enumerated() {
                    if let table = decodeTable(item, "tables[\(i)]", claims: claims) { tables.append(table) }
                }
            } else if !t.isNull {
                diag.error(t.origin, "tables", "expected a list of tables (`- {id: ..., table: ...}`)")
            }
        }
        var constraints: [UnknownConstraint] = []
        if let c = f["constraints"] {
            if let items = c.items {
                for (i, item) in items.enumerated() {
                    if let k = decodeConstraint(item, "constraints[\(i)]", scenarios: scenarios, unknowns: unknowns, claims: claims) { constraints.append(k) }
                }
            } else if !c.isNull {
                diag.error(c.origin, "constraints", "expected a list of constraints (`- id: ...`)")
            }
        }
        let summary = f["summary"].flatMap { $0.scalar } ?? ""
        return ClaimsFile(path: fileName, id: id, shortName: short, title: title, source: source, tolerance: tolerance,
                          arithmeticTolerance: arithmetic, unknowns: unknowns, scenarios: scenarios, claims: claims, checks: checks,
                          summary: summary, modelingNotes: notes, constraints: constraints, tables: tables)
    }

    func decodeUnknown(_ name: String, _ node: YNode, _ path: String) -> UnknownParameter? {
        var rangeNode: YNode? = node
        var key = name, template = "{}", why = "", points = 3, log = false
        var resolutionNode: YNode? = nil
        if node.entries != nil {
            guard let f = r.fields(node, path, ["range", "set", "template", "why", "points", "spacing", "resolution"]) else { return nil }
            resolutionNode = f["resolution"]
            log = f.choice("spacing", ["linear": false, "log": true], what: "spacing") ?? false
            rangeNode = f["range"]
            key = f.name("set") ?? name
            template = f.name("template") ?? "{}"
            why = f["why"]?.scalar ?? ""
            points = f.int("points", min: 2, max: 9) ?? 3
            if rangeNode == nil { diag.error(f.origin, path + ".range", "an unknown needs a `range`, e.g. `range: 0s..30s`"); return nil }
            if !template.contains("{}") { diag.error(f.at("template"), path + ".template", "the template must contain `{}` where the value goes, e.g. `exp({})`"); return nil }
        }
        guard let rn = rangeNode, let text = r.text(rn, path, "a range such as 0s..30s or 2..16") else { return nil }
        guard let dots = text.range(of: "..") else {
            diag.error(rn.origin, path, "`\(text)` is not a range; write low..high, e.g. 0s..30s or 2..16")
            return nil
        }
        let a = String(text[..<dots.lowerBound]).trimmingCharacters(in: .whitespaces)
        let b = String(text[dots.upperBound...]).trimmingCharacters(in: .whitespaces)
        // The unit the range is written in: a duration, a percentage, a rate, or a plain count.
        let unit: ClaimUnit = (try? Units.duration(b)) != nil && Units.number(b) == nil ? .seconds
            : b.hasSuffix("%") ? .fraction : b.contains("/") ? .perSecond : .count
        do {
            let lo = try Quantity.parse(a), hi = try Quantity.parse(b)
            guard lo <= hi else { diag.error(rn.origin, path, "a range goes from low to high, not `\(text)`"); return nil }
            if unit == .perSecond && template == "{}" { template = "{}/s" }
            if log && lo <= 0 { diag.error(rn.origin, path, "`spacing: log` needs a range above zero, not `\(text)`"); return nil }
            var resolution: Double? = nil
            if let resNode = resolutionNode, let rt = r.text(resNode, path + ".resolution", "a step such as 50ms or 1") {
                do {
                    let v = try Quantity.parse(rt)
                    guard v > 0, v.isFinite else { diag.error(resNode.origin, path + ".resolution", "the resolution must be above zero, not `\(rt)`"); return nil }
                    resolution = v
                } catch { diag.error(resNode.origin, path + ".resolution", error.message); return nil }
            }
            return UnknownParameter(name: name, overrideKey: key, low: lo, high: hi, template: template,
                                    unit: unit, why: why, points: points, logSpacing: log, resolution: resolution)
        } catch {
            diag.error(rn.origin, path, error.message)
            return nil
        }
    }

    func decodeScenario(_ id: String, _ node: YNode, _ path: String, unknowns: [UnknownParameter]) -> ClaimScenario? {
        guard let f = r.fields(node, path, ["model", "set", "label", "fixed_horizon"]) else { return nil }
        guard let model = f.name("model") else {
            diag.error(f.origin, path + ".model", "a scenario needs `model: FILE.yaml` (relative to the claims file)")
            return nil
        }
        let resolved = model.hasPrefix("/") ? model : (directory as NSString).appendingPathComponent(model)
        if !FileManager.default.fileExists(atPath: resolved) {
            diag.error(f.at("model"), path + ".model", "model file `\(model)` not found (looked for \(resolved))")
        }
        var overrides: [(String, String)] = []
        if let s = f["set"] {
            if let entries = s.entries {
                for e in entries {
                    guard let v = e.value.scalar else {
                        diag.error(e.value.origin, "\(path).set.\(e.key)", "an override is one value in YAML text, e.g. `users: 300` or `\"workload.mix\": \"{a: 1}\"`")
                        continue
                    }
                    overrides.append((e.key, v))
                }
            } else if !s.isNull {
                diag.error(s.origin, path + ".set", "expected a mapping of override key to value, e.g. `{users: 300}`")
            }
        }
        return ClaimScenario(id: id, modelPath: resolved, modelFile: model, overrides: overrides,
                             label: f["label"]?.scalar ?? id, fixedHorizon: f.bool("fixed_horizon") ?? false)
    }

    func decodeClaim(_ node: YNode, _ path: String, scenarios: [ClaimScenario], unknowns: [UnknownParameter]) -> Claim? {
        guard let f = r.fields(node, path, ["id", "table", "row", "column", "quote", "document", "figure", "unit", "better", "read",
                                             "status", "note", "assumes"], what: "claim fields") else { return nil }
        guard let id = f.name("id") else { diag.error(f.origin, path + ".id", "every claim needs an `id`"); return nil }
        let status = f.choice("status", ClaimsDecoder.statuses, what: "status") ?? .judged
        let unit = f.choice("unit", ClaimsDecoder.units, what: "unit") ?? .count
        if !f.has("unit") && status == .judged { diag.error(f.origin, path + ".unit", "claim `\(id)` needs a `unit` (\(ClaimsDecoder.units.map(\.key).joined(separator: ", ")))") }
        let better = f.choice("better", ["lower": Better.lower, "higher": .higher], what: "direction") ?? .lower
        var figure: FigureSpec? = nil
        if let fn = f["figure"], let text = r.text(fn, path + ".figure", "a figure such as 14.5s, 50%..70% or < 1%") {
            do { figure = try FigureSpec.parse(text) } catch { diag.error(fn.origin, path + ".figure", error.message) }
        }
        var read: ClaimExpression? = nil
        let readText = f["read"]?.scalar
        if let rn = f["read"], let text = r.text(rn, path + ".read", "a report reading such as b300:overall.all.mean_seconds") {
            do {
                let e = try ClaimExpressionParser.parse(text)
                checkOperands(e, rn.origin, path + ".read", scenarios: scenarios, unknowns: unknowns, claims: nil)
                if e.readings.isEmpty { diag.error(rn.origin, path + ".read", "a read needs at least one scenario reading, e.g. `b300:overall.all.mean_seconds`") }
                read = e
            } catch { diag.error(rn.origin, path + ".read", error.message) }
        }
        if status == .judged {
            if figure == nil { diag.error(f.origin, path, "claim `\(id)` is judged but has no `figure`; give one, or `status: not_comparable` with a `note` saying why") }
            if read == nil && f["read"] == nil { diag.error(f.origin, path, "claim `\(id)` is judged but has no `read`; give one, or a `status` (model_input, not_a_capacity_claim, not_comparable) with a `note`") }
        } else if (f["note"]?.scalar ?? "").isEmpty {
            diag.error(f.origin, path + ".note", "claim `\(id)` has status `\(status.rawValue)`: its `note` must say why")
        }
        let assumes = f.names("assumes") ?? []
        let documentText = f["document"]?.scalar ?? (f["figure"]?.scalar ?? "")
        return Claim(id: id, table: f["table"]?.scalar ?? "Claims", row: f["row"]?.scalar, column: f["column"]?.scalar,
                     quote: f["quote"]?.scalar ?? "", documentText: documentText, figure: figure, unit: unit, better: better,
                     read: read, readText: readText, status: status, note: f["note"]?.scalar ?? "", assumptions: assumes, line: node.origin.line,
                     readLine: f["read"]?.origin.line, readColumn: f["read"]?.origin.column)
    }

    func decodeCheck(_ node: YNode, _ path: String, claims: [Claim], unknowns: [UnknownParameter]) -> ConsistencyCheck? {
        guard let f = r.fields(node, path, ["id", "table", "law", "quote", "holds", "where", "correction", "correction_unit", "explain"],
                               what: "check fields") else { return nil }
        guard let id = f.name("id") else { diag.error(f.origin, path + ".id", "every check needs an `id`"); return nil }
        var bindings: [(String, ClaimExpression)] = []
        if let w = f["where"] {
            if let entries = w.entries {
                for e in entries {
                    guard let text = r.text(e.value, "\(path).where.\(e.key)", "an expression such as @300.before.throughput or 20ms..50ms") else { continue }
                    do {
                        let ex = try ClaimExpressionParser.parse(text)
                        checkOperands(ex, e.value.origin, "\(path).where.\(e.key)", scenarios: nil, unknowns: unknowns, claims: claims)
                        bindings.append((e.key, ex))
                    } catch { diag.error(e.value.origin, "\(path).where.\(e.key)", error.message) }
                }
            } else if !w.isNull {
                diag.error(w.origin, path + ".where", "expected a mapping of name to expression")
            }
        }
        let names = Set(bindings.map(\.0)).union(unknowns.map(\.name))
        guard let hn = f["holds"], let text = r.text(hn, path + ".holds", "a relation such as `N = X * (R + Z)`") else {
            diag.error(f.origin, path + ".holds", "check `\(id)` needs `holds:` — the relation the law imposes")
            return nil
        }
        var relation: ClaimRelation? = nil
        do {
            let rel = try ClaimExpressionParser.parseRelation(text)
            for side in [rel.lhs, rel.rhs] {
                checkOperands(side, hn.origin, path + ".holds", scenarios: nil, unknowns: unknowns, claims: claims, extraNames: names)
            }
            relation = rel
        } catch { diag.error(hn.origin, path + ".holds", error.message) }
        var correction: ClaimExpression? = nil
        if let cn = f["correction"], let ct = r.text(cn, path + ".correction", "an expression") {
            do {
                let e = try ClaimExpressionParser.parse(ct)
                checkOperands(e, cn.origin, path + ".correction", scenarios: nil, unknowns: unknowns, claims: claims, extraNames: names)
                correction = e
            } catch { diag.error(cn.origin, path + ".correction", error.message) }
        }
        guard let relation else { return nil }
        return ConsistencyCheck(id: id, table: f["table"]?.scalar ?? "Consistency between claims", law: f["law"]?.scalar ?? "arithmetic",
                                quotes: quotes(f, path), relation: relation, relationText: text, bindings: bindings,
                                correction: correction, correctionText: f["correction"]?.scalar,
                                correctionUnit: f.choice("correction_unit", ClaimsDecoder.units, what: "unit"),
                                explanation: f["explain"]?.scalar ?? "", line: node.origin.line)
    }

    /// `quote:` as one excerpt or a list of excerpts (a premise stated in several places).
    func quotes(_ f: Fields, _ path: String) -> [String] {
        guard let node = f["quote"] else { return [] }
        if let items = node.items {
            return items.enumerated().compactMap { i, item in r.text(item, "\(path).quote[\(i)]", "the document's words") }
        }
        return node.isNull ? [] : r.text(node, path + ".quote", "the document's words, or a list of excerpts").map { [$0] } ?? []
    }

    /// Several excerpts shown as one quote.
    public static func joinedQuotes(_ quotes: [String]) -> String { quotes.joined(separator: " … ") }

    func decodeTable(_ node: YNode, _ path: String, claims: [Claim]) -> ClaimTable? {
        guard let f = r.fields(node, path, ["id", "table", "cells", "why"], what: "table fields") else { return nil }
        guard let id = f.name("id") else { diag.error(f.origin, path + ".id", "every table needs an `id`"); return nil }
        let name = f["table"]?.scalar
        var cells: [String] = []
        if let cn = f["cells"] {
            for c in r.names(cn, path + ".cells") ?? [] {
                guard let claim = claims.first(where: { $0.id == c }) else {
                    diag.error(cn.origin, path + ".cells", "unknown claim `\(c)`; \(Suggest.hint(c, claims.map(\.id), noun: "claims"))")
                    continue
                }
                if claim.status != .judged { diag.error(cn.origin, path + ".cells", "claim `\(c)` is not judged: a table's cells are judged claims") }
                cells.append(c)
            }
        } else if let name {
            cells = claims.filter { $0.table == name && $0.status == .judged }.map(\.id)
            if cells.isEmpty {
                diag.error(f.at("table"), path + ".table", "no judged claim has `table: \(name)`; \(Suggest.hint(name, Array(Set(claims.map(\.table))).sorted(), noun: "tables"))")
            }
        } else {
            diag.error(f.origin, path, "table `\(id)` needs `table:` (every judged claim of that table) or `cells:` (claim ids)")
        }
        return ClaimTable(id: id, table: name, cells: cells, why: f["why"]?.scalar ?? "", line: node.origin.line)
    }

    func decodeConstraint(_ node: YNode, _ path: String, scenarios: [ClaimScenario], unknowns: [UnknownParameter], claims: [Claim]) -> UnknownConstraint? {
        guard let f = r.fields(node, path, ["id", "holds", "scenarios", "law", "quote", "explain"], what: "constraint fields") else { return nil }
        guard let id = f.name("id") else { diag.error(f.origin, path + ".id", "every constraint needs an `id`"); return nil }
        guard let hn = f["holds"], let text = r.text(hn, path + ".holds", "a bound such as `think_time >= 15min / 100`") else {
            diag.error(f.origin, path + ".holds", "constraint `\(id)` needs `holds:`, e.g. `think_time >= 15min / 100 - 500ms`")
            return nil
        }
        let relation: ClaimRelation
        do { relation = try ClaimExpressionParser.parseRelation(text) } catch { diag.error(hn.origin, path + ".holds", error.message); return nil }
        guard case let .name(unknown) = relation.lhs, unknowns.contains(where: { $0.name == unknown }) else {
            diag.error(hn.origin, path + ".holds", "the left side must be one unknown (\(unknowns.map { "`\($0.name)`" }.joined(separator: ", "))), e.g. `think_time >= 15min / 100`")
            return nil
        }
        checkOperands(relation.rhs, hn.origin, path + ".holds", scenarios: nil, unknowns: [], claims: claims)
        var applies: [String] = []
        if let sn = f["scenarios"] {
            for name in r.names(sn, path + ".scenarios") ?? [] {
                if scenarios.contains(where: { $0.id == name }) { applies.append(name) } else {
                    diag.error(sn.origin, path + ".scenarios", "unknown scenario `\(name)`; \(Suggest.hint(name, scenarios.map(\.id), noun: "scenarios"))")
                }
            }
        }
        return UnknownConstraint(id: id, unknown: unknown, relation: relation, relationText: text, scenarios: applies,
                                 law: f["law"]?.scalar ?? "the document's own settings", quotes: quotes(f, path),
                                 explanation: f["explain"]?.scalar ?? "", line: node.origin.line)
    }

    /// Every operand must be known: scenarios of readings, names, claim figures.
    func checkOperands(_ e: ClaimExpression, _ origin: Origin, _ path: String, scenarios: [ClaimScenario]?, unknowns: [UnknownParameter],
                       claims: [Claim]?, extraNames: Set<String> = []) {
        if let scenarios {
            for (s, _) in e.readings where !scenarios.contains(where: { $0.id == s }) {
                diag.error(origin, path, "unknown scenario `\(s)`; \(Suggest.hint(s, scenarios.map(\.id), noun: "scenarios"))")
            }
        } else if let (s, _) = e.readings.first {
            diag.error(origin, path, "`\(s):...` reads a simulation; a check relates the document's figures (`@claim-id`) and stated values")
        }
        let known = extraNames.union(unknowns.map(\.name))
        for n in e.names where !known.contains(n) {
            diag.error(origin, path, "unknown name `\(n)`; \(Suggest.hint(n, known.sorted(), noun: "names"))")
        }
        if let claims {
            for id in e.claimFigures {
                guard let c = claims.first(where: { $0.id == id }) else {
                    diag.error(origin, path, "unknown claim `@\(id)`; \(Suggest.hint(id, claims.map(\.id), noun: "claims"))")
                    continue
                }
                if c.figure == nil { diag.error(origin, path, "claim `@\(id)` has no `figure` to use here") }
            }
        }
    }
}
