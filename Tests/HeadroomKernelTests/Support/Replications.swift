import Foundation
import HeadroomKernel
import Testing

// MARK: - How the validation tests decide
//
// Every validation case runs `validationReplications` independent replications of a network
// (one master seed per case, `replication: r` for r = 0..<R), deletes the first
// `warmupFraction` of each replication's simulated time, reads one value per replication
// (a mean wait, a blocked fraction...) and builds a Student-t confidence interval over those
// values with `Estimate.studentT`. The case passes when the closed-form value lies inside it.
//
// Why 99.9% and not 95%: with 33 cases and two to five figures each (~110 intervals), a 95%
// interval would exclude the true value about 5 times *by chance alone*, so a correct kernel
// would fail a few cases. Seeds are fixed, so the suite would not flake; it would fail on every
// run, for no fault. At 99.9% the expected number of chance misses over the whole suite is
// about 0.1, and the interval is still a confidence interval computed from the data
// (t(0.9995, 19) = 3.88 instead of t(0.975, 19) = 2.09), not a hand-picked tolerance.
//
// Why 20 replications: for a fixed simulation budget, 20 half-length replications give a
// ~20% narrower interval than 10 (t(0.9995, 9) = 4.78). Each replication stays long beside its
// system's relaxation time (the slowest, M/M/1 at rho = 0.95, relaxes in ~1,600 s and runs
// ~88,000 s per replication), so deleting the first 10% removes the bias of starting empty.
// Run lengths are in customers per replication (5k-75k), chosen so every interval sits well
// inside its precision bound below while the whole target stays near a minute in debug.
//
// A wide interval would contain almost anything, so each figure is also held to a maximum
// relative half-width (`Precision`): a case cannot pass by being vague. The bounds are loose
// enough to be robust to the draws, tight enough that typical formula mistakes (Erlang B for
// Erlang C, a missing (1 + SCV) / 2, time congestion for call congestion) fall outside.
//
// If a case fails, do not widen it: a fixed-seed case fails on every run, so first look for a
// real bug, then for a horizon too short for the load (heavy traffic relaxes slowly).

/// Confidence level of every validation assertion (see the note above).
let validationConfidence = 0.999
/// Independent replications per validation case.
let validationReplications = 20
/// Fraction of each replication's simulated time deleted as warm-up.
let warmupFraction = 0.1

/// The largest CI half-width, relative to the closed-form value, a validation figure may have.
enum Precision {
    /// Means and probabilities of moderately loaded systems.
    static let standard = 0.10
    /// Heavy traffic (rho >= 0.9), critically loaded or overloaded queues, and rare events
    /// (probabilities below 0.1), whose estimates converge slowly.
    static let heavy = 0.20
    /// Throughputs and utilizations, which average over every customer.
    static let throughput = 0.03
}

/// One figure read off a replication's result, with a label for failure messages.
struct Figure: Sendable {
    var label: String
    var read: @Sendable (QueueingNetworkResult) -> Double

    init(_ label: String, _ read: @escaping @Sendable (QueueingNetworkResult) -> Double) {
        self.label = label
        self.read = read
    }
}

/// Runs `replications` independent replications of `spec` (master seed `seed`, replication
/// index r = 0..<replications), each for `horizonSeconds` of simulated time with the first
/// `warmupFraction` of it deleted, and returns, for each figure, the Student-t interval over
/// the replication values at `confidence`.
func replicate(_ spec: QueueingNetworkSpec, seed: UInt64, horizonSeconds: Double,
               replications: Int = validationReplications, confidence: Double = validationConfidence,
               figures: [Figure]) -> [Estimate] {
    var values = [[Double]](repeating: [], count: figures.count)
    for r in 0..<replications {
        let simulation = QueueingNetworkSimulation(spec: spec, seed: seed, replication: r)
        let result = simulation.run(horizonSeconds: horizonSeconds,
                                    warmupSeconds: warmupFraction * horizonSeconds)
        for (i, figure) in figures.enumerated() { values[i].append(figure.read(result)) }
    }
    return values.map { Estimate.studentT($0, confidence: confidence) }
}

/// The horizon that leaves about `customers` arrivals at rate `ratePerSecond` after warm-up.
func horizon(customers: Int, ratePerSecond: Double) -> Double {
    Double(customers) / ratePerSecond / (1 - warmupFraction)
}

/// Expects the closed-form `value` inside the interval `estimate`, and the interval to be no
/// wider than `maximumRelativeHalfWidth` of `value` (so a vague interval cannot pass).
func expectCovers(_ estimate: Estimate, _ value: Double, _ what: String,
                  maximumRelativeHalfWidth: Double,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    // HEADROOM_VALIDATION_VERBOSE=1 prints every interval, to size horizons when adding a case.
    if ProcessInfo.processInfo.environment["HEADROOM_VALIDATION_VERBOSE"] != nil {
        let relative = estimate.halfWidth / abs(value)
        print("VALIDATION \(sourceLocation.fileName):\(sourceLocation.line) \(what): closed form \(value), "
              + "CI \(estimate.mean) +- \(estimate.halfWidth), half-width \(relative) of bound \(maximumRelativeHalfWidth) "
              + "(\(Int((relative / maximumRelativeHalfWidth * 100).rounded()))%), "
              + "z = \((estimate.mean - value) / estimate.halfWidth)")
    }
    #expect(estimate.contains(value),
            "\(what): closed form \(value) outside the \(validationConfidence) CI [\(estimate.lower), \(estimate.upper)] (mean \(estimate.mean), \(estimate.samples) replications)",
            sourceLocation: sourceLocation)
    #expect(estimate.halfWidth <= maximumRelativeHalfWidth * abs(value),
            "\(what): CI half-width \(estimate.halfWidth) exceeds \(maximumRelativeHalfWidth) x \(value); the case is too vague to catch a wrong formula",
            sourceLocation: sourceLocation)
}

// MARK: - Spec builders

/// One FCFS station fed by a Poisson source: M/G/c(/K)(+patience).
func singleStation(servers: Int = 1, discipline: QueueingNetworkSpec.Discipline = .firstComeFirstServed,
                   arrivalRatePerSecond lambda: Double, service: Distribution,
                   capacity: Int = .max, patience: Distribution? = nil) -> QueueingNetworkSpec {
    QueueingNetworkSpec(
        stations: [.init(name: "station", servers: servers, discipline: discipline, service: service,
                         capacity: capacity, patience: patience)],
        openSources: [.init(station: 0, interarrival: .exponential(mean: 1 / lambda))])
}

// MARK: - Figures

extension Figure {
    static func meanWait(_ s: Int = 0) -> Figure {
        Figure("mean wait of served at \(s)") { $0.stations[s].waitOfServed.mean }
    }
    static func meanSojourn(_ s: Int = 0) -> Figure {
        Figure("mean sojourn at \(s)") { $0.stations[s].sojourn.meanSeconds }
    }
    static func sojournPercentile(_ percentile: Double, _ s: Int = 0) -> Figure {
        Figure("p\(percentile) of sojourn at \(s)") { $0.stations[s].sojourn.percentileSeconds(percentile) }
    }
    static func meanNumberPresent(_ s: Int = 0) -> Figure {
        Figure("mean number present at \(s)") { $0.stations[s].meanNumberPresent }
    }
    static func blockingRatio(_ s: Int = 0) -> Figure {
        Figure("blocked / arrivals at \(s)") { r in
            r.stations[s].arrivals > 0 ? Double(r.stations[s].blocked) / Double(r.stations[s].arrivals) : 0
        }
    }
    static func abandonmentRatio(_ s: Int = 0) -> Figure {
        Figure("abandoned / arrivals at \(s)") { r in
            r.stations[s].arrivals > 0 ? Double(r.stations[s].abandoned) / Double(r.stations[s].arrivals) : 0
        }
    }
    static func utilization(_ s: Int = 0) -> Figure {
        Figure("utilization at \(s)") { $0.stations[s].utilization }
    }
    static let networkSojourn = Figure("network sojourn") { $0.networkSojourn.meanSeconds }
    static let throughput = Figure("throughput") { $0.throughputPerSecond }
}
