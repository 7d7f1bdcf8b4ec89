import Foundation
import HeadroomModel
import Queueing
import HeadroomOutput

// MARK: - Plain networks

package struct NetworkAnalyzer {
    package let model: Model
    package let network: QueueingNetwork

    package func analyze() -> Analysis {
        var notes: [String] = []
        var warnings: [String] = []
        let st = network.stations
        let m = st.count
        let index = Dictionary(uniqueKeysWithValues: st.enumerated().map { ($1.name, $0) })
        // Sparse: a network of 10,000 stations would need a 10^8-entry matrix.
        let routing: [[RoutingArc]] = st.map { s in
            s.routes.compactMap { r in index[r.to].map { RoutingArc(station: $0, probability: r.probability) } }
        }
        let closed = network.population
        var gamma = [Double](repeating: 0, count: m)
        if let pop = closed {
            if let j = index[pop.station] { gamma[j] = 1 }
        } else {
            for a in network.arrivals { if let j = index[a.station] { gamma[j] += a.ratePerSecond } }
        }
        let gammaTotal = gamma.reduce(0, +)
        guard let flows = try? JacksonNetwork.solveTrafficEquations(externalArrivalRatesPerSecond: gamma, routes: routing) else {
            warnings.append("the routing traps customers (some station can never be left): no analytic figures")
            return empty(warnings: warnings, notes: notes)
        }
        // Visits per customer entering the network (per cycle for a closed network).
        let visits = flows.map { gammaTotal > 0 ? $0 / gammaTotal : 0 }
        var stations: [Analysis.Station] = st.enumerated().map { i, s in
            Analysis.Station(name: s.name, servers: s.servers, visits: visits[i], demandSeconds: visits[i] * s.service.mean)
        }
        var resources = st.enumerated().map { i, s in
            Analysis.Resource(id: "station.\(s.name)", kind: "station", name: s.name, servers: s.servers,
                              demandSeconds: stations[i].demandSeconds, utilization: nil,
                              maxThroughputPerSecond: stations[i].demandSeconds > 0 ? Double(s.servers) / stations[i].demandSeconds : nil)
        }
        let r0 = stations.reduce(0) { $0 + $1.demandSeconds }
        var result = Analysis(
            modelName: model.name, sourcePath: model.sourcePath, workload: closed == nil ? .open : .closed,
            arrivalRatePerSecond: closed == nil ? gammaTotal : nil, peakArrivalRatePerSecond: closed == nil ? gammaTotal : nil,
            users: closed?.customers, thinkTimeSeconds: closed?.thinkTime.mean, throughputPerSecond: nil, responseSeconds: nil,
            resources: [], bottleneck: nil, bounds: Analysis.Bounds(minResponseSeconds: r0), pools: [], endpoints: [],
            cacheHitRatios: [], mva: [], stations: [], network: Analysis.Network(), warnings: [], notes: [])

        if let pop = closed {
            solveClosedNetwork(pop, &stations, &result, &notes)
        } else {
            for i in 0..<m {
                let u = flows[i] * st[i].service.mean / Double(st[i].servers)
                stations[i].utilization = u
                stations[i].throughputPerSecond = flows[i]
                resources[i].utilization = u
                // Stations that lose customers (capacity, patience) are stable at any load.
                if u >= 1 && st[i].capacity == nil && st[i].patience == nil {
                    warnings.append("open load overloads station `\(st[i].name)`: analytic utilization \(formatFraction(u)) (>= 1) at \(formatRate(flows[i])); it saturates at \(formatRate(Double(st[i].servers) / st[i].service.mean)) and the queue grows without bound (simulated as a what-if)")
                }
            }
            result.throughputPerSecond = gammaTotal
            solveOpen(flows: flows, routing: routing, gamma: gamma, &stations, &result, &notes)
        }
        for i in 0..<m { resources[i].utilization = stations[i].utilization }
        result.resources = resources
        result.stations = stations
        result.bottleneck = bottleneckOf(resources)
        result.bounds = boundsFor(resources: resources, minResponse: r0, users: closed?.customers, think: closed?.thinkTime.mean)
        result.warnings = warnings
        result.notes = notes
        return result
    }

    package func empty(warnings: [String], notes: [String]) -> Analysis {
        Analysis(modelName: model.name, sourcePath: model.sourcePath, workload: network.population == nil ? .open : .closed,
                 arrivalRatePerSecond: nil, peakArrivalRatePerSecond: nil, users: network.population?.customers,
                 thinkTimeSeconds: network.population?.thinkTime.mean, throughputPerSecond: nil, responseSeconds: nil,
                 resources: [], bottleneck: nil, bounds: Analysis.Bounds(minResponseSeconds: 0), pools: [], endpoints: [],
                 cacheHitRatios: [], mva: [], stations: [], network: nil, warnings: warnings, notes: notes)
    }

    package func solveOpen(flows: [Double], routing: [[RoutingArc]], gamma: [Double], _ stations: inout [Analysis.Station],
                   _ result: inout Analysis, _ notes: inout [String]) {
        let st = network.stations
        let selfFree = st.count == 1 && st[0].routes.isEmpty
        if selfFree {
            let s = st[0]
            let lambda = gamma[0]
            let mean = s.service.mean
            func fill(_ method: String, u: Double, x: Double, l: Double, lq: Double, w: Double, wq: Double,
                      blocking: Double? = nil, abandon: Double? = nil) {
                stations[0].utilization = u; stations[0].throughputPerSecond = x
                stations[0].meanNumberPresent = l; stations[0].meanNumberWaiting = lq
                stations[0].meanResponseSeconds = w; stations[0].meanWaitSeconds = wq
                stations[0].blockingProbability = blocking; stations[0].abandonmentProbability = abandon
                result.network = Analysis.Network(method: method, throughputPerSecond: x, meanResponseSeconds: w, meanNumberInNetwork: l)
                result.throughputPerSecond = x
            }
            let fcfs = s.discipline == .fcfs || s.servers == 1 && s.service.isExponential
            if let patience = s.patience {
                if patience.isExponential && s.service.isExponential && s.capacity == nil && s.discipline == .fcfs,
                   let q = try? ErlangAQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, servers: s.servers,
                                             meanPatienceSeconds: patience.mean) {
                    fill("Erlang-A", u: q.utilization, x: q.servedThroughputPerSecond, l: q.meanNumberInSystem,
                         lq: q.meanQueueLength, w: q.meanResponseOfServedSeconds, wq: q.meanWaitOfServedSeconds,
                         abandon: q.probabilityOfAbandonment)
                    notes.append("station `\(s.name)`: Erlang-A (M/M/c+M); response and wait are those of served customers")
                } else {
                    notes.append("station `\(s.name)`: impatient customers with non-exponential service or patience (or a capacity): no closed form")
                }
                return
            }
            if let k = s.capacity {
                if s.service.isExponential && fcfs,
                   let q = try? MMcKQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, servers: s.servers, capacity: k) {
                    fill("M/M/c/K", u: q.utilization, x: q.throughputPerSecond, l: q.meanNumberInSystem, lq: q.meanQueueLength,
                         w: q.meanResponseSeconds, wq: q.meanWaitSeconds, blocking: q.blockingProbability)
                } else {
                    notes.append("station `\(s.name)`: finite capacity with non-exponential service: no closed form")
                }
                return
            }
            if s.service.isExponential && fcfs {
                if let q = try? MMcQueue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, servers: s.servers) {
                    fill("M/M/c", u: q.utilization, x: lambda, l: q.meanNumberInSystem, lq: q.meanQueueLength,
                         w: q.meanResponseSeconds, wq: q.meanWaitSeconds)
                    // First come, first served: the response time's whole distribution is known,
                    // so are its percentiles (not under processor sharing, whose mean alone agrees).
                    if s.discipline == .fcfs {
                        let p50 = try? q.responseQuantileSeconds(probability: 0.50)
                        let p95 = try? q.responseQuantileSeconds(probability: 0.95)
                        let p99 = try? q.responseQuantileSeconds(probability: 0.99)
                        stations[0].p95ResponseSeconds = p95
                        result.network?.p50ResponseSeconds = p50
                        result.network?.p95ResponseSeconds = p95
                        result.network?.p99ResponseSeconds = p99
                    }
                }
                return
            }
            if s.servers == 1 && s.discipline == .ps {
                let rho = lambda * mean
                if rho < 1 {
                    let w = mean / (1 - rho)
                    fill("M/G/1-PS", u: rho, x: lambda, l: rho / (1 - rho), lq: rho * rho / (1 - rho), w: w, wq: w - mean)
                    stations[0].meanWaitSeconds = nil // no queue wait under processor sharing
                }
                return
            }
            if s.servers == 1, let scv = s.service.squaredCV,
               let q = try? MG1Queue(arrivalRatePerSecond: lambda, meanServiceSeconds: mean, serviceSquaredCV: scv) {
                fill("M/G/1", u: q.utilization, x: lambda, l: q.meanNumberInSystem, lq: q.meanQueueLength,
                     w: q.meanResponseSeconds, wq: q.meanWaitSeconds)
                return
            }
            notes.append("station `\(s.name)`: \(s.servers) servers with non-exponential service: no exact closed form (Allen-Cunneen would be an approximation)")
            return
        }
        // Jackson: every station exponential FCFS (or single-server PS, whose means are the same), no losses.
        let productForm = st.allSatisfy { s in
            s.capacity == nil && s.patience == nil &&
                ((s.discipline == .fcfs && s.service.isExponential) || (s.discipline == .ps && s.servers == 1))
        }
        guard productForm else {
            notes.append("the network is not a Jackson network (a station is not exponential FCFS, or has a capacity or patience): no closed form")
            return
        }
        let js = st.enumerated().map { i, s in
            JacksonStation(name: s.name, servers: s.servers, meanServiceSeconds: s.service.mean, externalArrivalRatePerSecond: gamma[i])
        }
        guard let net = try? JacksonNetwork(stations: js, routes: routing) else {
            notes.append("the Jackson network has an overloaded station: no steady state")
            return
        }
        for (i, r) in net.stations.enumerated() {
            stations[i].utilization = r.utilization
            stations[i].throughputPerSecond = r.arrivalRatePerSecond
            stations[i].meanNumberPresent = r.meanNumberInSystem
            stations[i].meanNumberWaiting = r.meanNumberInSystem - r.arrivalRatePerSecond * st[i].service.mean
            stations[i].meanResponseSeconds = r.meanResponseSeconds
            stations[i].meanWaitSeconds = st[i].discipline == .ps ? nil : r.meanWaitSeconds
        }
        result.network = Analysis.Network(method: "Jackson", throughputPerSecond: net.totalExternalArrivalRatePerSecond,
                                          meanResponseSeconds: net.meanSojournSeconds, meanNumberInNetwork: net.meanNumberInNetwork)
    }

    package func solveClosedNetwork(_ pop: NetworkPopulation, _ stations: inout [Analysis.Station], _ result: inout Analysis,
                            _ notes: inout [String]) {
        let st = network.stations
        let productForm = st.allSatisfy { s in
            s.capacity == nil && s.patience == nil && (s.discipline == .ps || s.service.isExponential)
        }
        guard productForm else {
            notes.append("the closed network is not product form (a FCFS station with non-exponential service, or a capacity or patience): no MVA")
            return
        }
        let cs = st.enumerated().map { i, s in
            ClosedStation(name: s.name, kind: s.servers <= 1 ? .queueing : .multiServer(servers: s.servers),
                          serviceDemandSeconds: stations[i].demandSeconds)
        }
        guard let net = try? ClosedNetwork(stations: cs, thinkTimeSeconds: pop.thinkTime.mean) else { return }
        let solved = solveClosed(net, users: pop.customers, notes: &notes)
        result.mva = solved.curve
        guard let r = solved.atUsers else { return }
        for i in 0..<st.count {
            let v = stations[i].visits
            let s = st[i].service.mean
            let x = r.throughputPerSecond * v
            stations[i].utilization = r.utilizations[i]
            stations[i].throughputPerSecond = x
            stations[i].meanNumberPresent = r.queueLengths[i]
            stations[i].meanNumberWaiting = max(0, r.queueLengths[i] - x * s)
            if v > 0 {
                let w = r.residenceTimesSeconds[i] / v
                stations[i].meanResponseSeconds = w
                stations[i].meanWaitSeconds = st[i].discipline == .ps ? nil : max(0, w - s)
            }
        }
        result.throughputPerSecond = r.throughputPerSecond
        result.responseSeconds = r.responseTimeSeconds
        result.network = Analysis.Network(method: solved.method, throughputPerSecond: r.throughputPerSecond,
                                          meanResponseSeconds: r.responseTimeSeconds,
                                          meanNumberInNetwork: r.queueLengths.reduce(0, +))
    }
}
