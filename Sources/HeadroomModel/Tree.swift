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
        var parser = yaml_parser_t()
        var event = yaml_event_t()
        /// The node each anchor names (a later definition shadows an earlier one, as in YAML).
        var anchors: [String: YNode] = [:]
        /// Problems that do not stop composing (a list used as a mapping key).
        var errors: [ModelError] = []
        /// A syntax error: composing stops.
        var failure: ModelError?

        init(file: String) { self.file = file }

        mutating func compose(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> YNode? {
            guard yaml_parser_initialize(&parser) == 1 else {
                failure = ModelError(file: file, line: nil, column: nil, keyPath: "", message: "cannot read YAML: out of memory")
                return nil
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
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
            yaml_event_delete(&event)
            guard yaml_parser_parse(&parser, &event) == 1 else {
                failure = syntaxError()
                return false
            }
            return true
        }

        private func syntaxError() -> ModelError {
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
                    entries.append(YNode.Entry(key: name, keyOrigin: key.origin, value: value))
                }
                if let first = duplicates.keys.min() {
                    let at = duplicates[first]!
                    failure = ModelError(file: file, line: at.line, column: at.column, keyPath: "",
                                         message: "duplicate key(s) \(duplicates.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")) in one mapping")
                    return nil
                }
                let node = YNode(kind: .map(entries), origin: origin)
                if let anchor { anchors[anchor] = node }
                return node
            default:
                failure = ModelError(file: file, line: origin.line, column: origin.column, keyPath: "", message: "YAML syntax error: unexpected event")
                return nil
            }
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

    static func protect(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { out.append("\n") }
            out.append(contentsOf: protectLine(Array(line)))
        }
        return out
    }

    private static func protectLine(_ chars: [Character]) -> String {
        var result = chars
        var quote: Character? = nil
        var depth = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if depth > 0 {
                switch c {
                case "(": depth += 1
                case ")": depth -= 1
                case ":": result[i] = colon
                case ",": result[i] = comma
                case "[": result[i] = open
                case "]": result[i] = close
                case "{": result[i] = braceOpen
                case "}": result[i] = braceClose
                default: break
                }
                i += 1
                continue
            }
            if let q = quote {
                if c == q { quote = nil }
                i += 1
                continue
            }
            if c == "#" && (i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t") { break }
            if (c == "\"" || c == "'") && (i == 0 || " \t[{,:-".contains(chars[i - 1])) {
                quote = c
                i += 1
                continue
            }
            if c == "(" {
                var j = i
                while j > 0 && (chars[j - 1].isLetter || chars[j - 1].isNumber || chars[j - 1] == "_") { j -= 1 }
                let name = String(chars[j..<i]).lowercased()
                if functions.contains(name) { depth = 1 }
            }
            i += 1
        }
        return String(result)
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
