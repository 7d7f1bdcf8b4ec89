import HeadroomModel

/// Command-line replacements of a model's `simulation` settings (`--replications`, `--horizon`,
/// `--warmup`, `--seed`): one value, applied the same way by `run`, `sweep`, `plan` and
/// `breakpoint` (to every cell or load), so their messages cannot drift apart.
public struct SimulationOverrides: Sendable, Hashable {
    public var replications: Int?
    public var horizonSeconds: Double?
    public var warmup: Warmup?
    public var seed: UInt64?

    public init(replications: Int? = nil, horizonSeconds: Double? = nil, warmup: Warmup? = nil, seed: UInt64? = nil) {
        self.replications = replications
        self.horizonSeconds = horizonSeconds
        self.warmup = warmup
        self.seed = seed
    }

    /// Applies the replacements; a warm-up that would not end before the horizon is a usage error.
    public func apply(to model: inout Model) throws(SweepError) {
        if let r = replications {
            model.simulation.replications = r
            model.simulation.maxReplications = max(model.simulation.maxReplications, r)
        }
        if let s = seed { model.simulation.seed = s }
        if let h = horizonSeconds { model.simulation.horizonSeconds = h }
        if let w = warmup { model.simulation.warmup = w }
        if let w = model.simulation.warmupSeconds, w >= model.simulation.horizonSeconds {
            throw SweepError("the warm-up (\(Units.formatDuration(w))) must be shorter than the horizon (\(Units.formatDuration(model.simulation.horizonSeconds))): pass a shorter --warmup or a longer --horizon")
        }
    }

    var manifest: SweepManifest.Settings {
        let w: String? = warmup.map {
            switch $0 {
            case let .fixed(seconds): return "\(seconds)"
            case .mser5: return "auto"
            }
        }
        return SweepManifest.Settings(replications: replications, horizonSeconds: horizonSeconds, warmup: w,
                                      seed: seed.map { String($0) })
    }
}
