import Dispatch
import Foundation
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

/// A cell whose model does not load (a value out of range, a key that does not exist).
public struct SweepCellError: Error, CustomStringConvertible, Sendable {
    /// `instances=0 pools.prisma.size=10`.
    public var cell: String
    public var errors: ModelErrors
    public var description: String { "in the cell \(cell):\n\(errors.description)" }
}

/// Where a sweep is.
public struct SweepProgress: Sendable {
    /// Cells of this run (the shard's cells not already done).
    public var cellsToRun: Int
    public var cellsFinished: Int
    /// Cells found complete in the output directory (`--resume`).
    public var cellsReused: Int
    /// Finished fraction of this run, counting replications of cells still running.
    public var fraction: Double
    public var elapsedSeconds: Double
}

public struct SweepOutcome: Sendable {
    public var directory: String
    /// Cells of the grid this invocation is responsible for (its shard, or all).
    public var cells: Int
    public var cellsRun: Int
    public var cellsReused: Int
    /// Cells found in the files (`--resume`) whose checksum did not match: run again.
    public var cellsDamaged: [Int]
    /// All cells are in the files, sorted by index.
    public var complete: Bool
}

/// `headroom sweep`: the cartesian grid of a model's overrides, each cell a full replication
/// study (the same seed in every cell: common random numbers, as the engine names its random
/// streams after components, not after configurations).
///
/// Results stream to `cells.csv` and `cells.jsonl` as cells finish, a whole line per write; once
/// every cell is done both files are rewritten sorted by cell index. `resume` keeps the cells
/// already in the files and runs the others, so the final files equal an uninterrupted run's.
/// The files do not depend on the thread count: each cell's report does not, and rows are sorted.
public struct Sweep: Sendable {
    public var modelPath: String
    public var grid: SweepGrid
    /// Overrides applied to every cell (not varied).
    public var fixedOverrides: [String: String]
    public var simulation: SimulationOverrides
    public var shard: SweepShard?
    public var threads: Int
    public var outputDirectory: String
    public var progress: (@Sendable (SweepProgress) -> Void)?
    /// Cells `prepare` keeps loaded for the run; a larger shard loads each cell when it runs it
    /// (a few milliseconds per cell, against megabytes of models held for the whole run).
    public var cellsKept = 4096
    /// Called by `prepare` after each chunk of cells checked: (cells checked, cells in the grid).
    public var checkProgress: (@Sendable (_ checked: Int, _ total: Int) -> Void)?
    /// Stop claiming new cells after this many (tests use it to interrupt a sweep); the files are
    /// then left unsorted and incomplete, as after a kill.
    public var stopAfterCells: Int?
    /// Asked before each cell is claimed: true stops claiming (Ctrl-C). The cells already
    /// running finish and are written; the files are left as after `stopAfterCells`, for `--resume`.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Most operations the sweep may simulate (`--budget`; nil: `WorkEstimate.budgetOperations`).
    public var budgetOperations: Double?

    public init(modelPath: String, grid: SweepGrid, fixedOverrides: [String: String] = [:],
                simulation: SimulationOverrides = SimulationOverrides(), shard: SweepShard? = nil,
                threads: Int? = nil, outputDirectory: String) {
        self.modelPath = modelPath
        self.grid = grid
        self.fixedOverrides = fixedOverrides
        self.simulation = simulation
        self.shard = shard
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.outputDirectory = outputDirectory
    }

    /// A loaded cell: its model after overrides and simulation settings, and the loader's warnings.
    public struct Cell: Sendable {
        public var index: Int
        public var values: [String]
        public var model: Model
        public var warnings: [String]
        /// The numeric leaves of the cell's overridden model file (for `plan --cost`), found
        /// when asked: a sweep does not ask, and finding them was a sixth of checking a cell.
        public var leaves: [OverridableLeaf] { loaded.overridableLeaves }
        let loaded: LoadedModel
        /// The work its replications would simulate (`WorkEstimate`), in operations.
        public var operations: Double
    }

    /// Everything known before the first simulation: every cell of the grid loaded and checked
    /// (so a bad key or value fails before anything runs), the columns and the manifest.
    public struct Prepared: Sendable {
        public var manifest: SweepManifest
        /// The model file's text, as read once by `prepare` (its digest is in the manifest).
        var yaml: String
        /// The indices of the cells this invocation runs (its shard), in order.
        public var indices: [Int]
        /// The loaded cells of `indices` (same order) when there are at most `cellsKept` of
        /// them or `prepare(keepingCells: true)` (the planner); else empty, and each cell is loaded
        /// again when it runs, so memory does not grow with the grid.
        public var cells: [Cell]
        /// Distinct loader warnings over the grid, sorted (at most `Sweep.warningsKept`).
        public var warnings: [String]
        /// More distinct warnings than `warnings` holds.
        public var warningsTruncated: Bool
        /// The work of the cells in `indices`, summed (`WorkEstimate`), in operations.
        public var operations: Double
        var figures: [(section: String, item: String, metric: String)]
        public var header: String { manifest.columns.map(csvField).joined(separator: ",") }
    }


    /// Distinct warnings kept by `prepare` (each cell's own are in its report).
    public static let warningsKept = 1000

    /// Loads cell `i` from the model file's text (read once, so every cell sees the same file):
    /// the model with the cell's overrides and the simulation settings. Throws `SweepCellError`
    /// naming the cell if its model does not load.
    func loadCell(_ i: Int, yaml: String) throws -> Cell {
        try loadCell(i, parsed: ModelLoader.parse(yaml: yaml, fileName: modelPath))
    }

    /// Cell `i` of the grid: the parsed file with the cell's overrides, decoded and checked.
    func loadCell(_ i: Int, parsed: ParsedModelFile) throws -> Cell {
        var overrides = fixedOverrides
        for (k, v) in grid.overrides(i) { overrides[k] = v }
        do {
            let l = try ModelLoader.load(parsed, overrides: overrides)
            var m = l.model
            try simulation.apply(to: &m)
            return Cell(index: i, values: grid.values(i), model: m, warnings: l.warnings.map(\.description),
                        loaded: l, operations: WorkEstimate(model: m, analysis: Analysis.analyze(m)).operations)
        } catch let e as ModelErrors {
            throw SweepCellError(cell: grid.label(i), errors: e)
        }
    }

    /// Checks every cell of the grid (all shards: the columns are the union over the grid, the
    /// same in every shard), in index order, a chunk of cells at a time on `threads` threads, and
    /// stops at the first cell that does not load: a grid of 10^6 cells whose first cell is
    /// invalid fails after one chunk. Only what the columns need is kept (one model per distinct
    /// structure, and the cells themselves up to `cellsKept`), so memory does not grow with the
    /// grid unless `keepingCells`.
    /// Throws `SweepCellError` for the first cell that does not load, `ModelErrors` for an
    /// unreadable file or unknown key, `SweepError` for conflicting keys.
    ///
    /// With `stoppingPastBudget`, checking stops (`SweepError`) at the first chunk after which the
    /// cells checked so far already pass the work budget: a 100,000-cell grid of full-length
    /// cells is refused in a moment instead of after checking every cell (94 s in a release
    /// build), since the remaining cells can only add work.
    public func prepare(keepingCells: Bool = false, stoppingPastBudget: Bool = false) throws -> Prepared {
        // A device, a directory, a file past the size limit or not UTF-8: refused with the reason.
        let yaml = try ModelLoader.readModelText(path: modelPath)
        let data = Data(yaml.utf8)   // the file's bytes: readModelText refused any that are not UTF-8
        let paths = try grid.resolvedPaths(modelPath: modelPath, fixed: fixedOverrides)
        // Parsed once; each cell applies its overrides to a copy of the tree (20,000 cells of the
        // default model: 29.9 s of CPU in a debug build when each cell parsed the file again).
        let parsed = try ModelLoader.parse(yaml: yaml, fileName: modelPath)
        let count = grid.count
        let threads = min(self.threads, count)
        let chunk = max(64, threads * 16)
        var indices: [Int] = []
        var cells: [Cell] = []
        var warnings = Set<String>()
        var warningsTruncated = false
        var name: String?
        // Structure changes only where a key changes it (replicas, ...): one model per structure.
        var distinct: [Model] = []
        var seen = Set<String>()
        var operations = 0.0
        var start = 0
        while start < count {
            let end = min(count, start + chunk)
            let loaded = LoadSlots(count: end - start)
            let workers = min(threads, end - start)
            let first = start
            DispatchQueue.concurrentPerform(iterations: workers) { t in
                for i in stride(from: first + t, to: end, by: workers) {
                    loaded.set(i - first, Result { try self.loadCell(i, parsed: parsed) })
                }
            }
            for i in start..<end {
                let cell = try loaded.get(i - start).get()
                if name == nil { name = cell.model.name }
                let signature = SweepColumns.items(of: cell.model).map { "\($0.section):\($0.names.joined(separator: ","))" }.joined(separator: ";")
                if seen.insert(signature).inserted { distinct.append(cell.model) }
                for w in cell.warnings where !warnings.contains(w) {
                    if warnings.count < Sweep.warningsKept { warnings.insert(w) } else { warningsTruncated = true }
                }
                if shard?.contains(i) ?? true {
                    indices.append(i)
                    operations += cell.operations
                    if keepingCells || indices.count <= cellsKept { cells.append(cell) } else { cells = [] }
                }
            }
            start = end
            checkProgress?(end, count)
            if stoppingPastBudget, end < count,
               let refusal = budgetRefusal(operations: operations, cells: indices.count, checkedOf: (end, count)) {
                throw SweepError(refusal)
            }
        }
        let figures = SweepColumns.figures(distinct)
        let manifest = SweepManifest(
            schema: SweepManifest.schemaName,
            model: .init(path: modelPath, name: name ?? "", digest: SweepFiles.digest(data)),
            axes: zip(grid.axes, paths).map { SweepManifest.Axis(key: $0.key, path: $1, values: $0.values) },
            fixed: fixedOverrides, settings: simulation.manifest, cells: count,
            shard: shard.map { SweepManifest.Shard(index: $0.index, count: $0.count) },
            columns: SweepColumns.header(axes: zip(grid.axes, paths).map { SweepManifest.Axis(key: $0.key, path: $1, values: $0.values).csvColumn },
                                         figures: figures))
        return Prepared(manifest: manifest, yaml: yaml, indices: indices, cells: cells, warnings: warnings.sorted(),
                        warningsTruncated: warningsTruncated, operations: operations, figures: figures)
    }

    /// Runs the sweep into `outputDirectory`. Without `resume` the directory must not hold a sweep
    /// already; with it, it must hold this one (same manifest), and only missing cells run.
    @discardableResult
    public func run(resume: Bool = false) throws -> SweepOutcome {
        try run(prepared: prepare(), resume: resume)
    }

    /// The budget's refusal for `operations` over `cells` cells, or nil within it; `checkedOf`:
    /// only the first `checked` of the grid's `total` cells were counted (a lower bound).
    func budgetRefusal(operations: Double, cells: Int, checkedOf partial: (checked: Int, total: Int)? = nil) -> String? {
        let detail = partial.map { "counting only the first \($0.checked) of its \($0.total) cells" }
            ?? "\(cells) cell\(cells == 1 ? "" : "s"), each its replications x horizon x requests x steps"
        return WorkBudget.refusal("this sweep would simulate", operations: operations, detail: detail,
                                  budget: budgetOperations, partial: partial != nil)
    }

    public func run(prepared: Prepared, resume: Bool) throws -> SweepOutcome {
        if let refusal = budgetRefusal(operations: prepared.operations, cells: prepared.indices.count) {
            throw SweepError(refusal)
        }
        let dir = outputDirectory
        // One sweep at a time in a directory: a second one (`--resume` while the first still runs)
        // would run the same cells again, and the first would then find them twice.
        let createdDirectory = !FileManager.default.fileExists(atPath: dir)
        if createdDirectory { try SweepFileIO.makeDirectory(dir) }
        let lock: SweepDirectoryLock
        do { lock = try SweepDirectoryLock(directory: dir) } catch {
            if createdDirectory { try? FileManager.default.removeItem(atPath: dir) }
            throw error
        }
        defer { lock.release() }
        let header = prepared.header
        var done = SweepRowSet()
        var damaged: [Int] = []
        if let existing = try SweepManifest.read(directory: dir) {
            guard resume else {
                throw SweepError("`\(dir)` already holds a sweep (sweep.json): pass --resume to finish it, or choose another --output-dir", kind: .output)
            }
            guard existing == prepared.manifest else {
                throw SweepError("`\(dir)` holds another sweep (\(SweepManifestDiff.describe(existing, prepared.manifest))); it cannot be resumed with these options", kind: .output)
            }
            done = try SweepRowSet.read(directory: dir, header: header)
            let mine = Set(prepared.indices)
            done.csv = done.csv.filter { mine.contains($0.key) }
            done.jsonl = done.jsonl.filter { mine.contains($0.key) }
            damaged = done.damaged.filter(mine.contains)
            // Drop partial lines, cells present in one file only and damaged cells; keep the rest.
            try done.write(directory: dir, header: header)
        } else {
            for f in [SweepFiles.csv(dir), SweepFiles.jsonl(dir)] where FileManager.default.fileExists(atPath: f) {
                throw SweepError("`\(f)` exists but `\(dir)` has no sweep.json: choose another --output-dir", kind: .output)
            }
            try SweepFileIO.writeAtomically(prepared.manifest.text, to: SweepFiles.manifest(dir))
            try SweepFileIO.writeAtomically(header + "\n", to: SweepFiles.csv(dir))
            try SweepFileIO.writeAtomically("", to: SweepFiles.jsonl(dir))
        }

        // Positions in `prepared.indices` (and `prepared.cells`, when it holds them).
        let todo = prepared.indices.indices.filter { done.csv[prepared.indices[$0]] == nil }
        let reused = prepared.indices.count - todo.count
        let ran = try execute(todo, prepared: prepared, reused: reused)
        let complete = ran == todo.count
        if complete {
            let all = try SweepRowSet.read(directory: dir, header: header)
            guard all.csv.count == prepared.indices.count else {
                throw SweepError("`\(dir)`: \(prepared.indices.count - all.csv.count) cells are missing from the files after the run (were they edited meanwhile?)", kind: .output)
            }
            try all.write(directory: dir, header: header)
        }
        return SweepOutcome(directory: dir, cells: prepared.indices.count, cellsRun: ran, cellsReused: reused,
                            cellsDamaged: damaged, complete: complete)
    }

    /// Runs the cells at positions `todo` of `prepared.indices` on `threads` threads (loaded when
    /// they start unless `prepared.cells` holds them), appending each cell's lines as it finishes.
    /// Returns the number of cells run.
    func execute(_ todo: [Int], prepared: Prepared, reused: Int) throws -> Int {
        guard !todo.isEmpty else { return 0 }
        let csv = try LineAppender(path: SweepFiles.csv(outputDirectory))
        let jsonl = try LineAppender(path: SweepFiles.jsonl(outputDirectory))
        let limit = min(todo.count, stopAfterCells ?? todo.count)
        let cellThreads = min(threads, limit)
        let workersPerCell = max(1, threads / max(1, cellThreads))
        let state = SweepState(total: todo.count, reused: reused)
        let keys = grid.axes.map(\.key)
        let axisColumns = grid.axes.map { SweepAxisColumn(values: $0.values) }
        let figures = prepared.figures
        let progress = self.progress
        let shouldStop = self.shouldStop
        let work: @Sendable (Int) -> Void = { t in
            while !(shouldStop?() ?? false), let k = state.claim(limit: limit) {
                let cell: Cell
                do {
                    cell = prepared.cells.isEmpty ? try loadCell(prepared.indices[todo[k]], yaml: prepared.yaml) : prepared.cells[todo[k]]
                } catch {
                    state.fail("\(error)")
                    return
                }
                var study = ReplicationStudy(model: cell.model, workers: workersPerCell, modelWarnings: cell.warnings)
                if let progress {
                    study.progress = { fraction, _, _ in
                        state.partial(thread: t, fraction: fraction)
                        progress(state.snapshot())
                    }
                }
                let report = study.run()
                let csvLine = SweepRows.csvLine(cell: cell.index, values: cell.values, columns: axisColumns, report: report, figures: figures)
                let jsonLine = SweepRows.jsonLine(cell: cell.index, keys: keys, values: cell.values, report: report, csvLine: csvLine)
                state.finish(thread: t) {
                    try jsonl.append(jsonLine)
                    try csv.append(csvLine)
                }
                progress?(state.snapshot())
            }
        }
        if cellThreads <= 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: cellThreads, execute: work)
        }
        if let error = state.error { throw error }
        return state.finished
    }
}

/// An exclusive lock on a sweep's output directory: `flock` on `sweep.lock`, which holds the
/// holder's process id for the message. The kernel drops the lock when its process ends, however
/// it ends, so a lock file left by a killed sweep is simply taken over; the file is removed when
/// the sweep finishes.
final class SweepDirectoryLock: @unchecked Sendable {
    let path: String
    private var fd: Int32

    init(directory: String) throws(SweepError) {
        path = (directory as NSString).appendingPathComponent(SweepFiles.lockName)
        // A finishing sweep may remove the file between our open and our flock: then we hold a
        // lock on a file no longer at the path, and try again.
        for _ in 0..<10 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else {
                throw SweepError("cannot lock the sweep directory: `\(path)`: \(String(cString: strerror(errno)))", kind: .output)
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                let n = pread(fd, &buffer, 63, 0)
                close(fd)
                let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
                throw SweepError("`\(directory)` is being written by another sweep\(holder.isEmpty ? "" : " (process \(holder))"): wait for it to finish, or stop it (Ctrl-C) and then pass --resume", kind: .output)
            }
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                let text = "\(getpid())\n"
                _ = ftruncate(fd, 0)
                _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
                self.fd = fd
                return
            }
            close(fd)
        }
        throw SweepError("cannot lock the sweep directory: `\(path)` keeps changing", kind: .output)
    }

    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }
}

/// Shared counters of a running sweep.
final class SweepState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private(set) var finished = 0
    private var partials: [Int: Double] = [:]
    private(set) var error: SweepError?
    let total: Int
    let reused: Int
    let start = Date()

    init(total: Int, reused: Int) {
        self.total = total
        self.reused = reused
    }

    func claim(limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard error == nil, next < limit else { return nil }
        next += 1
        return next - 1
    }

    func partial(thread: Int, fraction: Double) {
        lock.lock(); defer { lock.unlock() }
        partials[thread] = fraction
    }

    /// Writes a finished cell's lines under the lock (one cell's two lines never interleave with another's).
    func finish(thread: Int, write: () throws -> Void) {
        lock.lock(); defer { lock.unlock() }
        partials[thread] = nil
        do {
            try write()
            finished += 1
        } catch {
            if self.error == nil { self.error = (error as? SweepError) ?? SweepError("\(error)", kind: .output) }
        }
    }

    func fail(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if error == nil { error = SweepError(message, kind: .data) }
    }

    func snapshot() -> SweepProgress {
        lock.lock(); defer { lock.unlock() }
        let running = partials.values.reduce(0, +)
        return SweepProgress(cellsToRun: total, cellsFinished: finished, cellsReused: reused,
                             fraction: total == 0 ? 1 : min(1, (Double(finished) + running) / Double(total)),
                             elapsedSeconds: Date().timeIntervalSince(start))
    }
}

final class LoadSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Sweep.Cell, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<Sweep.Cell, any Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    func get(_ i: Int) -> Result<Sweep.Cell, any Error> { lock.lock(); defer { lock.unlock() }; return slots[i]! }
}

enum SweepManifestDiff {
    /// What differs between two manifests, for an error message.
    static func describe(_ a: SweepManifest, _ b: SweepManifest) -> String {
        var d: [String] = []
        if a.model.digest != b.model.digest || a.model.path != b.model.path { d.append("the model file differs") }
        if a.axes != b.axes { d.append("the grid differs") }
        if a.fixed != b.fixed { d.append("the fixed overrides differ") }
        if a.settings != b.settings { d.append("--replications/--horizon/--warmup/--seed differ") }
        if a.shard != b.shard { d.append("the shard differs") }
        if a.columns != b.columns { d.append("the columns differ") }
        return d.isEmpty ? "the manifest differs" : d.joined(separator: "; ")
    }
}

extension Sweep.Prepared {
    /// The kept cells' analytic warnings (an open load beyond a resource's capacity...), distinct
    /// and sorted, each labelled with the model file: what `run` would warn about, once per text.
    /// Milliseconds per cell, analysed in parallel; none for a grid too large to keep its cells.
    public func analysisWarnings(modelPath: String) -> [String] {
        let found = WarningSet()
        let cells = self.cells
        let threads = max(1, min(cells.count, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var local = Set<String>()
            for i in stride(from: t, to: cells.count, by: threads) {
                for w in Analysis.analyze(cells[i].model).warnings { local.insert("\(modelPath): warning: \(w)") }
            }
            found.insert(local)
        }
        return found.sorted()
    }
}

/// Warnings gathered from several threads.
final class WarningSet: @unchecked Sendable {
    private let lock = NSLock()
    private var all = Set<String>()
    func insert(_ s: Set<String>) { lock.lock(); all.formUnion(s); lock.unlock() }
    func sorted() -> [String] { lock.lock(); defer { lock.unlock() }; return all.sorted() }
}

