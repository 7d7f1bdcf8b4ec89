import Foundation

// Decoding a plain queueing network and faults.
extension ModelDecoder {
    // MARK: network, faults

    func decodeNetwork(_ node: YNode) -> QueueingNetwork? {
        guard let f = r.fields(node, "network", ["stations", "arrivals", "population"]) else { return nil }
        let stationNames = declaredNames(f["stations"])
        if stationNames.isEmpty { diag.error(f.at("stations"), "network.stations", "a network needs `stations` (e.g. `desk: {servers: 3, service: exp(300ms)}`)") }
        let stations = decodeNamedMap(f["stations"], "network.stations", limit: Limits.networkStations, noun: "stations") { name, node, path -> Station? in
            guard let sf = r.fields(node, path, ["servers", "service", "capacity", "discipline", "patience", "routes"]) else { return nil }
            if !sf.has("service") { diag.error(node.origin, path + ".service", "station `\(name)` needs `service` (e.g. exp(300ms))") }
            guard let service = sf.distribution("service") else { return nil }
            var st = Station(name: name, service: service)
            if let n = sf.optionalInt("servers", max: Limits.poolSize) {
                guard let n else {
                    diag.error(sf.at("servers"), path + ".servers", "an infinite-server station: write `servers` as a large number or model it as a `think_time`")
                    return nil
                }
                st.servers = n
            }
            if let c = sf.optionalInt("capacity", max: Limits.capacity) { st.capacity = c }
            if let c = st.capacity, c < st.servers {
                diag.error(sf.at("capacity"), path + ".capacity", "`capacity` (K = \(c)) counts customers in service too: it must be at least `servers` (\(st.servers))")
            }
            if let d = sf.choice("discipline", ["fcfs": Discipline.fcfs, "fifo": .fcfs, "ps": .ps, "processor_sharing": .ps], what: "discipline") { st.discipline = d }
            if let p = sf.distribution("patience") { st.patience = p }
            if let routes = sf["routes"] {
                guard let entries = routes.entries else {
                    diag.error(routes.origin, path + ".routes", "`routes` maps station names (or `exit`) to probabilities, e.g. `{disk: 0.3, exit: 0.7}`")
                    return st
                }
                var total = 0.0
                for e in entries {
                    let rp = "\(path).routes.\(e.key)"
                    guard let prob = r.probability(e.value, rp, what: "routing probability") else { continue }
                    total += prob
                    if e.key == "exit" { continue }
                    if reference(e.key, stationNames, "station", e.keyOrigin, rp) { st.routes.append(Route(to: e.key, probability: prob)) }
                }
                if total > 1 + 1e-9 { diag.error(routes.origin, path + ".routes", "routing probabilities sum to \(Units.formatNumber(total)), more than 1") }
            }
            return st
        }
        var arrivals: [ExternalArrival] = []
        if let a = f["arrivals"] {
            if let entries = a.entries {
                for e in entries {
                    let p = "network.arrivals.\(e.key)"
                    if let rate = r.rate(e.value, p, what: "arrival rate"), reference(e.key, stationNames, "station", e.keyOrigin, p) {
                        arrivals.append(ExternalArrival(station: e.key, ratePerSecond: rate))
                    }
                }
            } else if let rateText = a.scalar, !a.isNull, let first = stationNames.first {
                _ = rateText
                if let rate = r.rate(a, "network.arrivals", what: "arrival rate") { arrivals.append(ExternalArrival(station: first, ratePerSecond: rate)) }
            } else {
                diag.error(a.origin, "network.arrivals", "`arrivals` maps station names to Poisson rates, e.g. `{desk: 8/s}`")
            }
        }
        var population: NetworkPopulation? = nil
        if let pn = f["population"], let pf = r.fields(pn, "network.population", ["customers", "think_time", "station"]) {
            if !pf.has("customers") { diag.error(pn.origin, "network.population.customers", "a closed network needs `customers`") }
            let station = pf.name("station") ?? stationNames.first ?? ""
            if let c = pf.int("customers", max: Limits.users), reference(station, stationNames, "station", pf.at("station"), "network.population.station") {
                population = NetworkPopulation(customers: c, thinkTime: pf.distribution("think_time") ?? .constant(0), station: station)
            }
        }
        if f.has("arrivals") == f.has("population") {
            diag.error(node.origin, "network", "a network needs exactly one of `arrivals` (open) and `population` (closed)")
        }
        return QueueingNetwork(stations: stations, arrivals: arrivals, population: population)
    }

    func decodeFaults(_ node: YNode?) -> Faults {
        var faults = Faults()
        guard let node, let f = r.fields(node, "faults", ["track_orphans"]) else { return faults }
        if let b = f.bool("track_orphans") { faults.trackOrphans = b }
        return faults
    }
}
