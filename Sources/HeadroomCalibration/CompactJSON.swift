import Foundation
import HeadroomModel

/// A JSON reader that builds only the parts of a document a reader asks for and checks the rest
/// without building it: a k6 summary of 28.7 MB peaked at 1.96 GB through
/// JSONSerialization (68 times its size; 63 MB ran out of memory: issue 23), for a few dozen figures.
///
/// A value is built when its key path is a prefix of a wanted path or lies under one (`keep`);
/// built values are Foundation's (`NSNumber`, `String`, `[Any]`, `[String: Any]`, `NSNull`), as
/// JSONSerialization gives them. At most `maxBuiltValues` values are built and documents nest at
/// most `maxDepth` levels (the parser recurses once per level), so memory stays near the file's
/// size and the stack small whatever the file holds.
public struct CompactJSON {
    public static let maxDepth = 100
    public static let maxBuiltValues = 100_000

    /// A path step: an object key, or `nil` for any array element.
    public typealias Path = [String?]

    public enum Keep: Sendable {
        /// Everything.
        case all
        /// The values at and under these paths (object keys; `*` matches any key or element).
        case paths([[String]])
    }

    public struct Failure: Error, Sendable {
        public var message: String
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let keep: Keep
    let file: String
    var i = 0
    var built = 0
    /// `position(of:in:)`'s search: the path sought and where its value starts (the last one, as
    /// the first pass keeps a repeated key's last value).
    var target: Path?
    var targetOffset: Int?

    /// Parses `data`; the top level must be an object. Errors are `file:line:column: ...`.
    public static func parseObject(_ data: Data, keep: Keep, file: String) throws(Failure) -> [String: Any] {
        let result: Result<Any, Failure> = data.withUnsafeBytes { raw in
            var p = CompactJSON(bytes: raw.bindMemory(to: UInt8.self), keep: keep, file: file)
            do throws(Failure) {
                p.skipSpace()
                guard p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "{") else {
                    throw p.failure(p.i < p.bytes.count ? "expected a JSON object at the top" : "the file is empty")
                }
                let v = try p.value(path: [], depth: 0, build: true)
                p.skipSpace()
                guard p.i == p.bytes.count else { throw p.failure("unexpected text after the JSON object") }
                return .success(v ?? [String: Any]())
            } catch { return .failure(error) }
        }
        switch result {
        case let .success(v): return v as? [String: Any] ?? [:]
        case let .failure(e): throw e
        }
    }

    func failure(_ reason: String) -> Failure { located("not JSON (\(reason))") }

    /// The line and column (1-based, in characters) where the value at `keyPath` (object keys
    /// only) starts in `data`, or nil when the document has no such value. A second pass that
    /// builds nothing, for an error about a value the first pass built.
    public static func position(of keyPath: [String], in data: Data) -> (line: Int, column: Int)? {
        data.withUnsafeBytes { raw -> (line: Int, column: Int)? in
            var p = CompactJSON(bytes: raw.bindMemory(to: UInt8.self), keep: .paths([]), file: "")
            p.target = keyPath.map { Optional($0) }
            do throws(Failure) { _ = try p.value(path: [], depth: 0, build: false) } catch {}
            guard let offset = p.targetOffset else { return nil }
            p.i = offset
            return p.lineAndColumn()
        }
    }

    func lineAndColumn() -> (line: Int, column: Int) {
        var line = 1, column = 1
        var k = 0
        let end = min(i, bytes.count)
        while k < end {
            if bytes[k] == 0x0A { line += 1; column = 1 } else if bytes[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return (line, column)
    }

    func located(_ message: String) -> Failure {
        let (line, column) = lineAndColumn()
        return Failure(message: "\(file):\(line):\(column): \(message)")
    }

    /// Whether the value at `path` is built: `path` is a prefix of a wanted path, or under one.
    func wanted(_ path: Path) -> Bool {
        guard case let .paths(paths) = keep else { return true }
        for p in paths {
            var matches = true
            for (a, b) in zip(path, p) where !(b == "*" || a == b) { matches = false; break }
            if matches { return true }
        }
        return false
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func count() throws(Failure) {
        built += 1
        if built > CompactJSON.maxBuiltValues {
            throw located("more than \(CompactJSON.maxBuiltValues) values in the parts of the file that are read (metrics, counters, options): not a k6 summary, Artillery report or options file")
        }
    }

    /// Parses one value; returns it when `build`, else nil (checked only).
    mutating func value(path: Path, depth: Int, build: Bool) throws(Failure) -> Any? {
        skipSpace()
        guard i < bytes.count else { throw failure("the file ends inside a value") }
        if build { try count() }
        if let target, path == target { targetOffset = i }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < CompactJSON.maxDepth else { throw failure("nested more than \(CompactJSON.maxDepth) levels deep") }
            i += 1
            var object: [String: Any] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return build ? object : nil }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw failure("expected a key in quotes") }
                let key = try string(build: build || target != nil)
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw failure("expected `:` after a key") }
                i += 1
                let childPath = path + [key]
                let buildChild = build && wanted(childPath)
                let v = try value(path: childPath, depth: depth + 1, build: buildChild)
                if buildChild, let key { object[key] = v }
                skipSpace()
                guard i < bytes.count else { throw failure("the file ends inside an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw failure("expected `,` or `}` in an object")
            }
            return build ? object : nil
        case UInt8(ascii: "["):
            guard depth < CompactJSON.maxDepth else { throw failure("nested more than \(CompactJSON.maxDepth) levels deep") }
            i += 1
            var array: [Any] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return build ? array : nil }
            let childPath = path + [nil]
            let buildChild = build && wanted(childPath)
            while true {
                let v = try value(path: childPath, depth: depth + 1, build: buildChild)
                if buildChild, let v { array.append(v) }
                skipSpace()
                guard i < bytes.count else { throw failure("the file ends inside an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; break }
                throw failure("expected `,` or `]` in an array")
            }
            return build ? array : nil
        case UInt8(ascii: "\""):
            return try string(build: build)
        case UInt8(ascii: "t"): try literal("true"); return build ? NSNumber(value: true) : nil
        case UInt8(ascii: "f"): try literal("false"); return build ? NSNumber(value: false) : nil
        case UInt8(ascii: "n"): try literal("null"); return build ? NSNull() : nil
        default:
            return try number(build: build)
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= bytes.count, zip(w, bytes[i..<(i + w.count)]).allSatisfy({ $0 == $1 }) else {
            throw failure("unexpected character")
        }
        i += w.count
    }

    /// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number(build: Bool) throws(Failure) -> Any? {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() > 0 else { i = start; throw failure("unexpected character") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw failure("a number needs digits after `.`") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw failure("a number needs digits in its exponent") }
        }
        guard build else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if let n = Int(text) { return NSNumber(value: n) }
        return NSNumber(value: Double(text) ?? .nan)
    }

    /// A string at `i` (which is `"`); the decoded text when `build`.
    mutating func string(build: Bool) throws(Failure) -> String? {
        i += 1
        var out: [UInt8] = []
        var runStart = i
        while true {
            guard i < bytes.count else { throw failure("a string is not closed before the end of the file") }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                if build { out.append(contentsOf: bytes[runStart..<i]) }
                i += 1
                return build ? String(decoding: out, as: UTF8.self) : nil
            }
            if c < 0x20 { throw failure("a control character inside a string") }
            if c == UInt8(ascii: "\\") {
                if build { out.append(contentsOf: bytes[runStart..<i]) }
                i += 1
                guard i < bytes.count else { throw failure("a string is not closed before the end of the file") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var unit = try hex4()
                    if (0xD800...0xDBFF).contains(unit), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) { unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00) }
                    }
                    if build { out.append(contentsOf: Array(String(Unicode.Scalar(unit) ?? "\u{FFFD}").utf8)) }
                default: i -= 1; throw failure("an unknown escape in a string")
                }
                runStart = i
                continue
            }
            i += 1
        }
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw failure("a \\u escape needs four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw failure("a \\u escape needs four hex digits")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
