import Foundation
import Testing
@testable import HeadroomModel

/// Pool libraries' own setting names are aliases of the model's keys, with their own units.
@Suite struct NativeSpellings {
    func yaml(_ pool: String) -> String {
        """
        workload: {open: {rate: 10/s}}
        pools:
          p: {\(pool)}
        endpoints:
          e: {steps: [{query: {pool: p, time: 5ms}}]}
        """
    }

    @Test func nodePostgresMillisecondsAreMilliseconds() throws {
        let p = try ModelLoader.load(yaml: yaml("preset: node_postgres, max: 20, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30000"), fileName: "t.yaml").model.pools[0]
        #expect(p.size == 20 && p.acquireTimeoutSeconds == 2 && p.idleTimeoutSeconds == 30)
    }

    @Test func hikariCamelCaseAndSpringKebabCase() throws {
        let a = try ModelLoader.load(yaml: yaml("preset: hikari, maximumPoolSize: 16, connectionTimeout: 5000, idleTimeout: 300000, minimumIdle: 4"), fileName: "t.yaml").model.pools[0]
        #expect(a.size == 16 && a.acquireTimeoutSeconds == 5 && a.idleTimeoutSeconds == 300 && a.minIdle == 4)
        let b = try ModelLoader.load(yaml: yaml("maximum-pool-size: 16, connection-timeout: 5000"), fileName: "t.yaml").model.pools[0]
        #expect(b.size == 16 && b.acquireTimeoutSeconds == 5)
    }

    @Test func prismaSecondsAndPgbouncerSeconds() throws {
        let p = try ModelLoader.load(yaml: yaml("preset: prisma, connection_limit: 5, pool_timeout: 10"), fileName: "t.yaml").model.pools[0]
        #expect(p.size == 5 && p.acquireTimeoutSeconds == 10)
        let q = try ModelLoader.load(yaml: yaml("default_pool_size: 20, query_wait_timeout: 30"), fileName: "t.yaml").model.pools[0]
        #expect(q.size == 20 && q.acquireTimeoutSeconds == 30)
    }

    @Test func aNativeNameWithAUnitKeepsIt() throws {
        let p = try ModelLoader.load(yaml: yaml("size: 5, connectionTimeoutMillis: 2s"), fileName: "t.yaml").model.pools[0]
        #expect(p.acquireTimeoutSeconds == 2)
    }

    @Test func twoSpellingsOfOneKeyAreAnErrorNamingBoth() {
        do { _ = try ModelLoader.load(yaml: yaml("size: 5, max: 10"), fileName: "t.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.contains("t.yaml:3:16: error: `pools.p.max`: `size` and `max` are two spellings of `size`: give it once"))
        }
        do { _ = try ModelLoader.load(yaml: yaml("size: 5, acquire_timeout: 1s, connectionTimeoutMillis: 2000"), fileName: "t.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.contains("`acquire_timeout` and `connectionTimeoutMillis` are two spellings of `acquire_timeout`"))
        }
    }

    @Test func poolerSettingsInPgbouncerSpelling() throws {
        let text = """
            workload: {open: {rate: 10/s}}
            poolers:
              bouncer: {default_pool_size: 15, max_client_conn: 300, query_wait_timeout: 45, pool_mode: transaction}
            pools:
              p: {size: 10, acquire_timeout: 1s, via: bouncer}
            endpoints:
              e: {steps: [{query: {pool: p, time: 5ms}}]}
            """
        let b = try ModelLoader.load(yaml: text, fileName: "t.yaml").model.poolers[0]
        #expect(b.serverConnections == 15 && b.maxClientConnections == 300 && b.queryWaitTimeoutSeconds == 45)
    }
}
