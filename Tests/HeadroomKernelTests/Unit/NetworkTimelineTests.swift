import HeadroomKernel
import Testing

@Suite("Network timeline")
struct NetworkTimelineTests {
    /// An overloaded M/M/2/5 with patience: arrivals, completions, abandonments and blocking
    /// all happen, so every counter of the timeline is exercised.
    static let spec = QueueingNetworkSpec(
        stations: [.init(name: "q", servers: 2, service: .exponential(mean: 1), capacity: 5,
                         patience: .exponential(mean: 2))],
        openSources: [.init(station: 0, interarrival: .exponential(mean: 0.4))])

    @Test("one sample per interval, each interval's flows balance the change in customers present")
    func samplesConserveCustomers() {
        let simulation = QueueingNetworkSimulation(spec: Self.spec, seed: 5)
        let result = simulation.run(horizonSeconds: 1_000, sampleIntervalSeconds: 10)
        #expect(result.timeline.count == 100)
        var present = 0
        for (i, sample) in result.timeline.enumerated() {
            #expect(sample.startSeconds == Double(i) * 10)
            present += sample.arrivals - sample.completions - sample.abandoned - sample.blocked
            #expect(sample.inNetwork == present)
            #expect(sample.waiting + sample.busyServers == sample.inNetwork)
            #expect(sample.busyServers <= 2 && sample.inNetwork <= 5)
        }
        #expect(result.timeline.reduce(0) { $0 + $1.abandoned } > 0)
        #expect(result.timeline.reduce(0) { $0 + $1.blocked } > 0)
        #expect(result.timeline.contains { $0.p95Seconds > 0 })
    }

    @Test("asking for a timeline changes no other result")
    func timelineIsObservationOnly() {
        let plain = QueueingNetworkSimulation(spec: Self.spec, seed: 9).run(horizonSeconds: 500, warmupSeconds: 50)
        let sampled = QueueingNetworkSimulation(spec: Self.spec, seed: 9)
            .run(horizonSeconds: 500, warmupSeconds: 50, sampleIntervalSeconds: 1)
        #expect(plain.timeline.isEmpty && sampled.timeline.count == 500)
        #expect(plain.completedCustomers == sampled.completedCustomers)
        #expect(plain.networkSojourn.meanSeconds == sampled.networkSojourn.meanSeconds)
        #expect(plain.stations[0].abandoned == sampled.stations[0].abandoned)
        #expect(plain.eventsProcessed == sampled.eventsProcessed)
    }
}
