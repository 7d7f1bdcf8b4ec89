import Testing
@testable import Queueing

@Suite("Engset")
struct EngsetTests {
    @Test("10 sources, 3 servers, beta = 0.5: time congestion 20/43, call congestion 0.42")
    func smallExact() throws {
        let e = try EngsetLossSystem(sources: 10, servers: 3, requestRatePerIdleSourcePerSecond: 0.5, serviceRatePerSecond: 1)
        #expect(isClose(e.timeCongestion, 20.0 / 43.0, relative: 1e-14))
        #expect(isClose(e.callCongestion, 0.42, relative: 1e-14))
        #expect(isClose(e.meanBusyServers, 2.248062015503875969, relative: 1e-13))
    }

    @Test("Call congestion equals blocked attempts over all attempts: (N - c) p_c / (N - E[busy])")
    func callCongestionIdentity() throws {
        let e = try EngsetLossSystem(sources: 40, servers: 12, meanIdleSeconds: 3, meanHoldingSeconds: 1)
        let direct = Double(40 - 12) * e.timeCongestion / (40 - e.meanBusyServers)
        #expect(isClose(e.callCongestion, direct, relative: 1e-12))
        #expect(isClose(e.throughputPerSecond, e.offeredRequestsPerSecond * (1 - e.callCongestion), relative: 1e-12))
    }

    @Test("With N -> infinity at fixed total load, Engset tends to Erlang B")
    func tendsToErlangB() throws {
        let a = 8.0, n = 10_000_000
        let e = try EngsetLossSystem(sources: n, servers: 10, requestRatePerIdleSourcePerSecond: a / Double(n), serviceRatePerSecond: 1)
        let b = try erlangB(servers: 10, offeredLoadErlangs: a)
        #expect(isClose(e.timeCongestion, b, relative: 1e-5))
        #expect(isClose(e.callCongestion, b, relative: 1e-5))
    }

    @Test("No request is blocked when there are at least as many servers as sources")
    func noBlocking() throws {
        let e = try EngsetLossSystem(sources: 5, servers: 5, requestRatePerIdleSourcePerSecond: 2, serviceRatePerSecond: 1)
        #expect(e.callCongestion == 0)
        #expect(e.timeCongestion > 0) // all five busy at times, but no one is left to be blocked
        let f = try EngsetLossSystem(sources: 5, servers: 8, requestRatePerIdleSourcePerSecond: 2, serviceRatePerSecond: 1)
        #expect(f.timeCongestion == 0)
    }

    @Test("Engset for 1000 servers and 100 000 sources matches the binomial distribution summed in 40 digits")
    func largeStable() throws {
        // Reference: p_n proportional to C(N, n) beta^n, n = 0...c, summed in log space with
        // mpmath at 40 digits; call congestion is the same with N - 1 sources.
        let e = try EngsetLossSystem(sources: 100_000, servers: 1000, requestRatePerIdleSourcePerSecond: 0.01, serviceRatePerSecond: 1)
        #expect(isClose(e.timeCongestion, 0.019088824434322442521, relative: 1e-9))
        #expect(isClose(e.callCongestion, 0.019083309200283404285, relative: 1e-9))
        #expect(e.callCongestion < e.timeCongestion) // finite sources: arrivals see less congestion
        #expect(isClose(e.meanBusyServers, 971.38818199011958604, relative: 1e-9))
    }

    @Test("Engset rejects zero sources and negative rates")
    func errors() {
        #expect(throws: QueueingError.self) { try EngsetLossSystem(sources: 0, servers: 1, requestRatePerIdleSourcePerSecond: 1, serviceRatePerSecond: 1) }
        #expect(throws: QueueingError.self) { try EngsetLossSystem(sources: 3, servers: 1, requestRatePerIdleSourcePerSecond: -1, serviceRatePerSecond: 1) }
        #expect(throws: QueueingError.self) { try EngsetLossSystem(sources: 3, servers: 1, meanIdleSeconds: 0, meanHoldingSeconds: 1) }
    }
}
