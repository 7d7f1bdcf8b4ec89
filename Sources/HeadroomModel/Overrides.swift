import Foundation

/// `--set key=value`: edits of the YAML tree before decoding.
enum Overrides {
    /// Sections that may be created by an override when the file leaves them out (all have defaults).
    static let creatableSections: Set<String> = ["simulation", "instances", "database", "faults"]

    /// Keys of which a mapping may hold only one: the source of an open load, the kind of workload.
    static let exclusiveKeys: [String: [String]] = [
        "workload.open": ["rate", "constant_rate", "phases"],
        "workload": ["open", "closed"],
    ]

    static func apply(_ overrides: [String: String], to tree: inout YNode, file: String) throws(ModelErrors) {
        var errors: [ModelError] = []
        var resolved: [(key: String, path: String, value: String)] = []
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            do {
                resolved.append((key, try resolve(key, in: tree, file: file), value))
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }
        errors += conflicts(resolved.map { ($0.key, $0.path) }, in: tree, file: file)
        if !errors.isEmpty { throw ModelErrors(errors) }
        for (key, path, value) in resolved {
            do {
                let valueNode = try parseValue(value, key: key, file: file)
                try set(path.split(separator: ".").map(String.init), in: &tree, value: valueNode, key: key, file: file)
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }
        if !errors.isEmpty { throw ModelErrors(errors) }
    }

    /// Overrides that would silently undo one another, each an error naming both keys:
    /// - a parent replaces its child (`workload.open={rate: 600/s}` with `rate=300/s`, i.e.
    ///   `workload.open.rate`: whichever is applied last wins, and a sweep over the child would give
    ///   identical cells);
    /// - a key beside one it excludes, in the file or in another override (`rate` on a model whose
    ///   load comes from `workload.open.phases`).
    static func conflicts(_ resolved: [(key: String, path: String)], in tree: YNode, file: String) -> [ModelError] {
        var out: [ModelError] = []
        func error(_ key: String, _ message: String) {
            out.append(ModelError(file: file, line: nil, column: nil, keyPath: key, message: "override: \(message)"))
        }
        for a in resolved {
            for b in resolved where b.path.hasPrefix(a.path + ".") {
                error(b.key, "`\(b.key)` sets `\(b.path)`, inside `\(a.path)`, which `\(a.key)` replaces as a whole: the two overrides conflict (one would silently undo the other); give the value inside `\(a.key)`, or drop one")
            }
        }
        for o in resolved {
            let segs = o.path.split(separator: ".").map(String.init)
            for depth in 1..<max(1, segs.count) {
                let parent = segs[..<depth].joined(separator: "."), child = segs[depth]
                guard let group = exclusiveKeys[parent], group.contains(child) else { continue }
                var node: YNode? = tree
                for s in segs[..<depth] { node = node?[s] }
                for other in group where other != child {
                    let otherPath = "\(parent).\(other)"
                    if let by = resolved.first(where: { $0.path == otherPath || $0.path.hasPrefix(otherPath + ".") }) {
                        if by.key < o.key {
                            error(o.key, "`\(o.key)` sets `\(o.path)` and `\(by.key)` sets `\(by.path)`: `\(parent)` takes only one of \(group.map { "`\($0)`" }.joined(separator: ", "))")
                        }
                    } else if let entry = node?.entries?.first(where: { $0.key == other }), !entry.value.isNull,
                              !resolved.contains(where: { otherPath.hasPrefix($0.path + ".") || $0.path == parent }) {
                        let at = entry.keyOrigin.line.map { " (\(file):\($0))" } ?? ""
                        error(o.key, "`\(o.key)` sets `\(o.path)`, but the model's `\(parent)` is given by `\(otherPath)`\(at), and it takes only one of \(group.map { "`\($0)`" }.joined(separator: ", ")): \(other == "phases" ? "vary a phase's rate (e.g. `workload.open.phases.0.rate`)" : "set a value inside `\(otherPath)`"), or replace the whole `\(parent)` with --set '\(parent)={...}'")
                    }
                }
            }
        }
        return out
    }

    static func fail(_ key: String, _ file: String, _ message: String) -> ModelErrors {
        ModelErrors([ModelError(file: file, line: nil, column: nil, keyPath: key, message: "override: \(message)")])
    }

    static func parseValue(_ value: String, key: String, file: String) throws(ModelErrors) -> YNode {
        let node: YNode
        do {
            node = try TreeBuilder.parse(yaml: value.isEmpty ? "~" : value, file: file)
        } catch {
            throw fail(key, file, "cannot read the value `\(value)`: \(error.errors.first?.message ?? "")")
        }
        return stamp(node, "\(key)=\(value)")
    }

    private static func stamp(_ node: YNode, _ text: String) -> YNode {
        var n = node
        n.origin = Origin(line: nil, column: nil, override: text)
        switch n.kind {
        case .scalar: break
        case let .seq(items): n.kind = .seq(items.map { stamp($0, text) })
        case let .map(entries):
            n.kind = .map(entries.map { e in
                YNode.Entry(key: e.key, keyOrigin: Origin(line: nil, column: nil, override: text), value: stamp(e.value, text))
            })
        }
        return n
    }

    /// Resolves shorthands to a full dotted path.
    static func resolve(_ key: String, in tree: YNode, file: String) throws(ModelErrors) -> String {
        let segs = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segs.isEmpty, !segs.contains(where: \.isEmpty) else { throw fail(key, file, "`\(key)` is not a dotted key path") }
        let first = segs[0]
        let instancesIsScalar = tree["instances"].map { $0.scalar != nil && !$0.isNull } ?? false
        if first == "instances" && (segs.count == 1 || (segs.count == 2 && segs[1] == "count")) {
            return instancesIsScalar ? "instances" : "instances.count"
        }
        if segs.count > 1 && (tree[first] != nil || creatableSections.contains(first)) { return key }
        func only(_ section: String, _ noun: String) throws(ModelErrors) -> String {
            let names = tree[section]?.entries?.map(\.key) ?? []
            guard names.count == 1 else {
                throw fail(key, file, names.isEmpty
                    ? "`\(key)` refers to the \(noun), but the model defines no `\(section)`"
                    : "`\(key)` is ambiguous: there are \(names.count) \(section) (\(names.map { "`\($0)`" }.joined(separator: ", "))); write `\(section).<name>.\(segs.dropFirst().joined(separator: "."))`")
            }
            return names[0]
        }
        let rest = segs.dropFirst().joined(separator: ".")
        if segs.count == 1 {
            switch first {
            case "workers", "cpus", "balancer", "health_check_interval", "threads": return "instances.\(first)"
            case "users", "think_time": return "workload.closed.\(first)"
            case "rate", "constant_rate": return "workload.open.\(first)"
            case "clients": return "workload.clients"
            case "horizon", "warmup", "replications", "seed", "precision", "max_replications", "latency_of": return "simulation.\(first)"
            case "cores", "max_connections", "replicas", "replica_cores", "read_routing", "read_from", "query_failure_probability":
                return "database.\(first)"
            default: break
            }
        }
        switch first {
        case "pool": return "pools.\(try only("pools", "pool")).\(segs.count == 1 ? "size" : rest)"
        case "cache": return "caches.\(try only("caches", "cache")).\(segs.count == 1 ? "hit_ratio" : rest)"
        case "hit_ratio" where segs.count == 1: return "caches.\(try only("caches", "cache")).hit_ratio"
        case "pooler": return "poolers.\(try only("poolers", "pooler")).\(segs.count == 1 ? "server_connections" : rest)"
        default: break
        }
        if segs.count == 1, tree[first] != nil { return key }
        // `prisma.size` → `pools.prisma.size` when the name is unique across sections.
        if segs.count > 1 {
            let sections = ["pools", "poolers", "caches", "rate_limiters", "job_queues", "upstreams", "endpoints"]
            let hits = sections.filter { tree[$0]?[first] != nil }
            if hits.count == 1 { return "\(hits[0]).\(key)" }
        }
        let candidates = (tree.entries?.map(\.key) ?? []) + ["instances", "users", "rate", "pool.size", "workers", "seed", "replications", "horizon"]
        throw fail(key, file, "no `\(first)` in the model; \(Suggest.hint(first, Array(Set(candidates)).sorted()))")
    }

    static func set(_ all: [String], in node: inout YNode, value: YNode, key: String, file: String, depth: Int = 0) throws(ModelErrors) {
        let segs = Array(all[depth...])
        let seg = segs[0]
        let shown = depth == 0 ? "the top level" : "`\(all.prefix(depth).joined(separator: "."))`"
        switch node.kind {
        case var .map(entries):
            if let i = entries.firstIndex(where: { $0.key == seg }) {
                if segs.count == 1 {
                    entries[i].value = value
                } else {
                    var child = entries[i].value
                    if child.isNull { child = YNode(kind: .map([]), origin: child.origin) }
                    try set(all, in: &child, value: value, key: key, file: file, depth: depth + 1)
                    entries[i].value = child
                }
            } else if segs.count == 1 {
                entries.append(YNode.Entry(key: seg, keyOrigin: value.origin, value: value))
            } else if depth == 0 && creatableSections.contains(seg) {
                var child = YNode(kind: .map([]), origin: value.origin)
                try set(all, in: &child, value: value, key: key, file: file, depth: depth + 1)
                entries.append(YNode.Entry(key: seg, keyOrigin: value.origin, value: child))
            } else {
                let keys = entries.map(\.key)
                throw fail(key, file, "\(shown) has no `\(seg)`; \(Suggest.hint(seg, keys))")
            }
            node.kind = .map(entries)
        case var .seq(items):
            guard let i = Int(seg), i >= 0, i < items.count else {
                throw fail(key, file, "\(shown) is a list of \(items.count); use an index from 0 to \(items.count - 1), not `\(seg)`")
            }
            if segs.count == 1 { items[i] = value }
            else { try set(all, in: &items[i], value: value, key: key, file: file, depth: depth + 1) }
            node.kind = .seq(items)
        case .scalar:
            throw fail(key, file, "\(shown) is a single value, not a mapping: it has no `\(seg)`")
        }
    }

    /// Scalar leaves holding a number, duration, rate or percentage.
    static func leaves(of tree: YNode) -> [OverridableLeaf] {
        var out: [OverridableLeaf] = []
        func walk(_ node: YNode, _ path: String) {
            switch node.kind {
            case let .scalar(s, _):
                guard !path.isEmpty, !node.isNull else { return }
                let t = s.trimmingCharacters(in: .whitespaces)
                let numeric = Units.number(t) != nil || (try? Units.duration(t)) != nil ||
                    (try? Units.rate(t)) != nil || (t.hasSuffix("%") && Units.number(String(t.dropLast())) != nil)
                if numeric { out.append(OverridableLeaf(path: path, value: t)) }
            case let .map(entries):
                for e in entries where !(path.isEmpty && (e.key == "name" || e.key == "description")) {
                    walk(e.value, Reader.join(path, e.key))
                }
            case let .seq(items):
                for (i, item) in items.enumerated() { walk(item, Reader.join(path, String(i))) }
            }
        }
        walk(tree, "")
        return out
    }
}
