import Foundation
import HeadroomAnalysis
import HeadroomOutput

/// `headroom merge OUT shard1 shard2 ...`: joins the directories of `sweep --shard K/N` runs
/// into one sweep directory, byte for byte what the unsharded sweep writes.
public enum SweepMerge {
    public struct Outcome: Sendable {
        public var cells: Int
        public var inputs: Int
    }

    /// Every input must be a complete shard of the same sweep (same model file, grid, settings
    /// and columns), each shard once, all shards present. `output` must not hold a sweep.
    @discardableResult
    public static func merge(output: String, inputs: [String]) throws(SweepError) -> Outcome {
        guard !inputs.isEmpty else { throw SweepError("merge needs at least one shard directory") }
        var manifests: [SweepManifest] = []
        for dir in inputs {
            guard let m = try SweepManifest.read(directory: dir) else {
                throw SweepError("`\(dir)` is not a sweep directory (no sweep.json)", kind: .data)
            }
            manifests.append(m)
        }
        var base = manifests[0]
        base.shard = nil
        for (dir, m) in zip(inputs, manifests) {
            var unsharded = m
            unsharded.shard = nil
            guard unsharded == base else {
                throw SweepError("`\(dir)` is a shard of another sweep than `\(inputs[0])` (\(SweepManifestDiff.describe(base, unsharded)))", kind: .data)
            }
        }
        let shardCount = manifests[0].shard?.count ?? 1
        var seenShards: [Int: String] = [:]
        for (dir, m) in zip(inputs, manifests) {
            let shard = m.shard ?? SweepManifest.Shard(index: 1, count: 1)
            guard shard.count == shardCount else {
                throw SweepError("`\(dir)` is shard \(shard.index)/\(shard.count) but `\(inputs[0])` is one of \(shardCount) shards", kind: .data)
            }
            if let other = seenShards[shard.index] {
                throw SweepError("`\(dir)` and `\(other)` are both shard \(shard.index)/\(shard.count)", kind: .data)
            }
            seenShards[shard.index] = dir
        }
        let missing = (1...shardCount).filter { seenShards[$0] == nil }
        if !missing.isEmpty {
            throw SweepError("shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(shardCount)" }.joined(separator: ", ")) missing: give every shard's directory", kind: .data)
        }
        let header = base.columns.map(csvField).joined(separator: ",")
        var all = SweepRowSet()
        for (dir, m) in zip(inputs, manifests) {
            let rows = try SweepRowSet.read(directory: dir, header: header)
            let shard = try SweepShard(index: m.shard?.index ?? 1, count: shardCount)
            let expected = (0..<base.cells).filter(shard.contains)
            let damaged = rows.damaged.filter(shard.contains)
            if !damaged.isEmpty {
                throw SweepError("`\(dir)` (shard \(shard)): cell\(damaged.count == 1 ? "" : "s") \(damaged.map(String.init).joined(separator: ", ")) do\(damaged.count == 1 ? "es" : "") not match \(damaged.count == 1 ? "its" : "their") checksum (edited or damaged); run \(damaged.count == 1 ? "it" : "them") again with `headroom sweep ... --shard \(shard) --output-dir \(dir) --resume`", kind: .data)
            }
            let absent = expected.filter { rows.csv[$0] == nil }
            if !absent.isEmpty {
                throw SweepError("`\(dir)` (shard \(shard)) is incomplete: \(absent.count) of its \(expected.count) cells are missing; finish it with `headroom sweep ... --shard \(shard) --output-dir \(dir) --resume`", kind: .data)
            }
            for i in expected {
                all.csv[i] = rows.csv[i]
                all.jsonl[i] = rows.jsonl[i]
            }
        }
        if try SweepManifest.read(directory: output) != nil {
            throw SweepError("`\(output)` already holds a sweep (sweep.json); merge into a new directory", kind: .output)
        }
        try SweepFileIO.makeDirectory(output)
        try all.write(directory: output, header: header)
        try SweepFileIO.writeAtomically(base.text, to: SweepFiles.manifest(output))
        return Outcome(cells: all.csv.count, inputs: inputs.count)
    }
}
