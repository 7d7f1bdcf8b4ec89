import CYaml
import Foundation

/// The documented size limits of a model file (docs/model-reference.md, "Limits"), checked on
/// libyaml's event stream before any tree is built, so a hostile file costs time and memory in
/// proportion to its bytes, never to what it would expand to.
///
/// Yams composes an alias (`*name`) as the anchored node itself: nine nested levels of ten aliases
/// (500 bytes) stand for 10^9 nodes, which converting to our tree would visit one by one. The scan
/// below computes each anchor's expanded size from the events, without expanding anything, and
/// refuses the file at the alias that passes a limit. Nesting depth is limited because composing
/// and decoding recurse once per level.
public enum InputLimits {
    /// Bytes in a model file (a bundled model is under 20 kB; 100,000 steps are about 2 MB).
    public static let fileBytes = 32 * 1024 * 1024
    /// Levels of nested lists and mappings (the bundled models use at most 9).
    public static let nestingDepth = 100
    /// Items in one list or entries in one mapping.
    public static let itemsPerCollection = 100_000
    /// YAML nodes (scalars, lists, mappings) in the whole file, counting each alias as the nodes it
    /// stands for.
    public static let nodes = 2_000_000
    /// Uses of aliases (`*name`) in a file.
    public static let aliases = 1_000
    /// Nodes that aliases may add to the file, all uses together.
    public static let aliasExpansionNodes = 100_000

    static let nestingMessage = "lists and mappings are nested more than \(nestingDepth) levels deep here; a model may nest at most \(nestingDepth)"

    /// The first place where `text` (as libyaml will read it) passes a limit, or nil. Syntax errors
    /// end the scan without a finding: the parser reports them with their position.
    static func violation(in text: String, file: String) -> ModelError? {
        if let e = forbiddenCharacter(in: text, file: file) { return e }
        if text.utf8.count > fileBytes {
            return ModelError(file: file, line: nil, column: nil, keyPath: "",
                              message: "the file has \(text.utf8.count) bytes; a model file may have at most \(fileBytes) (\(fileBytes / 1024 / 1024) MB)")
        }
        return scanEvents(text, file: file)
    }

    /// YAML 1.1 allows tab, line feed, carriage return, NEL and printable characters only; libyaml
    /// refuses the rest with a byte offset, not a line. Said here with file:line:column.
    static func forbiddenCharacter(in text: String, file: String) -> ModelError? {
        var line = 1, column = 1
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let allowed = v == 0x09 || v == 0x0A || v == 0x0D || v == 0x85 || (0x20...0x7E).contains(v)
                || (0xA0...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
            if !allowed {
                let name = v == 0 ? "a NUL byte (U+0000)" : String(format: "the control character U+%04X", v)
                return ModelError(file: file, line: line, column: column, keyPath: "",
                                  message: "\(name) is not allowed in a YAML file (only tab, line breaks and printable characters)")
            }
            if v == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return nil
    }

    /// Where the first byte that is not UTF-8 is: a 1-based line and column (in characters).
    public static func invalidUTF8Position(_ data: Data) -> (line: Int, column: Int, offset: Int)? {
        let bytes = [UInt8](data)
        var i = 0, line = 1, column = 1
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            var minimum: UInt32 = 0
            var value: UInt32 = 0
            switch b {
            case 0x00...0x7F: length = 1; value = UInt32(b)
            case 0xC2...0xDF: length = 2; value = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; value = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; value = UInt32(b & 0x07); minimum = 0x10000
            default: return (line, column, i)
            }
            guard i + length <= bytes.count else { return (line, column, i) }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return (line, column, i) }
                value = value << 6 | UInt32(c & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return (line, column, i) }
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
            i += length
        }
        return nil
    }

    /// One open list or mapping while scanning.
    private struct Open {
        var anchor: String?
        var nodesBefore: Int
        var items = 0
        var isMapping: Bool
        var line: Int
        var column: Int
    }

    private static func scanEvents(_ text: String, file: String) -> ModelError? {
        // libyaml's scanner reads ahead of its events: its own nesting limit (a process-wide
        // setting, 1000 by default) must not be above ours, or it answers first with its own words.
        yaml_set_max_nest_level(Int32(nestingDepth))
        // On the heap: libyaml keeps a pointer to the parser inside it, so it must not move.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { return nil }
        defer { yaml_parser_delete(parser) }
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer -> ModelError? in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            // Expanded size (in nodes) of each anchor defined so far; a later definition shadows.
            var anchorNodes: [String: Int] = [:]
            var stack: [Open] = []
            var nodes = 0, aliasUses = 0, aliasNodes = 0
            func error(_ mark: yaml_mark_t, _ message: String) -> ModelError {
                ModelError(file: file, line: mark.line + 1, column: mark.column + 1, keyPath: "", message: message)
            }
            func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            }
            /// Counts one item (a node, or an alias standing for `size` nodes) in the innermost collection.
            func addItem(_ mark: yaml_mark_t) -> ModelError? {
                guard var top = stack.popLast() else { return nil }
                top.items += 1
                stack.append(top)
                let entries = top.isMapping ? (top.items + 1) / 2 : top.items
                if entries > itemsPerCollection {
                    let what = top.isMapping ? "a mapping may have at most \(itemsPerCollection) entries" : "a list may have at most \(itemsPerCollection) items"
                    return ModelError(file: file, line: top.line, column: top.column, keyPath: "",
                                      message: "this \(top.isMapping ? "mapping" : "list") has more than \(itemsPerCollection) \(top.isMapping ? "entries" : "items"): \(what)")
                }
                return nil
            }
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else { return nil } // the parser will say where
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    nodes += 1
                    if let e = addItem(mark) { return e }
                    if let a = string(event.data.scalar.anchor) { anchorNodes[a] = 1 }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    if let e = addItem(mark) { return e }
                    nodes += 1
                    let mapping = event.type == YAML_MAPPING_START_EVENT
                    let anchor = mapping ? string(event.data.mapping_start.anchor) : string(event.data.sequence_start.anchor)
                    stack.append(Open(anchor: anchor, nodesBefore: nodes - 1, isMapping: mapping,
                                      line: mark.line + 1, column: mark.column + 1))
                    if stack.count > nestingDepth { return error(mark, nestingMessage) }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = stack.popLast() else { return nil }
                    if let a = closed.anchor { anchorNodes[a] = nodes - closed.nodesBefore }
                case YAML_ALIAS_EVENT:
                    let name = string(event.data.alias.anchor) ?? ""
                    guard let size = anchorNodes[name] else { return nil } // undefined: the composer says so
                    if let e = addItem(mark) { return e }
                    aliasUses += 1
                    aliasNodes += size
                    nodes += size
                    if aliasUses > aliases {
                        return error(mark, "more than \(aliases) aliases (`*name`) in one file; a model may use at most \(aliases)")
                    }
                    if aliasNodes > aliasExpansionNodes {
                        return error(mark, "the alias `*\(name)` brings the nodes added by aliases to \(aliasNodes) (it stands for \(size)); aliases may add at most \(aliasExpansionNodes) nodes to a model")
                    }
                default:
                    break
                }
                if nodes > InputLimits.nodes {
                    return error(mark, "the file has more than \(InputLimits.nodes) YAML nodes (values, lists and mappings); a model may have at most \(InputLimits.nodes)")
                }
            }
        }
    }
}
