import Testing
@testable import HeadroomModel

@Suite struct DesignSketch {
    /// The sketch of seed 002 in docs/DESIGN.md, as written there.
    @Test func seed002SketchLoadsAsWritten() {
        let m = load("""
        name: tailors API, before (seed 002)
        simulation: {horizon: 10min, warmup: 1min, replications: 10, seed: 42}
        workload:
          closed: {users: 300, think_time: exp(2s)}     # "300 concurrent users"
          mix: {search_tailors: 1.0}
        instances: {count: 3, workers: 1, balancer: round_robin}
        pools:
          prisma: {preset: prisma, size: 10, scope: per_instance, acquire_timeout: 10s}
        database: {cores: 4, max_connections: 100}
        caches:
          api_cache: {scope: per_instance, keys: zipf(s: 1.0, n: 1000), ttl: 60s, capacity: unbounded}
        endpoints:
          search_tailors:
            timeout: 10s
            steps:
              - cpu: const(3ms)
              - cache: api_cache
                miss:
                  - query: {pool: prisma, time: uniform(20ms, 50ms)}   # PostGIS filter
                  - query: {pool: prisma, time: uniform(10ms, 30ms)}   # relations, sequential
        """)?.model
        #expect(m?.name == "tailors API, before (seed 002)")
        #expect(m?.simulation.seed == 42)
        #expect(m?.pools == [Pool(name: "prisma", preset: .prisma, size: 10, scope: .perInstance, acquireTimeoutSeconds: 10,
                                   idleTimeoutSeconds: 300)])
        #expect(m?.caches.first?.hits == .keys(KeyPopularity(s: 1, n: 1000)))
        #expect(m?.endpoints.first?.steps == [
            .cpu(.constant(0.003)),
            .cache(CacheStep(cache: "api_cache", miss: [
                .query(Query(pool: "prisma", time: .uniform(low: 0.02, high: 0.05))),
                .query(Query(pool: "prisma", time: .uniform(low: 0.01, high: 0.03))),
            ])),
        ])
    }
}
