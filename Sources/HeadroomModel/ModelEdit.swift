import Foundation

/// Edits a model file's text in place: sets `section.key: value`, keeping every other byte (comments,
/// order, flow or block style) as it was. `headroom fit --write` and `headroom import --write` use it.
public enum ModelEdit {
    public struct Setting: Sendable, Hashable {
        public var section: String
        public var key: String
        /// YAML text of the value, e.g. `3.1%`.
        public var value: String
        public init(section: String, key: String, value: String) { self.section = section; self.key = key; self.value = value }
    }

    /// The text with each setting applied; the result is loaded again to check it is a valid model.
    public static func apply(_ settings: [Setting], to text: String, file: String) throws(ModelErrors) -> String {
        var text = text
        for s in settings { text = try apply(s, to: text, file: file) }
        _ = try ModelLoader.load(yaml: text, fileName: file)
        return text
    }

    static func apply(_ s: Setting, to text: String, file: String) throws(ModelErrors) -> String {
        let tree = try TreeBuilder.parse(yaml: text, file: file)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        func fail(_ origin: Origin?, _ message: String) -> ModelErrors {
            ModelErrors([ModelError(file: file, line: origin?.line, column: origin?.column, keyPath: "\(s.section).\(s.key)", message: message)])
        }
        guard let root = tree.entries else { throw fail(tree.origin, "the model is not a mapping") }
        guard let section = root.first(where: { $0.key == s.section }) else {
            var out = text
            if !out.hasSuffix("\n") && !out.isEmpty { out += "\n" }
            return out + "\(s.section):\n  \(s.key): \(s.value)\n"
        }
        guard let entries = section.value.entries, let line = section.value.origin.line, let column = section.value.origin.column else {
            throw fail(section.keyOrigin, "`\(s.section)` is not a mapping: cannot set `\(s.key)` in it")
        }
        let isFlow = lines[line - 1].count >= column && lines[line - 1][column - 1] == "{"
        if let entry = entries.first(where: { $0.key == s.key }) {
            guard entry.value.scalar != nil, let vl = entry.value.origin.line, let vc = entry.value.origin.column else {
                throw fail(entry.keyOrigin, "`\(s.section).\(s.key)` is not a single value: edit it by hand")
            }
            var chars = lines[vl - 1]
            var end = vc - 1
            while end < chars.count {
                let c = chars[end]
                if isFlow && (c == "," || c == "}") { break }
                if c == "#" && end > 0 && chars[end - 1] == " " { break }
                end += 1
            }
            while end > vc - 1 && chars[end - 1] == " " { end -= 1 }
            chars.replaceSubrange((vc - 1)..<end, with: Array(s.value))
            lines[vl - 1] = chars
        } else if isFlow {
            // Find the `}` closing the section's mapping (it may span lines).
            var depth = 0
            var l = line - 1, c = column - 1
            search: while l < lines.count {
                while c < lines[l].count {
                    switch lines[l][c] {
                    case "{", "[", "(": depth += 1
                    case "}", "]", ")":
                        depth -= 1
                        if depth == 0 { break search }
                    default: break
                    }
                    c += 1
                }
                l += 1; c = 0
            }
            guard l < lines.count else { throw fail(section.keyOrigin, "cannot find the `}` that closes `\(s.section)`") }
            var before = c
            while before > 0 && lines[l][before - 1] == " " { before -= 1 }
            let empty = before > 0 && lines[l][before - 1] == "{"
            lines[l].insert(contentsOf: Array(empty ? "\(s.key): \(s.value)" : ", \(s.key): \(s.value)"), at: before)
        } else {
            // After the last entry when it is a one-line value (keeps the file's order), else
            // right under the section's key.
            let indent = (entries.first?.keyOrigin.column ?? 3) - 1
            var at = section.keyOrigin.line ?? line
            if let last = entries.last, last.value.scalar != nil, let l = last.value.origin.line, l == last.keyOrigin.line { at = l }
            lines.insert(Array(String(repeating: " ", count: indent) + "\(s.key): \(s.value)"), at: at)
        }
        return lines.map { String($0) }.joined(separator: "\n")
    }
}
