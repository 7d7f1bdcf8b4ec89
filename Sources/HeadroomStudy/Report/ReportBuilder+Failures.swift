import HeadroomSim
import HeadroomOutput

extension ReportBuilder {
    /// The `failures` section: one item per cause that failed an attempt in some replication
    /// (`FailureCause` order), every endpoint together: its share of all attempts and its rate.
    /// Empty when every attempt succeeded, and the section is then left out of the report, so
    /// the reports of models that never fail are unchanged.
    static func failureItems(_ results: [SystemRunResult]) -> [ItemSeries] {
        var items: [ItemSeries] = []
        for cause in FailureCause.allCases {
            let counts = results.map { r in r.endpoints.reduce(0) { $0 + $1.failures(cause) } }
            guard counts.contains(where: { $0 > 0 }) else { continue }
            var item = ItemSeries(name: cause.key)
            item.add(.attemptShare, zip(results, counts).map { r, n in
                let attempts = r.endpoints.reduce(0) { $0 + $1.attempts }
                return attempts > 0 ? Double(n) / Double(attempts) : 0
            })
            item.add(.failuresPerSecond, zip(results, counts).map { r, n in perSecond(n, r) })
            items.append(item)
        }
        return items
    }
}
