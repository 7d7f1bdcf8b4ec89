import Foundation
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// `--output` (and every file a command writes) replaces regular files only. The reproducers
/// are the fuzzer's: run as root, `--output /dev/full` turned the device into a regular file;
/// a symbolic link, a read-only file and the input model itself were replaced too.
@Suite("Output files: regular files only, never half-written", .serialized)
struct OutputFileTests {
    static let model = CLITests.good

    /// A fresh directory holding `m.yaml`.
    static func workspace() throws -> (dir: String, model: String) {
        let model = try CLI.temporaryFile("m.yaml", Self.model)
        return ((model as NSString).deletingLastPathComponent, model)
    }

    static func kind(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    /// A character device like /dev/full (1,7) or /dev/null (1,3) in `dir`; needs root (else nil).
    static func device(in dir: String, name: String, minor: UInt32) -> String? {
        let path = dir + "/" + name
        // glibc's makedev(1, minor) for minor < 256 (a macro Swift does not import).
        return mknod(path, S_IFCHR | 0o666, dev_t((1 << 8) | minor)) == 0 ? path : nil
    }

    static func temporaryLeftovers(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }
    }

    @Test("A device node at --output is refused with exit 73 and stays a device (reproducer: /dev/full)")
    func deviceRefused() throws {
        let w = try Self.workspace()
        // A private device node when root (the reproducer), a FIFO otherwise: both are not regular files.
        let path = Self.device(in: w.dir, name: "full", minor: 7) ?? {
            let fifo = w.dir + "/fifo"
            mkfifo(fifo, 0o666)
            return fifo
        }()
        let before = try #require(Self.kind(path))
        for command in [["analyze", w.model], ["run", w.model], ["plan", w.model, "--vary", "network.stations.desk.servers=1,2", "--slo", "p95<10s"]] {
            let r = try CLI.run(command + ["--output", path])
            #expect(r.status == 73, "\(command[0]): \(r.stderr)")
            #expect(r.stderr.contains("refusing to write `\(path)`: it is a"), "\(r.stderr)")
            #expect(r.stderr.contains("not a regular file"))
            #expect(r.stderr.contains("--force"))
            #expect(Self.kind(path) == before, "\(command[0]) replaced the device")
        }
    }

    @Test("With --force a device is written into, in place, and stays a device")
    func deviceWithForce() throws {
        let w = try Self.workspace()
        let path = try #require(Self.device(in: w.dir, name: "null", minor: 3), "needs root to make a device node")
        let r = try CLI.run(["analyze", w.model, "--output", path, "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.kind(path) == S_IFCHR)
        #expect(try Self.temporaryLeftovers(w.dir).isEmpty)
    }

    @Test("A symbolic link is refused; with --force the file it points to is written and the link kept")
    func symbolicLink() throws {
        let w = try Self.workspace()
        let target = w.dir + "/target.txt", link = w.dir + "/link.txt"
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.txt")
        let refused = try CLI.run(["analyze", w.model, "--format", "json", "--output", link])
        #expect(refused.status == 73)
        #expect(refused.stderr.contains("symbolic link (to `target.txt`)"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old\n")

        let forced = try CLI.run(["analyze", w.model, "--format", "json", "--output", link, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(Self.kind(link) == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("\"schema\""))
        #expect(try Self.temporaryLeftovers(w.dir).isEmpty)
    }

    @Test("A dangling symbolic link with --force creates the file it points to")
    func danglingLink() throws {
        let w = try Self.workspace()
        let link = w.dir + "/link.txt"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "new.txt")
        try OutputFile.write("hello\n", to: link, force: true)
        #expect(Self.kind(link) == S_IFLNK)
        #expect(try String(contentsOfFile: w.dir + "/new.txt", encoding: .utf8) == "hello\n")
    }

    @Test("A directory is refused, even with --force")
    func directory() throws {
        let w = try Self.workspace()
        for force in [false, true] {
            #expect(throws: OutputFileError.self) { try OutputFile.write("x", to: w.dir, force: force) }
        }
        let r = try CLI.run(["analyze", w.model, "--output", w.dir, "--force"])
        #expect(r.status == 73)
        #expect(r.stderr.contains("is a directory"), "\(r.stderr)")
    }

    @Test("A read-only file is refused and kept; --force replaces it")
    func readOnly() throws {
        let w = try Self.workspace()
        let path = w.dir + "/ro.txt"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o444)
        let r = try CLI.run(["analyze", w.model, "--output", path])
        #expect(r.status == 73)
        #expect(r.stderr.contains("read-only"), "\(r.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        try OutputFile.write("new\n", to: path, force: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
    }

    @Test("The input model is refused as --output, by any name and even with --force")
    func inputModel() throws {
        let w = try Self.workspace()
        let hard = w.dir + "/hard.yaml", soft = w.dir + "/soft.yaml"
        try FileManager.default.linkItem(atPath: w.model, toPath: hard)
        try FileManager.default.createSymbolicLink(atPath: soft, withDestinationPath: w.model)
        for name in [w.model, w.dir + "/./m.yaml", hard, soft] {
            for command in ["analyze", "run"] {
                let r = try CLI.run([command, w.model, "--output", name, "--force"])
                #expect(r.status == 73, "\(command) \(name)")
                #expect(r.stderr.contains("it is the input file `\(w.model)`"), "\(r.stderr)")
            }
        }
        #expect(try String(contentsOfFile: w.model, encoding: .utf8) == Self.model)
    }

    @Test("A refused output stops run before it simulates: the timeline file is not written either")
    func refusedBeforeRunning() throws {
        let w = try Self.workspace()
        let timeline = w.dir + "/timeline.csv"
        let r = try CLI.run(["run", w.model, "--timeline", "1s", "--timeline-output", timeline, "--output", w.dir])
        #expect(r.status == 73)
        #expect(r.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: timeline))
        let bad = try CLI.run(["run", w.model, "--timeline", "1s", "--timeline-output", w.dir])
        #expect(bad.status == 73)
        #expect(bad.stderr.contains("is a directory"))
    }

    @Test("A regular file is replaced whole, with no temporary file left beside it")
    func replacesRegularFile() throws {
        let w = try Self.workspace()
        let path = w.dir + "/out.json"
        try String(repeating: "old contents\n", count: 1000).write(toFile: path, atomically: false, encoding: .utf8)
        let r = try CLI.run(["analyze", w.model, "--format", "json", "--output", path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("{") && !text.contains("old contents"))
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        #expect(try Self.temporaryLeftovers(w.dir).isEmpty)
    }

    @Test("A sweep directory whose cells file was replaced by a link is refused on --resume, the link's target untouched")
    func sweepFilesAreRegular() throws {
        let w = try Self.workspace()
        let out = w.dir + "/sweep"
        let args = ["sweep", w.model, "--set", "network.stations.desk.servers=1,2", "--replications", "2", "--output-dir", out]
        #expect(try CLI.run(args).status == 0)
        let victim = w.dir + "/victim.txt"
        try "keep\n".write(toFile: victim, atomically: false, encoding: .utf8)
        for file in ["cells.csv", "cells.jsonl"] {
            let path = out + "/" + file
            let saved = try String(contentsOfFile: path, encoding: .utf8)
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
            let r = try CLI.run(args + ["--resume"])
            #expect(r.status == 73, "\(file): \(r.stderr)")
            #expect(r.stderr.contains("symbolic link"), "\(r.stderr)")
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep\n")
            try FileManager.default.removeItem(atPath: path)
            try saved.write(toFile: path, atomically: false, encoding: .utf8)
        }
    }
}
