import CYaml
import Foundation

/// Where a node came from: a position in the model file, or an override (`--set key=value`).
struct Origin: Sendable, Hashable {
    var line: Int?
    var column: Int?
    /// The override text (`pools.prisma.size=20`) when the node was supplied by an override.
    var override: String?

    static func at(_ line: Int, _ column: Int) -> Origin { Origin(line: line, column: column, override: nil) }
}

/// A small, Sendable YAML tree with positions: what the decoder works on (overrides edit it first).
struct YNode: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// `plain` is false for quoted or block scalars.
        case scalar(String, plain: Bool)
        case map([Entry])
        case seq([YNode])
    }
    struct Entry: Sendable, Hashable {
        var key: String
        var keyOrigin: Origin
        var value: YNode
    }

    var kind: Kind
    var origin: Origin

    var isNull: Bool {
        if case let .scalar(s, plain) = kind, plain, ["", "~", "null", "Null", "NULL"].contains(s) { return true }
        return false
    }
    var scalar: String? {
        if case let .scalar(s, _) = kind { return s }
        return nil
    }
    var entries: [Entry]? {
        if case let .map(e) = kind { return e }
        return nil
    }
    var items: [YNode]? {
        if case let .seq(i) = kind { return i }
        return nil
    }
    subscript(key: String) -> YNode? {
        entries?.first(where: { $0.key == key })?.value
    }
    var kindName: String {
        switch kind {
        case .scalar: return isNull ? "nothing (null)" : "a value"
        case .map: return "a mapping"
        case .seq: return "a list"
        }
    }
}

/// Builds the `YNode` tree straight from libyaml's events.
///
/// Yams' composer was most of the cost of checking a large file: for every mapping it resolves
/// each key's tag with regular expressions to find duplicate keys (an 8 MB network of 86,000
/// stations: 5.2 s of CPU, 43% of it in that duplicate check). Here a key is a string, duplicates
/// are found with a set, and no tag is resolved (tags never changed what a model means: the decoder
/// reads every scalar as text). Aliases become a copy of the anchored node; their number and
/// expanded size were limited by `InputLimits` before this runs.
enum TreeBuilder {
    /// Parses YAML text into a `YNode` tree. Syntax errors become a `ModelError` with file:line:column.
    static func parse(yaml: String, file: String) throws(ModelErrors) -> YNode {
        let text = DistributionQuoting.protect(yaml)
        if let violation = InputLimits.violation(in: text, file: file) { throw ModelErrors([violation]) }
        var composer = Composer(file: file)
        var utf8 = Array(text.utf8)
        let root = utf8.withUnsafeMutableBufferPointer { buffer in composer.compose(buffer) }
        if let failure = composer.failure { throw ModelErrors([failure]) }
        if !composer.errors.isEmpty { throw ModelErrors(composer.errors) }
        return root ?? YNode(kind: .map([]), origin: .at(1, 1))
    }

    /// libyaml's parser events turned into `YNode`s, one document.
    private struct Composer {
        let file: String
        // On the heap: libyaml keeps a pointer to the parser inside it (its string reader's data),
        // so the parser must not move while it is used.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let eventStorage = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        var event: yaml_event_t { eventStorage.pointee }
        /// The node each anchor names (a later definition shadows an earlier one, as in YAML).
        var anchors: [String: YNode] = [:]
        /// Problems that do not stop composing (a list used as a mapping key).
        var errors: [ModelError] = []
        /// A syntax error: composing stops.
        var failure: ModelError?

        init(file: String) { self.file = file }

        mutating func compose(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> YNode? {
            parser.initialize(to: yaml_parser_t())
            eventStorage.initialize(to: yaml_event_t())
            defer {
                yaml_event_delete(eventStorage)
                parser.deallocate()
                eventStorage.deallocate()
            }
            guard yaml_parser_initialize(parser) == 1 else {
                failure = ModelError(file: file, line: nil, column: nil, keyPath: "", message: "cannot read YAML: out of memory")
                return nil
            }
            defer { yaml_parser_delete(parser) }
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            guard next(), event.type == YAML_STREAM_START_EVENT, next() else { return nil }
            if event.type == YAML_STREAM_END_EVENT { return nil }
            // DOCUMENT-START, the root node, DOCUMENT-END, then STREAM-END (or another document).
            guard next(), let root = node() else { return nil }
            guard next(), next() else { return nil }
            if event.type != YAML_STREAM_END_EVENT {
                failure = ModelError(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1, keyPath: "",
                                     message: "YAML syntax error: but found another document (expected a single document in the stream at line 1)")
                return nil
            }
            return root
        }

        /// Reads the next event into `event` (deleting the previous one); false after a syntax error.
        private mutating func next() -> Bool {
            yaml_event_delete(eventStorage)
            guard yaml_parser_parse(parser, eventStorage) == 1 else {
                failure = syntaxError()
                return false
            }
            return true
        }

        private func syntaxError() -> ModelError {
            let parser = self.parser.pointee
            if parser.error == YAML_READER_ERROR {
                let problem = parser.problem.map { String(cString: $0) } ?? "unreadable input"
                return ModelError(file: file, line: nil, column: nil, keyPath: "", message: "cannot read YAML: \(problem)")
            }
            let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
            let line = Int(parser.problem_mark.line) + 1, column = Int(parser.problem_mark.column) + 1
            if problem.hasPrefix("Maximum nesting level reached") {
                return ModelError(file: file, line: line, column: column, keyPath: "", message: InputLimits.nestingMessage)
            }
            var message = "YAML syntax error: \(problem)"
            if let context = parser.context {
                message += " (\(String(cString: context)) at line \(Int(parser.context_mark.line) + 1))"
            }
            return ModelError(file: file, line: line, column: column, keyPath: "", message: message)
        }

        private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }

        /// The node that starts at the current event; on return `event` is its last event. A key's
        /// text is kept as written: distribution syntax is protected inside values only.
        private mutating func node(isKey: Bool = false) -> YNode? {
            let mark = event.start_mark
            let origin = Origin.at(Int(mark.line) + 1, Int(mark.column) + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let bytes = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
                let text = String(decoding: bytes, as: UTF8.self)
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE || scalar.style == YAML_ANY_SCALAR_STYLE
                let node = YNode(kind: .scalar(plain && !isKey ? DistributionQuoting.restore(text) : text, plain: plain), origin: origin)
                if let anchor = Self.string(scalar.anchor) { anchors[anchor] = node }
                return node
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    failure = ModelError(file: file, line: origin.line, column: origin.column, keyPath: "",
                                         message: "YAML syntax error: found undefined alias `*\(name)`")
                    return nil
                }
                return target
            case YAML_SEQUENCE_START_EVENT:
                let anchor = Self.string(event.data.sequence_start.anchor)
                var items: [YNode] = []
                while true {
                    guard next() else { return nil }
                    if event.type == YAML_SEQUENCE_END_EVENT { break }
                    guard let item = node() else { return nil }
                    items.append(item)
                }
                let node = YNode(kind: .seq(items), origin: origin)
                if let anchor { anchors[anchor] = node }
                return node
            case YAML_MAPPING_START_EVENT:
                let anchor = Self.string(event.data.mapping_start.anchor)
                var entries: [YNode.Entry] = []
                // Where each key first appears, and the keys that appear again.
                var firstOrigin: [String: Origin] = [:]
                var duplicates: [String: Origin] = [:]
                // YAML merge keys (`<<: *base`): where each was, and what it merges.
                var merges: [(position: Int, origin: Origin, value: YNode)] = []
                while true {
                    guard next() else { return nil }
                    if event.type == YAML_MAPPING_END_EVENT { break }
                    guard let key = node(isKey: true) else { return nil }
                    guard next(), let value = node() else { return nil }
                    guard let name = key.scalar else {
                        errors.append(ModelError(file: file, line: key.origin.line, column: key.origin.column, keyPath: "",
                                                 message: "mapping keys must be plain names, not a list or mapping"))
                        continue
                    }
                    if let first = firstOrigin[name] { duplicates[name] = first } else { firstOrigin[name] = key.origin }
                    if name == "<<", case .scalar(_, plain: true) = key.kind {
                        merges.append((entries.count, key.origin, value))
                        continue
                    }
                    entries.append(YNode.Entry(key: name, keyOrigin: key.origin, value: value))
                }
                if let first = duplicates.keys.min() {
                    let at = duplicates[first]!
                    failure = ModelError(file: file, line: at.line, column: at.column, keyPath: "",
                                         message: "duplicate key(s) \(duplicates.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")) in one mapping")
                    return nil
                }
                if !merges.isEmpty { entries = merged(entries, merges) }
                let node = YNode(kind: .map(entries), origin: origin)
                if let anchor { anchors[anchor] = node }
                return node
            default:
                failure = ModelError(file: file, line: origin.line, column: origin.column, keyPath: "", message: "YAML syntax error: unexpected event")
                return nil
            }
        }

        /// YAML 1.1 merge keys (yaml.org/type/merge.html): `<<: *base` or `<<: [*a, *b]` adds the
        /// entries of those mappings that the mapping does not give itself; with a list, an earlier
        /// mapping wins over a later one. Merged entries keep their own positions, so an error
        /// inside them points into the mapping they came from. They go where `<<` was written.
        private mutating func merged(_ explicit: [YNode.Entry], _ merges: [(position: Int, origin: Origin, value: YNode)]) -> [YNode.Entry] {
            var taken = Set(explicit.map(\.key))
            var out: [YNode.Entry] = []
            var next = 0
            for merge in merges {
                out.append(contentsOf: explicit[next..<merge.position])
                next = merge.position
                let sources: [YNode]
                switch merge.value.kind {
                case .map: sources = [merge.value]
                case let .seq(items) where items.allSatisfy({ $0.entries != nil }): sources = items
                default:
                    errors.append(ModelError(file: file, line: merge.origin.line, column: merge.origin.column, keyPath: "",
                                             message: "the merge key `<<` takes a mapping or a list of mappings (e.g. `<<: *defaults`), found \(merge.value.kindName)"))
                    continue
                }
                for source in sources {
                    for entry in source.entries ?? [] where taken.insert(entry.key).inserted { out.append(entry) }
                }
            }
            out.append(contentsOf: explicit[next...])
            return out
        }
    }
}

/// The documented distribution syntax (`uniform(10ms, 30ms)`, `lognormal(mean: 100ms, cv: 0.5)`,
/// `empirical(values: [1ms, 2ms])`) is not valid inside YAML plain scalars as is: `: ` starts a mapping
/// value and, in flow collections (`{time: uniform(1ms, 2ms)}`), `,` `[` `]` split the scalar.
/// Before parsing, inside the parentheses of a known function name (outside quotes and comments), those
/// characters are swapped for same-length stand-ins, so every line and column stays where it was; the
/// scalar text is restored after parsing.
enum DistributionQuoting {
    static let functions: Set<String> = [
        "const", "exp", "uniform", "normal", "lognormal", "gamma", "erlang", "weibull", "pareto",
        "hyperexp", "empirical", "poisson", "geometric", "zipf", "binomial",
    ]
    // Private-use code points: printable for YAML, one column wide for libyaml, never typed by people.
    static let colon: Character = "\u{E001}"
    static let comma: Character = "\u{E002}"
    static let open: Character = "\u{E003}"
    static let close: Character = "\u{E004}"
    static let braceOpen: Character = "\u{E005}"
    static let braceClose: Character = "\u{E006}"

    /// The stand-ins' UTF-8 bytes: U+E001...U+E006 are EE 80 81...EE 80 86.
    private static func standIn(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: ":"): return 0x81
        case UInt8(ascii: ","): return 0x82
        case UInt8(ascii: "["): return 0x83
        case UInt8(ascii: "]"): return 0x84
        case UInt8(ascii: "{"): return 0x85
        case UInt8(ascii: "}"): return 0x86
        default: return nil
        }
    }

    /// Works on UTF-8 bytes, line by line (a line ends at LF, so CRLF files too): every character
    /// it looks at is ASCII, and a byte of a multi-byte character is never ASCII. A name before `(`
    /// is letters, digits, `_` and non-ASCII characters, as before (`café(` is no function).
    static func protect(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var quote: UInt8? = nil
        var depth = 0
        var inComment = false
        var lineStart = 0
        for b in text.utf8 {
            if b == UInt8(ascii: "\n") {
                out.append(b)
                quote = nil; depth = 0; inComment = false
                lineStart = out.count
                continue
            }
            if inComment { out.append(b); continue }
            if depth > 0 {
                if b == UInt8(ascii: "(") { depth += 1 } else if b == UInt8(ascii: ")") { depth -= 1 }
                if let low = standIn(b) { out.append(contentsOf: [0xEE, 0x80, low]) } else { out.append(b) }
                continue
            }
            let previous: UInt8? = out.count > lineStart ? out[out.count - 1] : nil
            if let q = quote {
                if b == q { quote = nil }
                out.append(b)
                continue
            }
            if b == UInt8(ascii: "#") && (previous == nil || previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t")) {
                inComment = true
                out.append(b)
                continue
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                if previous.map({ Array(" \t[{,:-".utf8).contains($0) }) ?? true { quote = b }
                out.append(b)
                continue
            }
            if b == UInt8(ascii: "(") {
                var j = out.count
                while j > lineStart, Self.isNameByte(out[j - 1]) { j -= 1 }
                if j < out.count {
                    let name = String(decoding: out[j..<out.count], as: UTF8.self).lowercased()
                    if functions.contains(name) { depth = 1 }
                }
            }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
    }

    static func restore(_ s: String) -> String {
        guard s.contains(where: { $0.unicodeScalars.first.map { $0.value >= 0xE001 && $0.value <= 0xE006 } ?? false }) else { return s }
        return String(s.map { c -> Character in
            switch c {
            case colon: return ":"
            case comma: return ","
            case open: return "["
            case close: return "]"
            case braceOpen: return "{"
            case braceClose: return "}"
            default: return c
            }
        })
    }
}
