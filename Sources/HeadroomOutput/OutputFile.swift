import Foundation

/// Why an output file was not written: what is at the path and what to do instead.
public struct OutputFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The one writer of every file a command produces (`--output` of run, analyze, plan and
/// reproduce, `--timeline-output`, the files of a sweep directory and of `merge`).
///
/// It writes regular files only, and never half of one: the text goes to a new temporary file
/// beside the target (created exclusively, never through a link), which is then renamed over it,
/// so a reader sees the old file or the whole new one. What is already at the path decides:
///
/// | at the path | without `force` | with `force` |
/// |---|---|---|
/// | nothing, or a regular writable file | written | written |
/// | a read-only regular file | refused | written |
/// | a symbolic link | refused | the file it points to is written (same rules) |
/// | a device, FIFO or socket | refused | written into, in place (a stream: no rename) |
/// | a directory | refused | refused |
/// | one of the command's input files (the model) | refused | refused |
///
/// Renaming over a device node would replace it with a regular file (run as root, `/dev/full`
/// became one), and renaming over a symbolic link would replace the link: hence the refusals.
public enum OutputFile {
    /// Refuses the path now, before any work, if `write` would refuse it (nothing is written).
    public static func check(_ path: String, force: Bool = false, inputs: [String] = []) throws(OutputFileError) {
        _ = try destination(path, force: force, inputs: inputs)
    }

    /// Writes `text` to `path` under the rules above.
    public static func write(_ text: String, to path: String, force: Bool = false, inputs: [String] = []) throws(OutputFileError) {
        switch try destination(path, force: force, inputs: inputs) {
        case let .replace(target):
            try replace(target, with: text, naming: path)
        case let .stream(target):
            try stream(text, into: target, naming: path)
        }
    }

    package enum Destination: Equatable {
        /// A regular file (or none yet) at this path: write a temporary file and rename it here.
        case replace(String)
        /// A device or FIFO (`--force`): write into it.
        case stream(String)
    }

    package static func destination(_ path: String, force: Bool, inputs: [String]) throws(OutputFileError) -> Destination {
        guard !path.isEmpty else { throw OutputFileError("the output file name is empty") }
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            let pointee = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            guard force else {
                throw OutputFileError("refusing to write `\(path)`: it is a symbolic link (to `\(pointee)`), which would be replaced by a file; pass --force to write to the file it points to")
            }
            if let resolved = realpath(path, nil) {
                target = String(cString: resolved)
                free(resolved)
            } else {
                // A dangling link: its target is created (if that is not a link again).
                let base = (path as NSString).deletingLastPathComponent
                target = pointee.hasPrefix("/") ? pointee : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(pointee)
                var next = stat()
                if lstat(target, &next) == 0 && next.st_mode & S_IFMT == S_IFLNK {
                    throw OutputFileError("cannot write `\(path)`: it is a symbolic link to `\(pointee)`, a link that leads nowhere")
                }
            }
        }
        var existing = stat()
        guard lstat(target, &existing) == 0 else {
            let reason = errno
            guard reason == ENOENT else { throw OutputFileError("cannot write `\(path)`: \(String(cString: strerror(reason)))") }
            let parent = (target as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw OutputFileError("cannot write `\(path)`: the directory `\(parent)` does not exist")
            }
            return .replace(target)
        }
        for input in inputs {
            var other = stat()
            if stat(input, &other) == 0, other.st_dev == existing.st_dev, other.st_ino == existing.st_ino {
                throw OutputFileError("refusing to write `\(path)`: it is the input file `\(input)`; choose another output file")
            }
        }
        switch existing.st_mode & S_IFMT {
        case S_IFREG:
            if existing.st_mode & 0o222 == 0 && !force {
                throw OutputFileError("refusing to write `\(path)`: it is a read-only file; pass --force to replace it")
            }
            return .replace(target)
        case S_IFDIR:
            throw OutputFileError("refusing to write `\(path)`: it is a directory; give a file name")
        default:
            let kind = describe(existing.st_mode)
            guard force else {
                throw OutputFileError("refusing to write `\(path)`: it is \(kind), not a regular file (a file would replace it); pass --force to write into it")
            }
            return .stream(target)
        }
    }

    package static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// A temporary file beside `target`, created exclusively (`O_EXCL | O_NOFOLLOW`: never an
    /// existing file or a link planted there), then renamed over `target`.
    package static func replace(_ target: String, with text: String, naming path: String) throws(OutputFileError) {
        let url = URL(fileURLWithPath: target)
        let name = ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let temp = url.deletingLastPathComponent().appendingPathComponent(name).path
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw OutputFileError("cannot write `\(path)`: \(String(cString: strerror(errno)))") }
        var failure = writeAll(fd, text)
        if close(fd) != 0 && failure == nil { failure = errno }
        if failure == nil && rename(temp, target) != 0 { failure = errno }
        if let failure {
            unlink(temp)
            throw OutputFileError("cannot write `\(path)`: \(String(cString: strerror(failure)))")
        }
    }

    package static func stream(_ text: String, into target: String, naming path: String) throws(OutputFileError) {
        let fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputFileError("cannot write `\(path)`: \(String(cString: strerror(errno)))") }
        var failure = writeAll(fd, text)
        if close(fd) != 0 && failure == nil { failure = errno }
        if let failure { throw OutputFileError("cannot write `\(path)`: \(String(cString: strerror(failure)))") }
    }

    /// Writes every byte (retrying short writes and EINTR); the errno of a failure, else nil.
    package static func writeAll(_ fd: Int32, _ text: String) -> Int32? {
        let bytes = Array(text.utf8)
        var offset = 0
        return bytes.withUnsafeBytes { buffer -> Int32? in
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
    }
}
