import Foundation
import HeadroomKernel
#if canImport(Glibc)
import Glibc
#endif

/// Peak resident set size of this process, in MiB (getrusage: ru_maxrss is in KiB on Linux).
func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func wallSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

struct Scenario {
    var name: String
    var spec: QueueingNetworkSpec
    /// The closed-form mean time in system, for the line beside the simulated one.
    var theoryMeanSojournSeconds: Double
}

let customers = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10_000_000

let scenarios = [
    Scenario(name: "M/M/1 rho=0.9",
             spec: QueueingNetworkSpec(stations: [.init(name: "q", service: .exponential(mean: 0.9))],
                                       openSources: [.init(station: 0, interarrival: .exponential(mean: 1))]),
             theoryMeanSojournSeconds: 0.9 / (1 - 0.9)),
    Scenario(name: "M/M/10 rho=0.9",
             spec: QueueingNetworkSpec(stations: [.init(name: "q", servers: 10, service: .exponential(mean: 9))],
                                       openSources: [.init(station: 0, interarrival: .exponential(mean: 1))]),
             theoryMeanSojournSeconds: .nan),
    Scenario(name: "tandem 3 x M/M/1 rho=0.8",
             spec: QueueingNetworkSpec(stations: [
                .init(name: "a", service: .exponential(mean: 0.8), routes: [(1, 1)]),
                .init(name: "b", service: .exponential(mean: 0.8), routes: [(2, 1)]),
                .init(name: "c", service: .exponential(mean: 0.8))],
                                       openSources: [.init(station: 0, interarrival: .exponential(mean: 1))]),
             theoryMeanSojournSeconds: 3 * 0.8 / (1 - 0.8)),
]

print("| scenario | customers | events | wall s | M events/s | M customers/s | peak MiB | mean sojourn | theory |")
print("|---|---|---|---|---|---|---|---|---|")
for scenario in scenarios {
    var sim = QueueingNetworkSimulation(spec: scenario.spec, seed: 42)
    let start = wallSeconds()
    let result = sim.run(horizonSeconds: .infinity, customerLimit: customers)
    let wall = wallSeconds() - start
    print("| \(scenario.name) | \(result.completedCustomers) | \(result.eventsProcessed) | \(String(format: "%.2f", wall)) | \(String(format: "%.1f", Double(result.eventsProcessed) / wall / 1e6)) | \(String(format: "%.2f", Double(result.completedCustomers) / wall / 1e6)) | \(String(format: "%.1f", peakMemoryMiB())) | \(String(format: "%.4f", result.networkSojourn.meanSeconds)) | \(String(format: "%.4f", scenario.theoryMeanSojournSeconds)) |")
}
