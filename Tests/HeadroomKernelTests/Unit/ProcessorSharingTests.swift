import HeadroomKernel
import Testing

@Suite("Processor-sharing station")
struct ProcessorSharingTests {
    /// Runs the station until empty, returning (customer, completion time) in completion order.
    static func drain(_ station: inout ProcessorSharingStation) -> [(Int32, Double)] {
        var done: [(Int32, Double)] = []
        while let t = station.nextCompletionSeconds {
            done.append((station.completeNext(atSeconds: t), t))
        }
        return done
    }

    @Test("8 jobs of 1 s work on 2 cores each run at a quarter speed and all finish at t = 4")
    func eightJobsTwoCores() {
        var station = ProcessorSharingStation(cores: 2)
        for c in 0..<8 { station.arrive(Int32(c), workSeconds: 1, atSeconds: 0) }
        let done = Self.drain(&station)
        #expect(done.count == 8)
        for (_, t) in done { #expect(abs(t - 4) <= 1e-12) }
        #expect(station.completions == 8)
        #expect(abs(station.busyCores.mean(atSeconds: 4) - 2) <= 1e-12)
        #expect(abs(station.jobsPresent.mean(atSeconds: 4) - 8) <= 1e-12)
    }

    @Test("with no more jobs than cores, each job runs at full speed")
    func fullSpeedBelowCores() {
        var station = ProcessorSharingStation(cores: 4)
        for (c, work) in [3.0, 1.0, 2.0].enumerated() { station.arrive(Int32(c), workSeconds: work, atSeconds: 0) }
        let done = Self.drain(&station)
        #expect(done.map(\.0) == [1, 2, 0])
        #expect(done.map(\.1) == [1, 2, 3])
    }

    @Test("a later, shorter job shares the core and overtakes: one core, works 2 (t=0) and 0.5 (t=1)")
    func laterShorterJobOvertakes() {
        // A runs alone for 1 s (1 s of work left); then both run at half speed: B finishes its
        // 0.5 s at t = 2, A has 0.5 s left and finishes alone at t = 2.5.
        var station = ProcessorSharingStation(cores: 1)
        station.arrive(0, workSeconds: 2, atSeconds: 0)
        let generation = station.generation
        station.arrive(1, workSeconds: 0.5, atSeconds: 1)
        #expect(station.generation != generation, "an arrival moves the next completion: the pending event is stale")
        let done = Self.drain(&station)
        #expect(done.map(\.0) == [1, 0])
        #expect(abs(done[0].1 - 2) <= 1e-12 && abs(done[1].1 - 2.5) <= 1e-12)
    }

    @Test("with contention, n jobs slow by 1 + a (n - 1) + b n (n - 1): two jobs of 1 s on one core, a = 0.5, b = 0.25")
    func universalScalabilityLawSlowdown() {
        // Two present: each gets (1/2) / (1 + 0.5 + 0.25 * 2) = 1/4 of a core; the first to
        // finish leaves at t = 4 (work 1 at rate 1/4); the second then has 0 work left as well.
        var station = ProcessorSharingStation(cores: 1, contention: 0.5, coherency: 0.25)
        station.arrive(0, workSeconds: 1, atSeconds: 0)
        station.arrive(1, workSeconds: 2, atSeconds: 0)
        #expect(abs((station.nextCompletionSeconds ?? 0) - 4) <= 1e-12)
        let done = Self.drain(&station)
        // Alone, the second job runs at full speed: its remaining 1 s of work ends at t = 5.
        #expect(done.map(\.0) == [0, 1])
        #expect(abs(done[0].1 - 4) <= 1e-12 && abs(done[1].1 - 5) <= 1e-12)
    }
}

