import Testing
@testable import Queueing

/// Reference values: exact rational / 40-digit arithmetic (mpmath), agreeing with published
/// Erlang B tables (e.g. B(10, 5 E) = 0.01838) and the M/M/c example a = 8.5, c = 10.
@Suite("Erlang B and C")
struct ErlangTests {
    @Test("Erlang B matches table values")
    func erlangBTable() throws {
        #expect(try erlangB(servers: 1, offeredLoadErlangs: 1) == 0.5)
        #expect(isClose(try erlangB(servers: 2, offeredLoadErlangs: 1), 0.2, relative: 1e-15))
        #expect(isClose(try erlangB(servers: 5, offeredLoadErlangs: 2), 4.0 / 109.0, relative: 1e-14))
        #expect(isClose(try erlangB(servers: 10, offeredLoadErlangs: 5), 0.018384570336648133137, relative: 1e-12))
        #expect(isClose(try erlangB(servers: 100, offeredLoadErlangs: 80), 0.0039920286045531974726, relative: 1e-12))
    }

    @Test("Erlang B with zero servers blocks everything and with zero load blocks nothing")
    func erlangBEdges() throws {
        #expect(try erlangB(servers: 0, offeredLoadErlangs: 3) == 1)
        #expect(try erlangB(servers: 4, offeredLoadErlangs: 0) == 0)
    }

    @Test("Erlang C for a = 8.5 erlangs on 10 servers is 0.5298613")
    func erlangCTextbook() throws {
        #expect(isClose(try erlangC(servers: 10, offeredLoadErlangs: 8.5), 0.52986130511590343845, relative: 1e-12))
        #expect(isClose(try erlangC(servers: 2, offeredLoadErlangs: 1), 1.0 / 3.0, relative: 1e-14))
        #expect(isClose(try erlangC(servers: 20, offeredLoadErlangs: 15), 0.16042938741692361934, relative: 1e-12))
    }

    @Test("Erlang C on one server is rho (M/M/1)")
    func erlangCOneServer() throws {
        #expect(isClose(try erlangC(servers: 1, offeredLoadErlangs: 0.9), 0.9, relative: 1e-15))
    }

    @Test("Erlang B and C are finite, in [0, 1] and decreasing in c at c = 1000, rho = 0.999")
    func largeSystems() throws {
        let a = 999.0
        #expect(isClose(try erlangB(servers: 1000, offeredLoadErlangs: a), 0.024199178595561824879, relative: 1e-10))
        #expect(isClose(try erlangC(servers: 1000, offeredLoadErlangs: a), 0.96123926040841911191, relative: 1e-10))
        var previousB = 1.0, previousC = 1.0
        for c in 1000...1100 {
            let b = try erlangB(servers: c, offeredLoadErlangs: a)
            let w = try erlangC(servers: c, offeredLoadErlangs: a)
            #expect(b.isFinite && b >= 0 && b <= 1)
            #expect(w.isFinite && w >= 0 && w <= 1)
            #expect(b < previousB && w < previousC)
            #expect(w >= b) // waiting is never less likely than blocking
            previousB = b; previousC = w
        }
    }

    @Test("Erlang B for 100 000 servers matches the definition summed in 40-digit arithmetic")
    func hugeErlangB() throws {
        // Reference: B = (a^c / c!) / sum_{k<=c} a^k / k!, every term summed in log space with
        // mpmath at 40 digits (not the recursion the code uses). A window like (0, 0.01) would
        // pass anything up to 1 200 times the truth.
        let b = try erlangB(servers: 100_000, offeredLoadErlangs: 99_000)
        #expect(isClose(b, 8.2257755985042223192e-6, relative: 1e-9))
    }

    @Test("Erlang C rejects rho >= 1 with .unstable")
    func erlangCUnstable() {
        #expect(throws: QueueingError.unstable(rho: 1)) { try erlangC(servers: 10, offeredLoadErlangs: 10) }
    }

    @Test("Erlang functions reject negative load and servers")
    func erlangNegative() {
        #expect(throws: QueueingError.self) { try erlangB(servers: 3, offeredLoadErlangs: -1) }
        #expect(throws: QueueingError.self) { try erlangB(servers: -1, offeredLoadErlangs: 1) }
        #expect(throws: QueueingError.self) { try erlangC(servers: 0, offeredLoadErlangs: 0.5) }
        #expect(throws: QueueingError.self) { try erlangB(servers: 3, offeredLoadErlangs: .nan) }
    }
}
