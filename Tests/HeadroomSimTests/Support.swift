import HeadroomKernel
import HeadroomModel
import HeadroomSim

/// Loads an inline model (test fixtures are YAML, as users write them).
func model(_ yaml: String) throws -> Model {
    try ModelLoader.load(yaml: yaml, fileName: "test.yaml").model
}

/// Runs `replications` independent replications and returns a Student-t interval of `figure`.
/// The assertion level is 99.9%: with a few dozen closed-form comparisons in the suite, a 95%
/// interval would exclude the truth in one or two by chance; seeds are fixed, so a case
/// either always passes or always fails.
func estimate(_ model: Model, replications: Int = 8, warmup: Double, horizon: Double,
              confidence: Double = 0.999, _ figure: (SystemRunResult) -> Double) -> Estimate {
    let values = (0..<replications).map { r in
        figure(SystemSimulation.run(model: model, replication: r, warmupSeconds: warmup, horizonSeconds: horizon))
    }
    return Estimate.studentT(values, confidence: confidence)
}

/// As `estimate`, for several figures of the same replications (run once).
func estimates(_ model: Model, replications: Int = 8, warmup: Double, horizon: Double,
               confidence: Double = 0.999, _ figures: [(SystemRunResult) -> Double]) -> [Estimate] {
    let runs = (0..<replications).map { r in
        SystemSimulation.run(model: model, replication: r, warmupSeconds: warmup, horizonSeconds: horizon)
    }
    return figures.map { figure in Estimate.studentT(runs.map(figure), confidence: confidence) }
}
