import Testing
@testable import HeadroomModel

@Suite struct Overriding {
    let base = """
    workload:
      closed: {users: 100, think_time: exp(1s)}
    instances: {count: 2}
    pools:
      prisma: {preset: prisma, size: 10}
    caches:
      api_cache: {hit_ratio: 0.5}
    endpoints:
      e:
        steps:
          - cache: api_cache
            miss: [{query: 10ms}]
    """

    @Test func dottedPathReplacesALeaf() {
        #expect(load(base, overrides: ["pools.prisma.size": "20"])?.model.pools[0].size == 20)
        #expect(load(base, overrides: ["caches.api_cache.hit_ratio": "0.6"])?.model.caches[0].hits == .ratio(0.6))
        #expect(load(base, overrides: ["workload.closed.users": "300"])?.model.workload?.arrivals == .closed(users: 300, thinkTime: .exponential(mean: 1)))
    }

    @Test func missingLeafIsCreatedWhenItsParentExists() {
        #expect(load(base, overrides: ["pools.prisma.acquire_timeout": "2s"])?.model.pools[0].acquireTimeoutSeconds == 2)
    }

    @Test func defaultedSectionsCanBeCreated() {
        #expect(load(base, overrides: ["simulation.seed": "7"])?.model.simulation.seed == 7)
    }

    @Test func shorthandAliases() {
        #expect(load(base, overrides: ["instances": "4"])?.model.instances.count == 4)
        #expect(load(base, overrides: ["pool.size": "40"])?.model.pools[0].size == 40)
        #expect(load(base, overrides: ["users": "250"])?.model.workload?.arrivals == .closed(users: 250, thinkTime: .exponential(mean: 1)))
        #expect(load(base, overrides: ["prisma.size": "7"])?.model.pools[0].size == 7)
        #expect(load(base, overrides: ["hit_ratio": "90%"])?.model.caches[0].hits == .ratio(0.9))
    }

    @Test func rateAliasTargetsTheOpenWorkload() {
        let m = load("workload: {open: {rate: 5/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}", overrides: ["rate": "20/s"])?.model
        #expect(m?.workload?.arrivals == .open(.rate(perSecond: 20), process: .poisson))
    }

    @Test func missingParentIsAnErrorWithASuggestion() {
        #expect(errors(base, overrides: ["pools.prisam.size": "20"]) ==
                ["test.yaml: error: `pools.prisam.size`: override: `pools` has no `prisam`; did you mean `prisma`?"])
    }

    @Test func badOverrideValueNamesTheOverride() {
        #expect(errors(base, overrides: ["pools.prisma.size": "-3"]) ==
                ["test.yaml: error: `pools.prisma.size`: pool size must be at least 1, not -3 (value set by override `pools.prisma.size=-3`)"])
    }

    @Test func listItemsAreAddressedByIndex() {
        let m = load(base, overrides: ["endpoints.e.steps.0.miss.0.query": "{time: exp(20ms)}"])?.model
        #expect(m?.endpoints[0].steps == [.cache(CacheStep(cache: "api_cache", miss: [.query(Query(pool: "prisma", time: .exponential(mean: 0.02)))]))])
    }

    @Test func instancesShorthandCreatesTheSectionWhenAbsent() {
        let m = load("workload: {open: {rate: 5/s}}\nendpoints: {e: {steps: [{cpu: 1ms}]}}", overrides: ["instances": "4"])?.model
        #expect(m?.instances.count == 4)
    }

    @Test func poolShorthandIsAmbiguousWithSeveralPools() {
        let e = errors(withSteps("- query: {pool: db, time: 1ms}", extra: "  other: {size: 3}"), overrides: ["pool.size": "5"])
        #expect(e == ["test.yaml: error: `pool.size`: override: `pool.size` is ambiguous: there are 2 pools (`db`, `other`); write `pools.<name>.size`"])
    }

    @Test func overridableLeavesListNumericValues() {
        let leaves = load(base)?.overridableLeaves.map(\.path) ?? []
        #expect(leaves.contains("pools.prisma.size"))
        #expect(leaves.contains("workload.closed.users"))
        #expect(leaves.contains("caches.api_cache.hit_ratio"))
        #expect(!leaves.contains("workload.closed.think_time"))
    }
}
