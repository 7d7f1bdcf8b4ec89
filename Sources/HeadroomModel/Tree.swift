import Foundation
import Yams

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

enum TreeBuilder {
    /// Parses YAML text into a `YNode` tree. Syntax errors become a `ModelError` with file:line:column.
    static func parse(yaml: String, file: String) throws(ModelErrors) -> YNode {
        let text = DistributionQuoting.protect(yaml)
        if let violation = InputLimits.violation(in: text, file: file) { throw ModelErrors([violation]) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ModelErrors([syntaxError(error, file: file)])
        } catch {
            throw ModelErrors([ModelError(file: file, line: nil, column: nil, keyPath: "",
                                          message: "cannot read YAML: \(error)")])
        }
        guard let root else {
            return YNode(kind: .map([]), origin: .at(1, 1))
        }
        var errors: [ModelError] = []
        let node = convert(root, file: file, errors: &errors)
        if !errors.isEmpty { throw ModelErrors(errors) }
        return node
    }

    static func syntaxError(_ error: YamlError, file: String) -> ModelError {
        func make(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ModelError {
            if problem.hasPrefix("Maximum nesting level reached") {
                return ModelError(file: file, line: mark.line, column: mark.column, keyPath: "", message: InputLimits.nestingMessage)
            }
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ModelError(file: file, line: mark.line, column: mark.column, keyPath: "", message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _): return make(context, problem, mark)
        case let .parser(context, problem, mark, _): return make(context, problem, mark)
        case let .composer(context, problem, mark, _): return make(context, problem, mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            return ModelError(file: file, line: context.mark.line, column: context.mark.column, keyPath: "",
                              message: "duplicate key(s) \(duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")) in one mapping")
        case let .reader(problem, _, _, _):
            return ModelError(file: file, line: nil, column: nil, keyPath: "", message: "cannot read YAML: \(problem)")
        default:
            return ModelError(file: file, line: nil, column: nil, keyPath: "", message: "YAML error: \(error)")
        }
    }

    private static func origin(_ mark: Mark?) -> Origin {
        Origin(line: mark?.line, column: mark?.column, override: nil)
    }

    static func convert(_ node: Node, file: String, errors: inout [ModelError]) -> YNode {
        switch node {
        case let .scalar(s):
            let plain = s.style == .plain || s.style == .any
            let text = plain ? DistributionQuoting.restore(s.string) : s.string
            return YNode(kind: .scalar(text, plain: plain), origin: origin(s.mark))
        case let .sequence(seq):
            return YNode(kind: .seq(seq.map { convert($0, file: file, errors: &errors) }), origin: origin(seq.mark))
        case let .mapping(map):
            var entries: [YNode.Entry] = []
            for (k, v) in map {
                guard case let .scalar(ks) = k else {
                    errors.append(ModelError(file: file, line: k.mark?.line, column: k.mark?.column, keyPath: "",
                                             message: "mapping keys must be plain names, not a list or mapping"))
                    continue
                }
                entries.append(YNode.Entry(key: ks.string, keyOrigin: origin(ks.mark),
                                           value: convert(v, file: file, errors: &errors)))
            }
            return YNode(kind: .map(entries), origin: origin(map.mark))
        case let .alias(alias):
            errors.append(ModelError(file: file, line: alias.mark?.line, column: alias.mark?.column, keyPath: "",
                                     message: "YAML aliases (*name) are not supported in models"))
            return YNode(kind: .scalar("", plain: true), origin: origin(alias.mark))
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
