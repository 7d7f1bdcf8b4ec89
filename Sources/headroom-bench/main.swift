import Foundation
import HeadroomKernel
#if canImport(Glibc)
import Glibc
#endif

// headroom-bench: the kernel's benchmark, and Headroom's side of the peer bench (bench/run.sh).
//
//   headroom-bench [N]                         table of M/M/1, M/M/10, tandem at N customers
//   headroom-bench run SCENARIO [--customers N] [--seed S]
//                                              one JSON line: speed, memory, mean wait
//   headroom-bench theory                      one JSON line per scenario: parameters, closed form
//   headroom-bench sweep [--cells 64] [--customers N] [--threads T] [--shard I/N] [--pool dispatch|threads]
//                                              one JSON line: cells/s of independent kernel runs
//
// Scenarios (Scenarios.swift): mm1 (kernel only), mm10, tandem, pool, seed.

/// Peak resident set size of this process, in MiB: `VmHWM` from /proc/self/status, the high-water
/// mark of this program's own address space. (`getrusage`'s `ru_maxrss` also counts the parent's
/// resident set at the moment it spawned this process, so a large harness would inflate it.)
func peakMemoryMiB() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kib = Double(line.split(separator: " ").dropFirst().first ?? "") {
        return kib / 1024
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func wallSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// CPU time of this process (all threads): on a shared machine, steadier than wall time.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// One JSON object on one line, keys in the given order; non-finite numbers become null.
func jsonLine(_ pairs: [(String, Any?)]) -> String {
    func value(_ v: Any?) -> String {
        switch v {
        case nil: return "null"
        case let d as Double: return d.isFinite ? "\(d)" : "null"
        case let i as Int: return "\(i)"
        case let s as String:
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        case let object as [(String, Any?)]: return jsonLine(object)
        default: return "\"\(v!)\""
        }
    }
    return "{" + pairs.map { "\"\($0.0)\": \(value($0.1))" }.joined(separator: ", ") + "}"
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(("headroom-bench: " + message + "\n").data(using: .utf8)!)
    exit(64)
}

/// `--name value` options after the positional arguments.
func option(_ name: String, in args: [String]) -> String? {
    guard let i = args.firstIndex(of: "--" + name) else { return nil }
    guard i + 1 < args.count else { fail("--\(name) needs a value") }
    return args[i + 1]
}

func intOption(_ name: String, in args: [String], default value: Int) -> Int {
    guard let text = option(name, in: args) else { return value }
    guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= 0 else { fail("--\(name): not a count: \(text)") }
    return n
}

func scenario(named name: String) -> BenchScenario {
    let all: [BenchScenario]
    do { all = try benchScenarios() } catch { fail("scenario setup: \(error)") }
    guard let s = all.first(where: { $0.name == name }) else {
        fail("unknown scenario \(name); one of: \(all.map(\.name).joined(separator: ", "))")
    }
    return s
}

func runScenario(_ args: [String]) {
    guard let name = args.first else { fail("run needs a scenario name") }
    let s = scenario(named: name)
    let customers = intOption("customers", in: args, default: 1_000_000)
    let seed = UInt64(intOption("seed", in: args, default: 1))
    let start = wallSeconds(), cpu = processCPUSeconds()
    let sim = QueueingNetworkSimulation(spec: s.spec, seed: seed)
    let r = sim.run(horizonSeconds: .infinity, warmupSeconds: s.warmupSeconds, customerLimit: customers)
    let wall = wallSeconds() - start, cpuUsed = processCPUSeconds() - cpu
    let m = s.summarize(r)
    print(jsonLine([
        ("tool", "headroom"), ("scenario", s.name), ("customers", m.customers),
        ("wall_seconds", wall), ("cpu_seconds", cpuUsed), ("events", r.eventsProcessed),
        ("peak_rss_mib", peakMemoryMiB()), ("mean_wait", m.meanWait), ("mean_sojourn", m.meanSojourn),
        ("gave_up_fraction", m.gaveUp), ("simulated_seconds", r.observedSeconds + s.warmupSeconds),
    ]))
}

func printTheory() {
    let all: [BenchScenario]
    do { all = try benchScenarios() } catch { fail("scenario setup: \(error)") }
    for s in all {
        print(jsonLine([
            ("scenario", s.name), ("summary", s.summary), ("warmup_seconds", s.warmupSeconds),
            ("parameters", s.parameters.map { ($0.0, Optional<Any>.some($0.1)) }),
            ("theory_source", s.theory.source), ("mean_wait", s.theory.meanWaitSeconds),
            ("mean_sojourn", s.theory.meanSojournSeconds), ("gave_up_fraction", s.theory.gaveUpFraction),
            ("extra", s.theory.extra.map { ($0.0, Optional<Any>.some($0.1)) }),
        ]))
    }
}

func runSweep(_ args: [String]) {
    var sweep = SweepRun(cells: intOption("cells", in: args, default: 64),
                         customersPerCell: intOption("customers", in: args, default: 100_000),
                         threads: max(1, intOption("threads", in: args, default: 1)))
    if let pool = option("pool", in: args) {
        guard pool == "dispatch" || pool == "threads" else { fail("--pool dispatch|threads, got \(pool)") }
        sweep.useDispatch = pool == "dispatch"
    }
    if let shard = option("shard", in: args) {
        let parts = shard.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] > 0, (0..<parts[1]).contains(parts[0]) else {
            fail("--shard I/N with 0 <= I < N, got \(shard)")
        }
        sweep.shardIndex = parts[0]
        sweep.shardCount = parts[1]
    }
    let o = sweep.run(base: scenario(named: "seed"))
    print(jsonLine([
        ("tool", "headroom"), ("mode", "sweep"), ("cells", o.cellsRun), ("threads", sweep.threads),
        ("shard", "\(sweep.shardIndex)/\(sweep.shardCount)"), ("pool", sweep.useDispatch ? "dispatch" : "threads"), ("customers", o.customers), ("events", o.events),
        ("wall_seconds", o.wallSeconds), ("cpu_seconds", o.cpuSeconds),
        ("cells_per_second", Double(o.cellsRun) / o.wallSeconds), ("peak_rss_mib", peakMemoryMiB()),
        ("checksum", o.checksum),
    ]))
}

/// The original kernel table (M/M/1, M/M/10, tandem at N customers).
func legacyTable(customers: Int) {
    struct Row { var name: String; var spec: QueueingNetworkSpec; var theory: Double }
    let rows = [
        Row(name: "M/M/1 rho=0.9", spec: scenario(named: "mm1").spec,
            theory: scenario(named: "mm1").theory.meanSojournSeconds),
        Row(name: "M/M/10 rho=0.9", spec: scenario(named: "mm10").spec,
            theory: scenario(named: "mm10").theory.meanSojournSeconds),
        Row(name: "tandem 3 x M/M/1 rho=0.8", spec: scenario(named: "tandem").spec,
            theory: scenario(named: "tandem").theory.meanSojournSeconds),
    ]
    print("| scenario | customers | events | wall s | M events/s | M customers/s | peak MiB | mean sojourn | theory |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows {
        let sim = QueueingNetworkSimulation(spec: row.spec, seed: 42)
        let start = wallSeconds()
        let result = sim.run(horizonSeconds: .infinity, customerLimit: customers)
        let wall = wallSeconds() - start
        print("| \(row.name) | \(result.completedCustomers) | \(result.eventsProcessed) | \(String(format: "%.2f", wall)) | \(String(format: "%.1f", Double(result.eventsProcessed) / wall / 1e6)) | \(String(format: "%.2f", Double(result.completedCustomers) / wall / 1e6)) | \(String(format: "%.1f", peakMemoryMiB())) | \(String(format: "%.4f", result.networkSojourn.meanSeconds)) | \(String(format: "%.4f", row.theory)) |")
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "run": runScenario(Array(arguments.dropFirst()))
case "theory": printTheory()
case "sweep": runSweep(Array(arguments.dropFirst()))
case nil: legacyTable(customers: 10_000_000)
case let first?:
    guard let n = Int(first) else { fail("unknown command \(first); use run, theory, sweep or a customer count") }
    legacyTable(customers: n)
}
