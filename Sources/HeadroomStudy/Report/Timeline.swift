import Foundation
import HeadroomModel
import HeadroomSim
import HeadroomAnalysis
import HeadroomOutput

/// One replication's timeline (`headroom run --timeline 1s`).
public struct ReplicationTimeline: Sendable {
    public var replication: Int
    public var samples: [TimelineSample]
}

extension ReplicationStudy {
    /// Runs the study and records every replication's timeline at `intervalSeconds` (from time 0,
    /// the warm-up included, so a load test's ramp is visible). The report is the one `run()` gives.
    public func runRecordingTimelines(intervalSeconds: Double) -> (report: StudyReport, timelines: [ReplicationTimeline]) {
        let store = TimelineStore()
        var study = self
        let inner = runner
        study.runner = { model, replication, warmup, horizon, interval, progress in
            // A non-nil interval is the MSER-5 pilot's own request: pass it through unrecorded.
            if let interval { return inner(model, replication, warmup, horizon, interval, progress) }
            let result = inner(model, replication, warmup, horizon, intervalSeconds, progress)
            store.set(replication, result.timeline)
            return result
        }
        let report = study.run()
        return (report, store.all())
    }
}

final class TimelineStore: @unchecked Sendable {
    private let lock = NSLock()
    private var byReplication: [Int: [TimelineSample]] = [:]
    func set(_ r: Int, _ s: [TimelineSample]) { lock.lock(); byReplication[r] = s; lock.unlock() }
    func all() -> [ReplicationTimeline] {
        lock.lock(); defer { lock.unlock() }
        return byReplication.keys.sorted().map { ReplicationTimeline(replication: $0, samples: byReplication[$0]!) }
    }
}

/// Timeline files: CSV (one row per replication and interval) or JSON. Columns in docs/sweeps.md.
public enum TimelineExport {
    /// Samples a run may record over all its replications (about 80 MB of CSV): an interval
    /// far below the horizon (`--timeline 1ns` on a 10-minute run) would otherwise fill the
    /// memory with samples and the calendar with ticks before anything is written.
    public static let maximumSamples = 1_000_000

    /// Why a timeline at `intervalSeconds` is refused for this horizon and replication count
    /// (more than `maximumSamples` samples in all), or nil when it is accepted.
    public static func tooManySamples(intervalSeconds: Double, horizonSeconds: Double, replications: Int) -> String? {
        // 600 s / 1.2 ms is 500,000.00000000006 in binary: the last sample's sliver is not a sample.
        let perReplication = (horizonSeconds / intervalSeconds * (1 - 1e-12)).rounded(.up)
        let total = perReplication * Double(max(1, replications))
        guard total > Double(maximumSamples) else { return nil }
        let shortest = horizonSeconds * Double(max(1, replications)) / Double(maximumSamples)
        return "a timeline every \(Units.formatDuration(intervalSeconds)) over a \(Units.formatDuration(horizonSeconds)) horizon "
            + "and \(replications) replication\(replications == 1 ? "" : "s") would record \(total < 1e15 ? Format.groupThousands(Int(total)) : WorkEstimate.compact(total)) samples, "
            + "more than \(Format.groupThousands(maximumSamples)): pass an interval of at least \(Units.formatDuration(shortest)), "
            + "a shorter --horizon or fewer --replications"
    }
    public static let columns = ["replication", "start_seconds", "end_seconds", "arrivals", "completions",
                                 "in_flight", "pool_waiting", "connections_in_use", "timeouts", "errors", Metric.p95Seconds.key,
                                 Metric.p50Seconds.key, Metric.p99Seconds.key, "rejected", "rate_limited"]

    /// The columns, then one `utilization.RESOURCE` per resource the timeline samples
    /// (`TimelineResources.names`: workers, threads, each pool, each database node).
    public static func columns(resources: [String]) -> [String] {
        columns + resources.map { "utilization.\($0)" }
    }

    /// Per endpoint with `--timeline-by-endpoint`: `endpoint.NAME.` and each of these.
    public static let endpointColumns = ["arrivals", "completions", "timeouts", "errors", "rejected", "rate_limited",
                                         Metric.p50Seconds.key, Metric.p95Seconds.key, Metric.p99Seconds.key]

    /// The endpoints of the samples' per-endpoint series (none without `--timeline-by-endpoint`).
    static func endpoints(_ timelines: [ReplicationTimeline], model: Model?) -> [String] {
        let n = timelines.lazy.compactMap { $0.samples.first?.endpoints.count }.first ?? 0
        guard n > 0 else { return [] }
        if let model, model.endpoints.count == n { return model.endpoints.map(\.name) }
        return (0..<n).map { "endpoint-\($0 + 1)" }
    }

    static func endpointColumns(_ names: [String]) -> [String] {
        names.flatMap { name in endpointColumns.map { "endpoint.\(name).\($0)" } }
    }

    /// The resources a web model's timeline samples the utilization of, in column order.
    public static func resources(of model: Model) -> [String] { TimelineResources.names(model) }

    /// The resources of the samples' utilizations: the model's, or numbered when it is not given.
    static func resources(_ timelines: [ReplicationTimeline], model: Model?) -> [String] {
        if let model { return TimelineResources.names(model) }
        let n = timelines.first?.samples.first?.utilizations.count ?? 0
        return (0..<n).map { "resource-\($0 + 1)" }
    }

    /// `3` for whole numbers, else the shortest round-trip form.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    /// An interval with no response time has no percentiles: an empty field, never 0.
    public static func csv(_ timelines: [ReplicationTimeline], intervalSeconds: Double, model: Model? = nil) -> String {
        let resources = resources(timelines, model: model)
        let endpoints = endpoints(timelines, model: model)
        var out = (columns(resources: resources) + endpointColumns(endpoints)).joined(separator: ",") + "\n"
        for t in timelines {
            for s in t.samples {
                let latency = { (x: Double) in s.hasLatencies ? number(x) : "" }
                out += "\(t.replication),\(number(s.startSeconds)),\(number(s.startSeconds + intervalSeconds)),"
                out += "\(s.arrivals),\(s.completions),\(s.inFlight),\(s.poolWaiting),\(s.connectionsInUse),"
                out += "\(s.timeouts),\(s.errors),\(latency(s.p95Seconds)),\(latency(s.p50Seconds)),\(latency(s.p99Seconds)),"
                out += "\(s.rejected),\(s.rateLimited)"
                for i in resources.indices { out += "," + (i < s.utilizations.count ? number(s.utilizations[i]) : "") }
                for i in endpoints.indices {
                    guard i < s.endpoints.count else { out += String(repeating: ",", count: endpointColumns.count); continue }
                    let e = s.endpoints[i]
                    let latency = { (x: Double) in e.latencyCount > 0 ? number(x) : "" }
                    out += ",\(e.arrivals),\(e.completions),\(e.timeouts),\(e.errors),\(e.rejected),\(e.rateLimited),"
                    out += "\(latency(e.p50Seconds)),\(latency(e.p95Seconds)),\(latency(e.p99Seconds))"
                }
                out += "\n"
            }
        }
        return out
    }

    /// The phases of an open load (start and end from time 0, rates): so that charts shade them
    /// from the data, not from a copy of the model.
    public static func phases(of model: Model) -> [(startSeconds: Double, endSeconds: Double, ratePerSecond: Double, rampToPerSecond: Double?)] {
        guard case let .open(.phases(phases), _)? = model.workload?.arrivals else { return [] }
        var t = 0.0
        return phases.map { p in
            defer { t += p.durationSeconds }
            return (t, t + p.durationSeconds, p.ratePerSecond, p.rampToPerSecond)
        }
    }

    public static func json(_ timelines: [ReplicationTimeline], intervalSeconds: Double, report: StudyReport,
                            model: Model? = nil) -> String {
        JSONValue.object([
            ("schema", .string("headroom.timeline/1")),
            ("model", .object([("name", .string(report.modelName)), ("source", .string(report.sourcePath))])),
            ("interval_seconds", .num(intervalSeconds)),
            ("warmup_seconds", .num(report.settings.warmupSeconds)),
            ("horizon_seconds", .num(report.settings.horizonSeconds)),
            ("phases", .array((model.map(phases) ?? []).map { p in
                .object([("start_seconds", .num(p.startSeconds)), ("end_seconds", .num(p.endSeconds)),
                         ("rate_per_second", .num(p.ratePerSecond)), ("ramp_to_per_second", .num(p.rampToPerSecond))])
            })),
            ("columns", .array((columns(resources: resources(timelines, model: model)) + endpointColumns(endpoints(timelines, model: model)))
                .dropFirst().map { .string($0) })),
            ("replications", .array(timelines.map { t in
                .object([
                    ("replication", .int(t.replication)),
                    ("samples", .array(t.samples.map { s in
                        // An interval with no response time: its percentiles are null.
                        let latency = { (x: Double) -> JSONValue in s.hasLatencies ? .num(x) : .null }
                        return .array([.num(s.startSeconds), .num(s.startSeconds + intervalSeconds), .int(s.arrivals),
                                       .int(s.completions), .int(s.inFlight), .int(s.poolWaiting), .int(s.connectionsInUse),
                                       .int(s.timeouts), .int(s.errors), latency(s.p95Seconds), latency(s.p50Seconds),
                                       latency(s.p99Seconds), .int(s.rejected), .int(s.rateLimited)]
                                      + s.utilizations.map { .num($0) }
                                      + s.endpoints.flatMap { e -> [JSONValue] in
                                          let l = { (x: Double) -> JSONValue in e.latencyCount > 0 ? .num(x) : .null }
                                          return [.int(e.arrivals), .int(e.completions), .int(e.timeouts), .int(e.errors), .int(e.rejected),
                                                  .int(e.rateLimited), l(e.p50Seconds), l(e.p95Seconds), l(e.p99Seconds)]
                                      })
                    })),
                ])
            })),
        ]).text
    }
}

extension TimelineExport {
    /// JSON when `path` ends in `.json`, else CSV.
    public static func rendered(_ timelines: [ReplicationTimeline], intervalSeconds: Double, report: StudyReport,
                                path: String, model: Model? = nil) -> String {
        path.lowercased().hasSuffix(".json")
            ? json(timelines, intervalSeconds: intervalSeconds, report: report, model: model)
            : csv(timelines, intervalSeconds: intervalSeconds, model: model)
    }
}
