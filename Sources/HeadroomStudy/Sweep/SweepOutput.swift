import Foundation
import HeadroomKernel
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

// MARK: - Manifest

/// `sweep.json`: what a sweep directory holds. `--resume` and `headroom merge` refuse directories
/// whose manifest differs (another model file, grid, settings or columns).
public struct SweepManifest: Codable, Sendable, Hashable {
    public struct Model: Codable, Sendable, Hashable {
        public var path: String
        public var name: String
        /// FNV-1a 64 of the model file's bytes: a changed file is another sweep.
        public var digest: String
    }
    public struct Axis: Codable, Sendable, Hashable {
        public var key: String
        /// The full dotted path the key resolves to in this model.
        public var path: String
        public var values: [String]
        /// The axis's column in `cells.csv` where it is not `key`: values in one unit written as
        /// numbers with the unit in the name (`rate_per_second`, `pools.prisma.acquire_timeout_seconds`).
        /// Absent for plain numbers and words, so such sweeps' manifests are what they were.
        public var column: String?

        public init(key: String, path: String, values: [String]) {
            self.key = key
            self.path = path
            self.values = values
            let c = SweepAxisColumn(values: values).name(key)
            column = c == key ? nil : c
        }

        /// The header of this axis's column in `cells.csv`.
        public var csvColumn: String { column ?? key }
    }
    public struct Settings: Codable, Sendable, Hashable {
        public var replications: Int?
        public var horizonSeconds: Double?
        /// Seconds, `auto`, or nil (the model's).
        public var warmup: String?
        public var seed: String?

        enum CodingKeys: String, CodingKey {
            case replications, horizonSeconds = "horizon_seconds", warmup, seed
        }
    }
    public struct Shard: Codable, Sendable, Hashable {
        public var index: Int
        public var count: Int
    }

    public var schema: String
    public var model: Model
    public var axes: [Axis]
    /// Overrides applied to every cell (`plan --set`), not varied.
    public var fixed: [String: String]
    /// Command-line replacements of the model's `simulation` settings (nil: the model's).
    public var settings: Settings
    /// Cells of the whole grid (all shards).
    public var cells: Int
    public var shard: Shard?
    /// The header of `cells.csv`.
    public var columns: [String]

    /// `/2`: every `cells.jsonl` line ends with the checksum of the cell (docs/sweeps.md).
    public static let schemaName = "headroom.sweep/2"

    /// Pretty JSON with sorted keys: the same manifest is always the same bytes.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func read(directory: String) throws(SweepError) -> SweepManifest? {
        let path = SweepFiles.manifest(directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError("cannot read `\(path)`", kind: .data)
        }
        do {
            let m = try JSONDecoder().decode(SweepManifest.self, from: data)
            guard m.schema == schemaName else {
                throw SweepError("`\(path)` is a `\(m.schema)` manifest; this headroom reads `\(schemaName)`", kind: .data)
            }
            return m
        } catch let e as SweepError {
            throw e
        } catch {
            throw SweepError("`\(path)` is not a sweep manifest: \(error)", kind: .data)
        }
    }
}

/// File names inside a sweep directory.
public enum SweepFiles {
    public static func manifest(_ dir: String) -> String { (dir as NSString).appendingPathComponent("sweep.json") }
    public static func csv(_ dir: String) -> String { (dir as NSString).appendingPathComponent("cells.csv") }
    public static func jsonl(_ dir: String) -> String { (dir as NSString).appendingPathComponent("cells.jsonl") }
    /// Held (flock) by the sweep writing the directory; removed when it finishes.
    static let lockName = "sweep.lock"

    /// FNV-1a, 64 bits.
    static func digest(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return "fnv1a64:" + String(h, radix: 16)
    }
}

// MARK: - Columns

/// The figures of a report that `cells.csv` carries, one `mean, ci_low, ci_high` triple each
/// (the full report of every cell is in `cells.jsonl`). See docs/sweeps.md.
enum SweepColumns {
    /// Per section, the figures marked as sweep columns in the metric catalog, in report order.
    static let metrics: [String: [String]] = Dictionary(
        ReportSectionName.allCases.map { s in (s.rawValue, MetricCatalog.specs(s).filter(\.sweepColumn).map(\.key)) },
        uniquingKeysWith: { a, _ in a })

    /// The report items a model produces, per section, in report order (the names the engine gives them).
    static func items(of model: Model) -> [(section: String, names: [String])] {
        var out: [(String, [String])] = []
        if let network = model.network {
            out.append(("stations", network.stations.map(\.name)))
            out.append(("network", ["network"]))
            return out
        }
        out.append(("endpoints", model.endpoints.map(\.name)))
        if !model.endpoints.isEmpty {
            out.append(("overall", ["all"]))
            out.append(("failures", FailureCause.allCases.map(\.key)))
        }
        out.append(("instances", ["workers"]))
        if model.instances.threads != nil { out.append(("threads", ["threads"])) }
        out.append(("pools", model.pools.map(\.name)))
        out.append(("poolers", model.poolers.map(\.name)))
        if let db = model.database {
            out.append(("database_nodes", ["primary"] + (0..<max(0, db.replicas)).map { "replica-\($0 + 1)" }))
            out.append(("database", ["connections"]))
        }
        out.append(("caches", model.caches.map(\.name)))
        out.append(("job_queues", model.jobQueues.map(\.name)))
        out.append(("upstreams", model.upstreams.map(\.name)))
        out.append(("faults", ["orphaned_writes"]))
        return out
    }

    /// (section, item, metric) for every figure column, the union over `models` in section order.
    static func figures(_ models: [Model]) -> [(section: String, item: String, metric: String)] {
        var names: [String: [String]] = [:]
        for m in models {
            for (section, items) in items(of: m) {
                var list = names[section] ?? []
                for n in items where !list.contains(n) { list.append(n) }
                names[section] = list
            }
        }
        var out: [(String, String, String)] = []
        for section in StudyReport.sectionNames {
            for item in names[section] ?? [] {
                for metric in metrics[section] ?? [] { out.append((section, item, metric)) }
            }
        }
        return out
    }

    /// `axes`: the axes' column names (`SweepManifest.Axis.csvColumn`).
    static func header(axes: [String], figures: [(section: String, item: String, metric: String)]) -> [String] {
        var h = ["cell"] + axes + ["replications"]
        for f in figures {
            let base = "\(f.section).\(f.item).\(f.metric)"
            h += [base, base + ".ci_low", base + ".ci_high"]
        }
        return h
    }
}

/// How an axis is written in `cells.csv`: values that are all durations, all rates or all
/// percentages become numbers in seconds, per second or as fractions, the unit in the column's
/// name, so a notebook or spreadsheet reads them as numbers (`rate_per_second` 100, not `100/s`);
/// plain numbers and anything else (words, distributions, mixed units) are written as given.
package struct SweepAxisColumn: Sendable, Hashable {
    package enum Unit: Sendable, Hashable {
        case asGiven, seconds, perSecond, fraction

        /// Appended to the key: the convention of the figure columns (`p95_seconds`).
        var suffix: String {
            switch self {
            case .asGiven: return ""
            case .seconds: return "_seconds"
            case .perSecond: return "_per_second"
            case .fraction: return "_fraction"
            }
        }
    }

    package var unit: Unit

    package init(values: [String]) {
        let units = Set(values.map(Self.unit(of:)))
        unit = units.count == 1 ? units.first! : .asGiven
    }

    /// The unit of one value: `250ms` seconds, `100/s` per second, `5%` a fraction, else as given.
    static func unit(of value: String) -> Unit {
        let t = value.trimmingCharacters(in: .whitespaces)
        if let n = SweepAxis.numberWithUnit(t), n.unit.isEmpty { return .asGiven }
        if let d = try? Units.duration(t), d.isFinite { return .seconds }
        if let r = try? Units.rate(t), r.isFinite { return .perSecond }
        if t.hasSuffix("%"), let n = SweepAxis.numberWithUnit(String(t.dropLast())), n.unit.isEmpty { return .fraction }
        return .asGiven
    }

    /// The column's name for axis `key`.
    package func name(_ key: String) -> String { key + unit.suffix }

    /// The CSV field of `value`: the number in the column's unit, or the text as given.
    package func field(_ value: String) -> String {
        guard unit != .asGiven, let v = SweepAxis.numericValue(value) else { return csvField(value) }
        return csvNumber(v)
    }
}

// MARK: - Rows

enum SweepRows {
    /// `columns`: how each axis is written (one per value, in axis order).
    static func csvLine(cell: Int, values: [String], columns: [SweepAxisColumn], report: StudyReport,
                        figures: [(section: String, item: String, metric: String)]) -> String {
        var fields = [String(cell)] + zip(values, columns).map { $1.field($0) } + [String(report.settings.replications)]
        for f in figures {
            if let e = report[f.section, f.item]?[f.metric]?.estimate {
                fields += [csvNumber(e.mean), csvNumber(e.lower), csvNumber(e.upper)]
            } else {
                fields += ["", "", ""]
            }
        }
        return fields.joined(separator: ",") + "\n"
    }

    /// `{"cell":3,"values":{...},"report":{...},"checksum":"fnv1a64:..."}` and a newline, where the
    /// checksum covers this line before it and the cell's CSV row (`csvLine`, so an edit of either
    /// file is caught).
    static func jsonLine(cell: Int, keys: [String], values: [String], report: StudyReport, csvLine: String) -> String {
        let line = JSONValue.object([
            ("cell", .int(cell)),
            ("values", .object(zip(keys, values).map { ($0, .string($1)) })),
            ("report", report.json),
        ])
        var s = ""
        line.writeCompact(into: &s)
        s.removeLast() // the closing brace: the checksum is the last member
        let row = csvLine.hasSuffix("\n") ? Substring(csvLine.dropLast()) : Substring(csvLine)
        return s + checksumKey + checksum(body: Substring(s), csvRow: row) + "\"}\n"
    }

    static let checksumKey = ",\"checksum\":\""

    /// FNV-1a 64 of the JSONL line up to its checksum member, a newline, and the CSV row: it
    /// detects an edited or damaged cell (it is no defence against someone who recomputes it).
    static func checksum(body: Substring, csvRow: Substring) -> String {
        SweepFiles.digest(Data(body.utf8) + Data([0x0A]) + Data(csvRow.utf8))
    }

    /// Whether a `cells.jsonl` line (without its newline) carries the checksum of its content and
    /// of `csvRow`, the same cell's row in `cells.csv`.
    static func intact(jsonl line: Substring, csvRow: Substring) -> Bool {
        guard line.hasSuffix("\"}"), let key = line.range(of: checksumKey, options: .backwards) else { return false }
        let recorded = line[key.upperBound..<line.index(line.endIndex, offsetBy: -2)]
        return recorded == checksum(body: line[..<key.lowerBound], csvRow: csvRow)
    }

    /// The cell index a `cells.csv` row or `cells.jsonl` line starts with.
    static func cellIndex(csv line: Substring) -> Int? {
        guard let comma = line.firstIndex(of: ",") else { return Int(line) }
        return Int(line[..<comma])
    }

    static func cellIndex(jsonl line: Substring) -> Int? {
        let prefix = "{\"cell\":"
        guard line.hasPrefix(prefix), line.hasSuffix("}") else { return nil }
        let rest = line.dropFirst(prefix.count)
        guard let comma = rest.firstIndex(of: ",") else { return nil }
        return Int(rest[..<comma])
    }
}

extension JSONValue {
    /// One line, no spaces: the JSONL form.
    func writeCompact(into out: inout String) {
        switch self {
        case let .object(entries):
            out += "{"
            for (i, (k, v)) in entries.enumerated() {
                if i > 0 { out += "," }
                out += JSONValue.quote(k) + ":"
                v.writeCompact(into: &out)
            }
            out += "}"
        case let .array(items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.writeCompact(into: &out)
            }
            out += "]"
        default:
            write(into: &out, indent: 0)
        }
    }
}

// MARK: - Files

/// Appends whole lines with one `write(2)` each on an `O_APPEND` descriptor: a line is on disk
/// entirely or (if the process dies inside the call) as a tail without its newline, which
/// `--resume` drops. Like `OutputFile`, it writes regular files only (never through a link).
final class LineAppender: @unchecked Sendable {
    private let fd: Int32
    let path: String

    init(path: String) throws(SweepError) {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o666)
        guard fd >= 0 else { throw SweepError("cannot open `\(path)`: \(String(cString: strerror(errno)))", kind: .output) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SweepError("refusing to append to `\(path)`: it is not a regular file", kind: .output)
        }
    }

    deinit { close(fd) }

    func append(_ line: String) throws(SweepError) {
        if let failure = OutputFile.writeAll(fd, line) {
            throw SweepError("cannot append to `\(path)`: \(String(cString: strerror(failure)))", kind: .output)
        }
    }
}

package enum SweepFileIO {
    /// The files of a sweep directory go through the commands' one writer (`OutputFile`): regular
    /// files only, a temporary file renamed over the old one.
    static func writeAtomically(_ text: String, to path: String) throws(SweepError) {
        do {
            try OutputFile.write(text, to: path)
        } catch {
            throw SweepError(error.message, kind: .output)
        }
    }

    /// Complete lines (each ending in a newline) of a file; a trailing partial line is dropped.
    package static func completeLines(_ path: String) throws(SweepError) -> [Substring] {
        var info = stat()
        guard lstat(path, &info) == 0 else { return [] }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let what = info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "not a regular file"
            throw SweepError("refusing to use `\(path)`: it is \(what); a sweep directory holds regular files only", kind: .output)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError("cannot read `\(path)`", kind: .data)
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast() // after the last newline: empty, or a partial line
        return lines.filter { !$0.isEmpty }
    }

    /// Creates `dir` and its missing parents; a failure says which component and why in plain
    /// words (`/dev/full` is not a directory), not Foundation's "NSCocoaErrorDomain error 512".
    static func makeDirectory(_ dir: String) throws(SweepError) {
        var prefix = dir.hasPrefix("/") ? "/" : ""
        for component in dir.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw SweepError("cannot create the directory `\(dir)`: `\(prefix)` is not a directory", kind: .output)
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw SweepError("cannot create the directory `\(dir)`: \(prefix == dir ? "" : "`\(prefix)`: ")\(String(cString: strerror(errno)))", kind: .output)
            }
        }
    }
}

/// The rows of a sweep directory that are complete in both files and intact, keyed by cell.
struct SweepRowSet {
    var csv: [Int: String] = [:]
    var jsonl: [Int: String] = [:]
    /// Cells in both files whose checksum does not match (edited or damaged): left out of `csv`
    /// and `jsonl`, so `--resume` runs them again and `merge` refuses them.
    var damaged: [Int] = []

    /// Reads `cells.csv` and `cells.jsonl`; keeps cells present in both (first occurrence) whose
    /// checksum matches.
    static func read(directory: String, header: String) throws(SweepError) -> SweepRowSet {
        var set = SweepRowSet()
        let csvLines = try SweepFileIO.completeLines(SweepFiles.csv(directory))
        if let first = csvLines.first, first != header {
            throw SweepError("`\(SweepFiles.csv(directory))` has other columns than this sweep", kind: .data)
        }
        var csv: [Int: String] = [:], jsonl: [Int: String] = [:]
        for line in csvLines.dropFirst() {
            if let i = SweepRows.cellIndex(csv: line), csv[i] == nil { csv[i] = String(line) }
        }
        for line in try SweepFileIO.completeLines(SweepFiles.jsonl(directory)) {
            if let i = SweepRows.cellIndex(jsonl: line), jsonl[i] == nil { jsonl[i] = String(line) }
        }
        for (i, row) in csv {
            guard let line = jsonl[i] else { continue }
            if SweepRows.intact(jsonl: Substring(line), csvRow: Substring(row)) {
                set.csv[i] = row
                set.jsonl[i] = line
            } else {
                set.damaged.append(i)
            }
        }
        set.damaged.sort()
        return set
    }

    /// Writes both files sorted by cell index, atomically.
    func write(directory: String, header: String) throws(SweepError) {
        let cells = csv.keys.sorted()
        var csvText = header + "\n"
        var jsonText = ""
        for i in cells {
            csvText += csv[i]! + "\n"
            jsonText += jsonl[i]! + "\n"
        }
        try SweepFileIO.writeAtomically(jsonText, to: SweepFiles.jsonl(directory))
        try SweepFileIO.writeAtomically(csvText, to: SweepFiles.csv(directory))
    }
}
