import Foundation

/// Reading the files the importers and `empirical(file:)` take (measurements, load-test results,
/// pool settings): one place that says plainly why a file cannot be read, refuses a file past its
/// size limit before reading it whole (a device never ends), and refuses bytes that are not text
/// with the line, the column and the byte offset of the first one (docs/fuzzing.md, "A new input
/// format").
public enum InputText {
    /// Bytes in a measurement file or load-test result: 64 MiB is about 1.6 million pgbench log
    /// lines or 400,000 pg_stat_statements rows (`pgbench --sampling-rate` thins a longer log).
    public static let measurementFileBytes = 64 * 1024 * 1024
    /// Bytes in a settings file (pgbouncer.ini, .properties, pool JSON, a Prisma URL, an Artillery
    /// script, k6 options): real ones have a few kilobytes.
    public static let settingsFileBytes = 1024 * 1024
    /// Files at least this large get a progress line (`largeFileNotice`).
    public static let largeFileBytes = 8 * 1024 * 1024

    /// Called with a one-line notice before a large file is parsed (the CLI prints it on stderr).
    nonisolated(unsafe) public static var largeFileNotice: (@Sendable (String) -> Void)?

    /// The file's bytes, checked as text: see `read(path:kind:maxBytes:)`. A UTF-8 byte order mark is dropped.
    public static func data(path: String, kind: String, maxBytes: Int) throws(ParseFailure) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ParseFailure("\(path): cannot read the \(kind): no such file")
        }
        if isDirectory.boolValue { throw ParseFailure("\(path): this is a directory, not a \(kind)") }
        var info = stat()
        if stat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            if type == S_IFCHR || type == S_IFBLK { throw ParseFailure("\(path): this is a device, not a \(kind)") }
            if type == S_IFREG, Int(info.st_size) > maxBytes { throw tooLarge(path, kind, maxBytes) }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ParseFailure("\(path): cannot read the \(kind): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        var data: Data
        do {
            // One byte past the limit is enough to know the file (or a pipe) is too large.
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            let reason = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
            throw ParseFailure("\(path): cannot read the \(kind): \(reason ?? "the read failed")")
        }
        if data.count > maxBytes { throw tooLarge(path, kind, maxBytes) }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        if let problem = notText(data) {
            throw ParseFailure("\(path):\(problem.line):\(problem.column): \(problem.what) at byte offset \(problem.offset): a \(kind) must be UTF-8 text\(problem.hint)")
        }
        if data.count >= largeFileBytes, let notice = largeFileNotice {
            notice("reading \(path) (\(data.count / 1024 / 1024) MB)...")
        }
        return data
    }

    /// The file's text: refuses a missing file, a directory, a device, a file larger than
    /// `maxBytes` (without reading past the limit), bytes that are not UTF-8 (UTF-16, Latin-1) and
    /// NUL bytes, each with the reason and, for a byte, `path:line:column` and its byte offset.
    public static func read(path: String, kind: String, maxBytes: Int) throws(ParseFailure) -> String {
        let d = try data(path: path, kind: kind, maxBytes: maxBytes)
        return String(decoding: d, as: UTF8.self)
    }

    /// `text` made safe to print in a YAML comment of a fragment: a line break (including NEL,
    /// U+2028 and U+2029, which YAML 1.1 also reads as line breaks) would end the comment and a
    /// character YAML does not allow (controls, U+FFFE/U+FFFF, a byte order mark) would make
    /// `check` refuse the fragment; each becomes `?`. Found by the fuzzer: a U+FFFF inside a key
    /// of a .properties file, echoed into the comment `import pool` prints.
    public static func commentSafe(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let allowed = v == 0x09 || (0x20...0x7E).contains(v) || ((0xA0...0xD7FF).contains(v) && v != 0x2028 && v != 0x2029)
                || ((0xE000...0xFFFD).contains(v) && v != 0xFEFF) || (0x10000...0x10FFFF).contains(v)
            out.append(allowed ? scalar : "?")
        }
        return String(out)
    }

    static func tooLarge(_ path: String, _ kind: String, _ maxBytes: Int) -> ParseFailure {
        let size = maxBytes >= 1024 * 1024 ? "\(maxBytes / 1024 / 1024) MB" : "\(maxBytes / 1024) kB"
        return ParseFailure("\(path): the file is larger than \(size), the limit for a \(kind)")
    }

    /// The first byte that makes `data` not UTF-8 text: invalid UTF-8 or NUL. Line and column
    /// (in characters, 1-based) and the byte offset (0-based).
    public static func notText(_ data: Data) -> (line: Int, column: Int, offset: Int, what: String, hint: String)? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (line: Int, column: Int, offset: Int, what: String, hint: String)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            var i = 0, line = 1, column = 1
            func utf16Hint() -> String {
                // UTF-16: every other byte of ASCII text is zero (with or without a byte order mark).
                let head = bytes.prefix(200)
                let zeros = head.enumerated().filter { $0.element == 0 }
                let odd = zeros.filter { $0.offset % 2 == 1 }.count, even = zeros.count - odd
                if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) || max(odd, even) * 3 >= head.count {
                    return " (this looks like UTF-16: convert it, e.g. iconv -f UTF-16 -t UTF-8 FILE)"
                }
                return ""
            }
            while i < n {
                let b = bytes[i]
                if b == 0 {
                    return (line, column, i, "a NUL byte", utf16Hint())
                }
                var length = 1
                var minimum: UInt32 = 0
                var value: UInt32 = 0
                switch b {
                case 0x01...0x7F: value = UInt32(b)
                case 0xC2...0xDF: length = 2; value = UInt32(b & 0x1F); minimum = 0x80
                case 0xE0...0xEF: length = 3; value = UInt32(b & 0x0F); minimum = 0x800
                case 0xF0...0xF4: length = 4; value = UInt32(b & 0x07); minimum = 0x10000
                default: length = 0
                }
                var valid = length > 0 && i + length <= n
                if valid {
                    for k in 1..<length {
                        let c = bytes[i + k]
                        if c & 0xC0 != 0x80 { valid = false; break }
                        value = value << 6 | UInt32(c & 0x3F)
                    }
                }
                if valid, value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { valid = false }
                if !valid {
                    let hint = utf16Hint()
                    return (line, column, i, String(format: "byte 0x%02X is not UTF-8", b),
                            hint.isEmpty ? " (a Latin-1 or Windows-1252 file? convert it, e.g. iconv -f latin1 -t UTF-8 FILE)" : hint)
                }
                if b == 0x0A { line += 1; column = 1 } else { column += 1 }
                i += length
            }
            return nil
        }
    }
}
