// The workload: where requests come from. A closed population of users with a think time, or
// an open arrival process (a constant rate, or phases with ramps, sampled by thinning), and
// the endpoint mix each new request draws from.

import HeadroomKernel
import HeadroomModel

extension WebEngine {
    // MARK: Workload

    mutating func scheduleWorkload() {
        guard let workload = model.workload else { return }
        switch workload.arrivals {
        case .closed(let users, _):
            for u in 0..<users {
                schedule(.thinkEnd, Int32(u), at: thinkTime!.sample(thinkStream))
            }
        case .open:
            if let t = nextOpenArrival(after: 0) { schedule(.openArrival, 0, at: t) }
        }
    }

    /// The next arrival time of the open workload after `t`, or nil when the phases are over.
    /// Phases with a ramp are a non-homogeneous Poisson process sampled by thinning
    /// (Lewis & Shedler 1979): candidates at the phase's peak rate, kept with probability
    /// rate(t) / peak.
    mutating func nextOpenArrival(after t: Double) -> Double? {
        // A constant rate (the usual case), from the copy made at init: matching on
        // `model.workload` copies the arrivals enum out and destroys it again per arrival.
        if let rate = openRatePerSecond {
            return t + (openArrivalsEvenlySpaced ? 1 / rate : arrivalStream.exponential(mean: 1 / rate))
        }
        guard let workload = model.workload, case .open(let open, let process) = workload.arrivals else { return nil }
        switch open {
        case .rate(let rate):
            guard rate > 0 else { return nil }
            return t + (process == .constant ? 1 / rate : arrivalStream.exponential(mean: 1 / rate))
        case .phases(let phases):
            var time = t
            while phaseIndex < phases.count {
                var phaseStart = 0.0
                for i in 0..<phaseIndex { phaseStart += phases[i].durationSeconds }
                let phase = phases[phaseIndex]
                let phaseEnd = phaseStart + phase.durationSeconds
                let r0 = phase.ratePerSecond, r1 = phase.rampToPerSecond ?? phase.ratePerSecond
                let peak = max(r0, r1)
                if peak <= 0 { phaseIndex += 1; time = max(time, phaseEnd); continue }
                func rate(_ x: Double) -> Double { r0 + (r1 - r0) * (x - phaseStart) / phase.durationSeconds }
                if process == .constant {
                    let candidate = time + 1 / max(rate(time), peak * 1e-6)
                    if candidate < phaseEnd { return candidate }
                } else {
                    var candidate = time
                    while true {
                        candidate += arrivalStream.exponential(mean: 1 / peak)
                        if candidate >= phaseEnd { break }
                        if arrivalStream.uniform() * peak <= rate(candidate) { return candidate }
                    }
                }
                time = phaseEnd
                phaseIndex += 1
            }
            return nil
        }
    }

    mutating func openArrival() {
        if let t = nextOpenArrival(after: now) { schedule(.openArrival, 0, at: t) }
        startNewRequest(closedUser: -1)
    }

    // Mutating although it only reads: called from a mutating method, a non-mutating method
    // of this struct gets a copy of the whole engine (a 1.6 KB memcpy per request here).
    @inline(__always)
    mutating func chooseEndpoint() -> Int32 {
        // One endpoint: no draw (the mix stream feeds nothing else, so skipping it changes no
        // other figure).
        if mixCumulative.count == 1 { return 0 }
        let u = mixStream.uniform()
        for (i, c) in mixCumulative.enumerated() where u < c { return Int32(i) }
        return Int32(max(0, mixCumulative.count - 1))
    }

    @inline(__always)
    mutating func startNewRequest(closedUser: Int32) {
        guard !mixCumulative.isEmpty else { return }
        // One client (the default): user 0, without a division or a draw from the user stream,
        // which feeds nothing else.
        let user: Int32 = clients == 1 ? 0 : closedUser >= 0 ? closedUser % Int32(clients)
            : Int32(min(clients - 1, Int(userStream.uniform() * Double(clients))))
        let a = newAttempt(endpoint: chooseEndpoint(), user: user, number: 1, closedUser: closedUser)
        startAttempt(a)
    }
}
