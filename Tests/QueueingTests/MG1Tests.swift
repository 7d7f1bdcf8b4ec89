import Testing
@testable import Queueing

@Suite("M/G/1 and Allen-Cunneen")
struct MG1Tests {
    @Test("Pollaczek-Khinchine with exponential service (SCV = 1) equals M/M/1")
    func pkExponential() throws {
        let pk = try MG1Queue(arrivalRatePerSecond: 0.9, meanServiceSeconds: 1, serviceSquaredCV: 1)
        #expect(isClose(pk.meanWaitSeconds, 9))
        #expect(isClose(pk.meanNumberInSystem, 9))
    }

    @Test("M/D/1 waits half as long as M/M/1: Wq = rho S / (2 (1 - rho))")
    func pkDeterministic() throws {
        let md1 = try MG1Queue(arrivalRatePerSecond: 8, meanServiceSeconds: 0.1, serviceSquaredCV: 0)
        #expect(isClose(md1.meanWaitSeconds, 0.8 * 0.1 / (2 * 0.2)))
        #expect(isClose(md1.meanQueueLength, 8 * md1.meanWaitSeconds, relative: 1e-14))
    }

    @Test("Pollaczek-Khinchine grows linearly in (1 + SCV)")
    func pkVariability() throws {
        let base = try MG1Queue(arrivalRatePerSecond: 5, meanServiceSeconds: 0.1, serviceSquaredCV: 0)
        let bursty = try MG1Queue(arrivalRatePerSecond: 5, meanServiceSeconds: 0.1, serviceSquaredCV: 4)
        #expect(isClose(bursty.meanWaitSeconds, 5 * base.meanWaitSeconds))
    }

    @Test("Allen-Cunneen with ca2 = cs2 = 1 equals M/M/c exactly")
    func allenCunneenMMc() throws {
        let ac = try AllenCunneenApproximation(arrivalRatePerSecond: 8.5, meanServiceSeconds: 1, servers: 10,
                                               interarrivalSquaredCV: 1, serviceSquaredCV: 1)
        #expect(isClose(ac.meanWaitSeconds, 0.35324087007726895896, relative: 1e-12))
    }

    @Test("Allen-Cunneen with one server and Poisson arrivals equals Pollaczek-Khinchine")
    func allenCunneenMG1() throws {
        let ac = try AllenCunneenApproximation(arrivalRatePerSecond: 6, meanServiceSeconds: 0.1, servers: 1,
                                               interarrivalSquaredCV: 1, serviceSquaredCV: 2.5)
        let pk = try MG1Queue(arrivalRatePerSecond: 6, meanServiceSeconds: 0.1, serviceSquaredCV: 2.5)
        #expect(isClose(ac.meanWaitSeconds, pk.meanWaitSeconds, relative: 1e-12))
    }

    @Test("M/G/1 and Allen-Cunneen reject rho >= 1 and negative variability")
    func errors() {
        #expect(throws: QueueingError.unstable(rho: 1)) {
            try MG1Queue(arrivalRatePerSecond: 10, meanServiceSeconds: 0.1, serviceSquaredCV: 1)
        }
        #expect(throws: QueueingError.self) {
            try MG1Queue(arrivalRatePerSecond: 1, meanServiceSeconds: 0.1, serviceSquaredCV: -1)
        }
        #expect(throws: QueueingError.self) {
            try AllenCunneenApproximation(arrivalRatePerSecond: 30, meanServiceSeconds: 0.1, servers: 3,
                                          interarrivalSquaredCV: 1, serviceSquaredCV: 1)
        }
    }
}
