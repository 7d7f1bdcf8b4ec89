import Foundation
import Testing

/// A sweep directory is written by one sweep at a time; Ctrl-C leaves it resumable and says how;
/// filesystem failures are said in plain words.
@Suite("Sweeps run twice, interrupted, or pointed at what is not a directory", .serialized)
struct SweepLockTests {
    static let grid = ["sweep", "models/examples/mm1.yaml", "--set", "network.arrivals.server=1/s,2/s,3/s,4/s,5/s,6/s",
                       "--horizon", "4h", "--replications", "2", "--threads", "1", "--seed", "3"]

    func freshDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sweep-lock-\(UUID().uuidString)").path
    }

    @Test("a second sweep on a directory another process holds is refused, naming the process, and runs nothing")
    func aHeldDirectoryIsRefused() throws {
        let dir = freshDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // This test process holds the lock, as a running sweep would.
        let fd = open(dir + "/sweep.lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        let r = try CLI.run(Self.grid + ["--output-dir", dir, "--resume"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr == "error: `\(dir)` is being written by another sweep (process \(getpid())): wait for it to finish, or stop it (Ctrl-C) and then pass --resume\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/cells.csv"), "nothing ran")
    }

    @Test("a lock file left by a process that no longer runs is taken over, and removed when the sweep ends")
    func aStaleLockIsTakenOver() throws {
        let dir = freshDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "4194304\n".write(toFile: dir + "/sweep.lock", atomically: true, encoding: .utf8)   // no process holds it
        let r = try CLI.run(Array(Self.grid.prefix(3)) + ["network.arrivals.server=1/s,2/s", "--horizon", "2min", "--replications", "2",
                                                           "--output-dir", dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sweep.lock"))
        #expect(try String(contentsOfFile: dir + "/cells.csv", encoding: .utf8).split(separator: "\n").count == 3)
    }

    @Test("Ctrl-C finishes the cells running, writes them, prints the resume command; resuming gives the uninterrupted files")
    func interruptLeavesAResumableDirectory() throws {
        let bin = try #require(CLI.binary)
        let dir = freshDirectory()
        let p = Process()
        p.executableURL = bin
        p.arguments = Self.grid + ["--output-dir", dir]
        p.currentDirectoryURL = CLI.packageRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Interrupt once the first cell is written (header + one row).
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let lines = (try? String(contentsOfFile: dir + "/cells.csv", encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= 2 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(p.processIdentifier, SIGINT)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(e)")
        let rows = try String(contentsOfFile: dir + "/cells.csv", encoding: .utf8).split(separator: "\n").count - 1
        #expect(rows >= 1 && rows < 6, "\(e)")
        #expect(e.contains("interrupted: \(rows) of 6 cells are in \(dir)/cells.csv"), "\(e)")
        #expect(e.contains("resume with:\n  \(bin.path) \((Self.grid + ["--output-dir", dir]).joined(separator: " ")) --resume\n"), "\(e)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sweep.lock"))

        let resumed = try CLI.run(Self.grid + ["--output-dir", dir, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let whole = freshDirectory()
        let uninterrupted = try CLI.run(Self.grid + ["--output-dir", whole])
        #expect(uninterrupted.status == 0)
        for file in ["cells.csv", "cells.jsonl"] {
            #expect(try String(contentsOfFile: dir + "/" + file, encoding: .utf8) == String(contentsOfFile: whole + "/" + file, encoding: .utf8))
        }
    }

    @Test("filesystem failures in plain words: an output directory under a device, a device as the model")
    func plainFilesystemMessages() throws {
        let sweep = try CLI.run(Array(Self.grid.prefix(4)) + ["--horizon", "2min", "--output-dir", "/dev/full/x"])
        #expect(sweep.status == 73)
        #expect(sweep.stderr == "error: cannot create the directory `/dev/full/x`: `/dev/full` is not a directory\n", "\(sweep.stderr)")
        let check = try CLI.run(["check", "/dev/zero"])
        #expect(check.status == 65 && check.stderr.contains("/dev/zero: error: this is a device, not a model file"), "\(check.stderr)")
        let fit = try CLI.run(["fit", "models/measurements/usl-levels.csv", "--write", "/dev/full"])
        #expect(fit.status == 65 && fit.stderr.contains("/dev/full: error: this is a device, not a model file"), "\(fit.stderr)")
        for r in [sweep, check, fit] {
            #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("larger than"))
        }
    }
}
