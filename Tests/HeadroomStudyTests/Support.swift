import Foundation
import HeadroomModel
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

/// Loads a model written inline (`fileName` shows up in error messages).
func model(_ yaml: String, fileName: String = "inline.yaml", overrides: [String: String] = [:]) throws -> Model {
    try ModelLoader.load(yaml: yaml, fileName: fileName, overrides: overrides).model
}

/// M/M/3: lambda = 8/s, mean service 300 ms (rho = 0.8).
let mmcYAML = """
    name: M/M/3
    simulation: {horizon: 200s, warmup: 20s, replications: 4, seed: 7}
    network:
      arrivals: {desk: 8/s}
      stations:
        desk: {servers: 3, service: exp(300ms)}
    """

/// Two tiers: app workers and a one-core database behind a pool. `cpu` and `query` set the demands.
func twoTierYAML(cpu: String, query: String, rate: String = "50/s") -> String {
    """
    name: two tier
    simulation: {horizon: 30s, warmup: 5s, replications: 3, seed: 3}
    workload:
      open: {rate: \(rate)}
      mix: {home: 1.0}
    instances: {count: 2, workers: 1}
    pools:
      main: {size: 5}
    database: {cores: 1}
    endpoints:
      home:
        steps:
          - cpu: \(cpu)
          - query: {pool: main, time: \(query)}
    """
}
