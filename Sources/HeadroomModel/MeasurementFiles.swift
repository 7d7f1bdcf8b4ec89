import Foundation

// Measurement files a planner already has, read into distributions: columns of samples (with an
// optional weight column), pgbench's per-transaction log, Prometheus `le` histogram buckets and
// HdrHistogram percentile tables. Every error names the file, the line and the column.

/// A table read from a delimited text file: CSV (RFC 4180 quoting, so a pg_stat_statements export
/// whose query text holds commas and newlines reads right), tab-separated, or whitespace-separated
/// (pgbench logs, HdrHistogram tables). Lines that are blank or start with `#` are skipped.
public struct DelimitedTable: Sendable {
    public struct Field: Sendable {
        public var text: String
        /// 1-based character column where the field starts on its line.
        public var column: Int
    }
    public struct Record: Sendable {
        /// 1-based line where the record starts.
        public var line: Int
        public var fields: [Field]
    }
    public enum Separator: Sendable { case comma, tab, whitespace }

    public var path: String
    public var separator: Separator
    /// The first record's fields when it is a header (some field is not a number), else nil.
    public var header: [String]?
    /// Data records, header excluded.
    public var records: Records

    /// The data records, each split into fields when it is read: the table holds the file's
    /// text once and 16 bytes per record, so a large file costs about twice its size in memory
    /// (a record's fields as strings were 5-6 times the line, on top of a copy of every line).
    public struct Records: RandomAccessCollection, Sendable {
        let text: String
        let separator: Separator
        /// UTF-8 offset and 1-based line of each record's start.
        let starts: [(offset: Int, line: Int)]
        public var startIndex: Int { 0 }
        public var endIndex: Int { starts.count }
        public subscript(i: Int) -> Record {
            var text = self.text
            let start = starts[i]
            return text.withUTF8 { bytes in
                Record(line: start.line, fields: DelimitedTable.scanRecord(bytes, from: start.offset, separator: separator, fields: true).fields)
            }
        }
    }

    /// Reads `path` (at most `InputText.measurementFileBytes`; UTF-8 text); `detectHeader: false`
    /// treats every record as data.
    public static func read(path: String, separator forced: Separator? = nil, detectHeader: Bool = true,
                            kind: String = "measurement file") throws(ParseFailure) -> DelimitedTable {
        let text = try InputText.read(path: path, kind: kind, maxBytes: InputText.measurementFileBytes)
        return try parse(text, path: path, separator: forced, detectHeader: detectHeader)
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// Scans one record from `offset`: where the next one starts, how many line breaks it spans,
    /// whether a quoted field is still open at the end of the text, and (with `fields`) its fields.
    /// CSV quoting as RFC 4180: a field that starts with `"` runs to the next lone `"`, over commas
    /// and line breaks, `""` standing for `"`. A line's final carriage return is not part of it.
    static func scanRecord(_ b: UnsafeBufferPointer<UInt8>, from offset: Int, separator: Separator, fields wanted: Bool)
        -> (next: Int, lineBreaks: Int, unclosedColumn: Int?, fields: [Field]) {
        let n = b.count
        var i = offset, breaks = 0
        var fields: [Field] = []
        var column = 1
        func text(_ from: Int, _ to: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
        }
        func isContinuation(_ x: UInt8) -> Bool { x & 0xC0 == 0x80 }
        switch separator {
        case .whitespace:
            var fieldStart = -1, fieldColumn = 0
            while i < n, b[i] != 0x0A {
                let c = b[i]
                if c == 0x20 || c == 0x09 || (c == 0x0D && (i + 1 == n || b[i + 1] == 0x0A)) {
                    if fieldStart >= 0 { if wanted { fields.append(Field(text: text(fieldStart, i), column: fieldColumn)) }; fieldStart = -1 }
                } else if fieldStart < 0 { fieldStart = i; fieldColumn = column }
                if !isContinuation(c) { column += 1 }
                i += 1
            }
            if fieldStart >= 0, wanted { fields.append(Field(text: text(fieldStart, i), column: fieldColumn)) }
            return (i < n ? i + 1 : n, 0, nil, fields)
        case .comma, .tab:
            let sep: UInt8 = separator == .comma ? 0x2C : 0x09
            var cur: [UInt8] = [], curEmpty = true, curStart = 1, quoted = false, inQuotes = false
            func finish() {
                guard wanted else { return }
                if quoted { fields.append(Field(text: String(decoding: cur, as: UTF8.self), column: curStart)); return }
                var lo = 0, hi = cur.count
                while lo < hi, cur[lo] == 0x20 || cur[lo] == 0x09 { lo += 1 }
                while hi > lo, cur[hi - 1] == 0x20 || cur[hi - 1] == 0x09 { hi -= 1 }
                fields.append(Field(text: String(decoding: cur[lo..<hi], as: UTF8.self), column: curStart))
            }
            while true {
                if i == n || b[i] == 0x0A || (b[i] == 0x0D && (i + 1 == n || b[i + 1] == 0x0A)) {
                    var end = i
                    if end < n, b[end] == 0x0D { end += 1 }
                    if inQuotes {
                        // A quoted field runs over the line break (query text with newlines).
                        guard end < n else { return (n, breaks, curStart, fields) }
                        if wanted { cur.append(0x0A) }
                        breaks += 1; i = end + 1; column = 1
                        continue
                    }
                    finish()
                    return (end < n ? end + 1 : n, breaks, nil, fields)
                }
                let c = b[i]
                if inQuotes {
                    if c == 0x22 {
                        if i + 1 < n, b[i + 1] == 0x22 { if wanted { cur.append(0x22) }; i += 2; column += 2; continue }
                        inQuotes = false
                    } else if wanted { cur.append(c) }
                } else if c == 0x22 && curEmpty && !quoted {
                    inQuotes = true; quoted = true
                } else if c == sep {
                    finish()
                    cur.removeAll(keepingCapacity: true); curEmpty = true; quoted = false; curStart = column + 1
                } else {
                    if wanted { cur.append(c) }
                    curEmpty = false
                }
                if !isContinuation(c) { column += 1 }
                i += 1
            }
        }
    }

    public static func parse(_ text: String, path: String, separator forced: Separator? = nil, detectHeader: Bool = true) throws(ParseFailure) -> DelimitedTable {
        var text = text
        /// Whether the physical line at `i` is blank or a `#` comment; and where the next line starts.
        func skippedLine(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (skipped: Bool, next: Int) {
            var k = i
            while k < b.count, b[k] == 0x20 || b[k] == 0x09 { k += 1 }
            let skipped = k == b.count || b[k] == 0x0A || b[k] == 0x23 || (b[k] == 0x0D && (k + 1 == b.count || b[k + 1] == 0x0A))
            var e = k
            while e < b.count, b[e] != 0x0A { e += 1 }
            return (skipped, e < b.count ? e + 1 : b.count)
        }
        let result: Result<(Separator, [(offset: Int, line: Int)]), ParseFailure> = text.withUTF8 { b in
            var i = 0, line = 1
            var separator = forced
            var starts: [(offset: Int, line: Int)] = []
            while i < b.count {
                let s = skippedLine(b, i)
                if s.skipped { i = s.next; line += 1; continue }
                if separator == nil {
                    let lineBytes = UnsafeBufferPointer(rebasing: b[i..<s.next])
                    separator = lineBytes.contains(0x2C) ? .comma : lineBytes.contains(0x09) ? .tab : .whitespace
                }
                let r = scanRecord(b, from: i, separator: separator!, fields: false)
                if let column = r.unclosedColumn {
                    return .failure(ParseFailure("\(path):\(line):\(column): a quoted field is not closed before the end of the file"))
                }
                starts.append((i, line))
                line += r.lineBreaks + 1
                i = r.next
            }
            return .success((separator ?? .whitespace, starts))
        }
        var (separator, starts): (Separator, [(offset: Int, line: Int)])
        switch result {
        case let .success(v): (separator, starts) = v
        case let .failure(e): throw e
        }
        var header: [String]? = nil
        if detectHeader, !starts.isEmpty {
            let first = Records(text: text, separator: separator, starts: [starts[0]])[0]
            if first.fields.contains(where: { !DelimitedTable.looksNumeric($0.text) }) {
                header = first.fields.map(\.text)
                starts.removeFirst()
            }
        }
        return DelimitedTable(path: path, separator: separator, header: header, records: Records(text: text, separator: separator, starts: starts))
    }

    /// A number or a duration with a unit (`12`, `1.5e3`, `12ms`): not a header word.
    static func looksNumeric(_ s: String) -> Bool {
        Units.number(s) != nil || (try? Units.duration(s)) != nil
    }

    /// How many columns the file has (the header's count, else the widest record's).
    public var columnCount: Int { header?.count ?? records.map(\.fields.count).max() ?? 0 }

    /// The 0-based index of a column given by header name (case-insensitive) or 1-based number.
    public func columnIndex(_ name: String, role: String) throws(ParseFailure) -> Int {
        if let n = Int(name) {
            guard n >= 1, n <= max(columnCount, 1) else {
                throw ParseFailure("\(path): \(role) column \(n) does not exist: the file has \(columnCount) column\(columnCount == 1 ? "" : "s")")
            }
            return n - 1
        }
        guard let header else {
            throw ParseFailure("\(path): the file has no header line, so \(role) column `\(name)` cannot be found; give its number instead (1 = first column)")
        }
        if let i = header.firstIndex(where: { $0.lowercased() == name.lowercased() }) { return i }
        throw ParseFailure("\(path):1: no column `\(name)`; \(Suggest.hint(name, header, noun: "columns"))")
    }

    /// The field of `record` at `index`, or an error naming the line.
    public func field(_ record: Record, _ index: Int, name: String) throws(ParseFailure) -> Field {
        guard index < record.fields.count else {
            throw ParseFailure("\(path):\(record.line): the line has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), so column \(index + 1) (`\(name)`) is missing")
        }
        return record.fields[index]
    }

    /// The display name of column `index`.
    public func columnName(_ index: Int) -> String {
        if let header, index < header.count { return header[index] }
        return "column \(index + 1)"
    }

    /// A non-negative finite number in a field, or an error naming file:line:column.
    public func number(_ record: Record, _ index: Int, what: String) throws(ParseFailure) -> Double {
        let f = try field(record, index, name: columnName(index))
        guard let v = Units.number(f.text), v >= 0 else {
            throw ParseFailure("\(path):\(record.line):\(f.column): \(what) (column `\(columnName(index))`) must be a number ≥ 0, not `\(f.text)`")
        }
        return v
    }
}

/// What `empirical(file: ...)` reads; see docs/model-reference.md#empirical-distributions.
public enum MeasurementFormat: String, Sendable, CaseIterable {
    /// Delimited columns of samples (CSV, tab or whitespace), optionally weighted.
    case samples
    /// pgbench's per-transaction log (`pgbench -l`): transaction time in µs, minus the schedule lag
    /// under `--rate`; skipped and failed transactions are left out.
    case pgbench
    /// Prometheus text exposition: cumulative `_bucket{le="..."}` counts of one histogram.
    case prometheus
    /// HdrHistogram's percentile distribution output (`Value Percentile TotalCount 1/(1-Percentile)`,
    /// whitespace or CSV).
    case hdrhistogram
}

/// Options of `empirical(file: ...)`.
public struct MeasurementFileOptions: Sendable {
    public var format: MeasurementFormat = .samples
    /// Header name or 1-based number of the samples column.
    public var column: String?
    /// Header name or 1-based number of a weight (count) column.
    public var weight: String?
    /// Seconds per unit for bare numbers.
    public var unitSeconds: Double?
    /// Prometheus metric (base name, without `_bucket`) when the file holds several histograms.
    public var metric: String?
    public init() {}
}

public enum MeasurementFiles {
    /// Reads a distribution from a measurement file.
    public static func distribution(path: String, options o: MeasurementFileOptions) throws(ParseFailure) -> DistributionSpec {
        switch o.format {
        case .samples: return try samples(path: path, options: o)
        case .pgbench:
            return .empirical(try pgbenchServiceTimes(path: path))
        case .prometheus: return try prometheus(path: path, options: o)
        case .hdrhistogram: return try hdrHistogram(path: path, options: o)
        }
    }

    /// A value in a samples field: a duration with a unit, or a bare number times `unitSeconds`.
    static func duration(_ table: DelimitedTable, _ record: DelimitedTable.Record, _ index: Int, unitSeconds: Double?) throws(ParseFailure) -> Double {
        let f = try table.field(record, index, name: table.columnName(index))
        let place = "\(table.path):\(record.line):\(f.column)"
        let v: Double
        if let n = Units.number(f.text) {
            guard let unitSeconds else {
                throw ParseFailure("\(place): `\(f.text)` in column `\(table.columnName(index))` needs a unit: give `unit: ms` (or us, s) to empirical")
            }
            v = n * unitSeconds
        } else {
            do { v = try Units.duration(f.text) } catch {
                throw ParseFailure("\(place): column `\(table.columnName(index))` should hold a duration: \(error.message)")
            }
        }
        guard v >= 0, v.isFinite else { throw ParseFailure("\(place): `\(f.text)` is negative") }
        return v
    }

    static func samples(path: String, options o: MeasurementFileOptions) throws(ParseFailure) -> DistributionSpec {
        let table = try DelimitedTable.read(path: path, kind: "samples file")
        guard !table.records.isEmpty else { throw ParseFailure("empirical samples file `\(path)` has no values") }
        let valueIndex: Int
        if let c = o.column {
            valueIndex = try table.columnIndex(c, role: "the samples")
        } else {
            guard table.columnCount <= 1 else {
                let names = (0..<table.columnCount).map { table.columnName($0) }
                let line = table.header != nil ? 1 : table.records[0].line
                throw ParseFailure("\(path):\(line): the file has \(table.columnCount) columns (\(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", ..." : "")): say which holds the samples, e.g. empirical(file: \((path as NSString).lastPathComponent), column: \(names.count > 1 ? names[1] : "2"), unit: ms)")
            }
            valueIndex = 0
        }
        var values: [Double] = []
        values.reserveCapacity(table.records.count)
        for r in table.records { values.append(try duration(table, r, valueIndex, unitSeconds: o.unitSeconds)) }
        guard let w = o.weight else { return .empirical(values) }
        let weightIndex = try table.columnIndex(w, role: "the weight")
        var weights: [Double] = []
        for r in table.records { weights.append(try table.number(r, weightIndex, what: "a weight")) }
        guard weights.reduce(0, +) > 0 else { throw ParseFailure("\(path): every weight in column `\(table.columnName(weightIndex))` is zero") }
        return .tabulated(EmpiricalTable(weightedValues: values, weights: weights))
    }

    /// Service times from a pgbench per-transaction log (`pgbench -l`), one per transaction that
    /// completed: `time` (field 3, µs) minus `schedule_lag` (field 7, µs, present with `--rate`,
    /// where pgbench counts `time` from the scheduled start) — the time from the actual start to
    /// the end, i.e. what one transaction took once a client was free to send it.
    public static func pgbenchServiceTimes(path: String) throws(ParseFailure) -> [Double] {
        let table = try DelimitedTable.read(path: path, separator: .whitespace, detectHeader: false, kind: "pgbench log")
        var out: [Double] = []
        out.reserveCapacity(table.records.count)
        for r in table.records {
            guard r.fields.count >= 6 else {
                throw ParseFailure("\(path):\(r.line): a pgbench log line has at least 6 fields (client_id transaction_no time script_no time_epoch time_us [schedule_lag]), this one has \(r.fields.count)")
            }
            let t = r.fields[2]
            if ["skipped", "failed", "serialization", "deadlock"].contains(t.text) { continue }
            guard let micros = Units.number(t.text), micros >= 0 else {
                throw ParseFailure("\(path):\(r.line):\(t.column): the transaction time (field 3, µs) must be a number ≥ 0, not `\(t.text)`")
            }
            var lag = 0.0
            if r.fields.count >= 7 {
                let l = r.fields[6]
                guard let v = Units.number(l.text), v >= 0 else {
                    throw ParseFailure("\(path):\(r.line):\(l.column): the schedule lag (field 7, µs) must be a number ≥ 0, not `\(l.text)`")
                }
                lag = v
            }
            out.append(max(0, micros - lag) / 1e6)
        }
        guard !out.isEmpty else { throw ParseFailure("pgbench log `\(path)` has no completed transactions") }
        return out
    }

    /// Unit of a Prometheus metric from its name's suffix, per the naming conventions.
    static func prometheusUnit(_ metric: String) -> Double? {
        if metric.hasSuffix("_seconds") { return 1 }
        if metric.hasSuffix("_milliseconds") || metric.hasSuffix("_ms") { return 1e-3 }
        if metric.hasSuffix("_microseconds") || metric.hasSuffix("_us") { return 1e-6 }
        return nil
    }

    /// One histogram from Prometheus' text exposition: `NAME_bucket{...,le="0.05"} 1234`. Label sets
    /// other than `le` are summed, as `sum by (le)` does. Inside a bucket the CDF is linear (as
    /// `histogram_quantile` assumes); the first bucket starts at 0. Observations above the last
    /// finite bound cannot be placed and are refused.
    static func prometheus(path: String, options o: MeasurementFileOptions) throws(ParseFailure) -> DistributionSpec {
        let text = try InputText.read(path: path, kind: "Prometheus file", maxBytes: InputText.measurementFileBytes)
        var byMetric: [String: [Double: Double]] = [:]
        var firstLine: [String: Int] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let brace = line.firstIndex(of: "{"), line[..<brace].hasSuffix("_bucket") else { continue }
            let name = String(line[..<brace].dropLast("_bucket".count))
            guard let close = line.lastIndex(of: "}") else {
                throw ParseFailure("\(path):\(i + 1): missing `}` after the labels of `\(name)_bucket`")
            }
            let labels = String(line[line.index(after: brace)..<close])
            guard let leRange = labels.range(of: "le=\"") else {
                throw ParseFailure("\(path):\(i + 1): a `_bucket` line needs an `le` label")
            }
            let rest = labels[leRange.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { throw ParseFailure("\(path):\(i + 1): unterminated `le` label") }
            let leText = String(rest[..<end])
            let le: Double
            if ["+Inf", "Inf", "+inf", "inf"].contains(leText) { le = .infinity }
            else if let v = Double(leText), v.isFinite, v >= 0 { le = v }
            else { throw ParseFailure("\(path):\(i + 1): `le=\"\(leText)\"` is not a bucket bound (a number ≥ 0 or +Inf)") }
            let valueParts = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
            let column = line.distance(from: line.startIndex, to: close) + 3
            guard let first = valueParts.first, let count = Double(first), count >= 0, count.isFinite else {
                throw ParseFailure("\(path):\(i + 1):\(column): the bucket count must be a number ≥ 0")
            }
            if firstLine[name] == nil { firstLine[name] = i + 1 }
            byMetric[name, default: [:]][le, default: 0] += count
        }
        guard !byMetric.isEmpty else {
            throw ParseFailure("\(path): no Prometheus histogram buckets (lines like `http_request_duration_seconds_bucket{le=\"0.1\"} 42`)")
        }
        let name: String
        if let m = o.metric {
            let base = m.hasSuffix("_bucket") ? String(m.dropLast(7)) : m
            guard byMetric[base] != nil else {
                throw ParseFailure("\(path): no histogram `\(base)`; \(Suggest.hint(base, byMetric.keys.sorted(), noun: "histograms"))")
            }
            name = base
        } else {
            guard byMetric.count == 1 else {
                throw ParseFailure("\(path): the file holds \(byMetric.count) histograms (\(byMetric.keys.sorted().joined(separator: ", "))): choose one with `metric:`")
            }
            name = byMetric.keys.first!
        }
        guard let unit = o.unitSeconds ?? prometheusUnit(name) else {
            throw ParseFailure("\(path):\(firstLine[name]!): the unit of `\(name)` is not in its name (`_seconds`, `_milliseconds`): give `unit: s` (or ms) to empirical")
        }
        let buckets = byMetric[name]!.sorted { $0.key < $1.key }
        guard let total = buckets.last, total.key == .infinity else {
            throw ParseFailure("\(path):\(firstLine[name]!): `\(name)` has no `le=\"+Inf\"` bucket (the total count)")
        }
        guard total.value > 0 else { throw ParseFailure("\(path): `\(name)` counted no observations") }
        var edges: [Double] = [0], cumulative: [Double] = [0]
        var previous = 0.0
        for (le, count) in buckets where le.isFinite {
            guard count >= previous else {
                throw ParseFailure("\(path): bucket le=\"\(Units.formatNumber(le))\" of `\(name)` counts \(Units.formatNumber(count)), fewer than the bucket below it (\(Units.formatNumber(previous))): Prometheus buckets are cumulative")
            }
            previous = count
            if le == 0 { cumulative[0] = count / total.value; continue }
            edges.append(le * unit); cumulative.append(count / total.value)
        }
        guard total.value <= previous else {
            let above = total.value - previous
            throw ParseFailure("\(path): \(Units.formatNumber(above)) of the \(Units.formatNumber(total.value)) observations of `\(name)` lie above its last finite bucket (le=\"\(Units.formatNumber((edges.last ?? 0) / unit))\"), where no value can be placed: add a larger bucket")
        }
        return .tabulated(EmpiricalTable(histogramEdges: edges, cumulative: cumulative))
    }

    /// An HdrHistogram percentile table: columns Value, Percentile, TotalCount (1/(1-Percentile)
    /// ignored); mass between consecutive rows is spread uniformly between their values.
    static func hdrHistogram(path: String, options o: MeasurementFileOptions) throws(ParseFailure) -> DistributionSpec {
        let table = try DelimitedTable.read(path: path, kind: "HdrHistogram file")
        let rows = table.records.filter { !($0.fields.first?.text.hasPrefix("#") ?? true) }
        guard !rows.isEmpty else { throw ParseFailure("\(path): no rows of an HdrHistogram percentile table (Value Percentile TotalCount 1/(1-Percentile))") }
        guard let unit = o.unitSeconds else {
            throw ParseFailure("\(path): HdrHistogram values carry no unit: give `unit: ms` (or us, s) to empirical")
        }
        var edges: [Double] = [], counts: [Double] = []
        for r in rows {
            let v = try table.number(r, 0, what: "the value")
            let c = try table.number(r, 2, what: "the total count")
            if let lastCount = counts.last {
                guard c >= lastCount, v >= edges.last! / unit else {
                    throw ParseFailure("\(path):\(r.line): rows must go up in value and total count (a percentile table), this one goes down")
                }
                if c == lastCount { continue }
            }
            edges.append(v * unit); counts.append(c)
        }
        let total = counts.last!
        guard total > 0 else { throw ParseFailure("\(path): the table counts no observations") }
        return .tabulated(EmpiricalTable(histogramEdges: edges, cumulative: counts.map { $0 / total }))
    }
}

/// Weighted samples or a histogram, as the model carries them (the kernel draws them by inverse
/// CDF). Moments are exact for the table.
public struct EmpiricalTable: Sendable, Hashable {
    /// Samples, or histogram edges in increasing order.
    public var values: [Double]
    /// P(X <= values[i]) for a histogram; weights accumulated over file order, over their total,
    /// for weighted samples. Ends at 1.
    public var cumulative: [Double]
    /// True: a histogram (uniform within a bucket; cumulative[0] is a point mass at values[0]).
    public var isHistogram: Bool
    public var mean: Double
    public var variance: Double

    public init(weightedValues values: [Double], weights: [Double]) {
        let total = weights.reduce(0, +)
        var running = 0.0, m = 0.0, m2 = 0.0
        var c: [Double] = []
        for (v, w) in zip(values, weights) {
            running += w; c.append(running / total)
            m += w / total * v; m2 += w / total * v * v
        }
        c[c.count - 1] = 1
        self.values = values; cumulative = c; isHistogram = false
        mean = m; variance = max(0, m2 - m * m)
    }

    public init(histogramEdges edges: [Double], cumulative: [Double]) {
        var c = cumulative
        c[c.count - 1] = 1
        var m = c[0] * edges[0], m2 = c[0] * edges[0] * edges[0]
        if edges.count > 1 {
            for i in 1..<edges.count {
                let p = c[i] - c[i - 1], a = edges[i - 1], b = edges[i]
                m += p * (a + b) / 2; m2 += p * (a * a + a * b + b * b) / 3
            }
        }
        values = edges; self.cumulative = c; isHistogram = true
        mean = m; variance = max(0, m2 - m * m)
    }
}
