import Foundation
import HeadroomOutput
import HeadroomStudy
import HeadroomAnalysis

/// The charts of `headroom breakpoint` (its `--html`, or `headroom report FILE.json` on its JSON):
/// each SLO's figure against the load with the bracket where it breaks, throughput and
/// utilization against the load, and the load at which each resource reaches 100 %. Read from the
/// documented JSON (`headroom.breakpoint/1`) by key.
extension HTMLReport {
    /// The page of any JSON report Headroom can chart: `headroom.breakpoint/…`, `headroom.verify/…`.
    public static func page(json text: String, source: String) throws(AuditReadError) -> String {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw AuditReadError(description: "`\(source)` is not a JSON object")
            }
            root = object
        } catch let e as AuditReadError {
            throw e
        } catch {
            throw AuditReadError(description: "`\(source)` is not JSON: \(error.localizedDescription)")
        }
        let schema = (root["schema"] as? String) ?? ""
        if schema.hasPrefix("headroom.breakpoint/") { return try breakpointPage(root, source: source).rendered }
        if schema.hasPrefix("headroom.verify/") || schema.hasPrefix("headroom.reproduce/") { return try audit(json: text, source: source) }
        throw AuditReadError(description: "`\(source)` is a `\(schema.isEmpty ? "schema-less" : schema)` file; headroom report reads the JSON of `breakpoint`, `verify` and `reproduce` (for run and plan, use their --html)")
    }

    public static func breakpoint(json text: String, source: String) throws(AuditReadError) -> String {
        try page(json: text, source: source)
    }

    static func breakpointPage(_ root: [String: Any], source: String) throws(AuditReadError) -> HTMLPage {
        guard let points = root["points"] as? [[String: Any]], let key = root["key"] as? String else {
            throw AuditReadError(description: "`\(source)` has no `points` and `key`: not the JSON of `headroom breakpoint`")
        }
        let model = root["model"] as? [String: Any]
        let unitText = (root["unit"] as? String) ?? ""
        let loadUnit: ChartUnit = unitText.hasSuffix("/s") ? .perSecond("req") : unitText == "s" ? .seconds : .count("")
        let load = ChartAxis(key, unit: loadUnit)
        let breakpoint = number(root["breakpoint"]), firstFailing = number(root["first_failing"])
        let slos = (root["slos"] as? [[String: Any]]) ?? []
        func loadText(_ v: Double) -> String { loadUnit.text(v) }

        var facts = ["model: \((model?["source"] as? String) ?? source)"]
        facts.append("SLOs: " + slos.compactMap { $0["slo"] as? String }.joined(separator: ", ") + " — each checked at the unfavourable bound of its confidence interval")
        if let r = number(root["replications"]), let h = number(root["horizon_seconds"]) {
            facts.append("\(points.count) loads simulated, \(Int(r)) replication\(r == 1 ? "" : "s") × \(formatDuration(h)) each")
        }
        var page = HTMLPage(title: "\((model?["name"] as? String) ?? "model"): where it breaks", facts: facts)
        if let b = breakpoint {
            var line = "Largest load meeting every SLO: \(key) = \(loadText(b))"
            if let f = firstFailing { line += "; it fails at \(loadText(f))" }
            page.add(.paragraph(line + "."))
        } else {
            page.add(.paragraph("No load tried meets every SLO."))
        }
        if let s = root["saturates_first"] as? String {
            var line = "Saturates first (analytic): \(s)"
            if let sim = root["saturated_in_simulation"] as? String, sim != s { line += "; the busiest in the simulation at the first failing load: \(sim)" }
            page.add(.paragraph(line + "."))
        }
        page.add(.list(title: "Warnings", items: foldingNumberVariants((root["warnings"] as? [String]) ?? [])))

        // Where it breaks: the bracket between the last passing and the first failing load.
        var bands: [ChartBand] = []
        if let b = breakpoint, let f = firstFailing, f > b { bands.append(ChartBand(from: b, to: f, label: "breaks")) }
        let sorted = points.compactMap { p in number(p["value"]).map { (value: $0, point: p) } }.sorted { $0.value < $1.value }

        page.add(.heading("Each SLO against the load"))
        for (k, slo) in slos.enumerated() {
            let figure = (slo["figure"] as? String) ?? ""
            let metric = figure.split(separator: ".").last.map(String.init) ?? figure
            let unit = ChartUnit(metric: metric)
            var pass: [ChartPoint] = [], fail: [ChartPoint] = []
            for (value, p) in sorted {
                guard let checks = p["slos"] as? [[String: Any]], k < checks.count, let bound = number(checks[k]["bound"]) else { continue }
                let c = checks[k]
                let point = ChartPoint(x: value, y: bound, low: number(c["ci_low"]), high: number(c["ci_high"]),
                                       note: "\(key) = \((p["text"] as? String) ?? loadText(value)): \((c["holds"] as? Bool) == true ? "holds" : "fails")")
                if (c["holds"] as? Bool) == true { pass.append(point) } else { fail.append(point) }
            }
            let upper = ["<", "<="].contains((slo["comparison"] as? String) ?? "<")
            let text = (slo["slo"] as? String) ?? figure
            var chart = XYChart(kind: "breakpoint", title: "\(text): \(upper ? "upper" : "lower") confidence bound against \(key)", x: load,
                                y: ChartAxis("\(humanFigureName(figure)), \(upper ? "upper" : "lower") bound", unit: unit), series: [
                                    ChartSeries(name: "holds", points: pass, style: .points, color: ChartPalette.pass),
                                    ChartSeries(name: "fails", points: fail, style: .points, color: ChartPalette.fail),
                                ])
            chart.bands = bands
            if let t = number(slo["threshold"]) { chart.references = [ChartReference(value: t, label: "SLO: \(text)")] }
            page.add(chart, id: "breakpoint-\(k + 1)", caption: "Every load the search simulated, at the bound of its confidence interval the SLO is checked against (whisker: the interval). Shaded: between the largest passing load and the smallest failing one.")
        }

        page.add(.heading("Throughput and utilization against the load"))
        func estimatePoints(_ name: String) -> [ChartPoint] {
            sorted.compactMap { value, p in
                (p[name] as? [String: Any]).flatMap { e in
                    number(e["mean"]).map { ChartPoint(x: value, y: $0, low: number(e["ci_low"]), high: number(e["ci_high"])) }
                }
            }
        }
        var throughput = XYChart(kind: "breakpoint", title: "Throughput against \(key)", x: load, y: ChartAxis("successful responses", unit: .perSecond("req")),
                                 series: [ChartSeries(name: "throughput", points: estimatePoints(Metric.throughputPerSecond.key), color: ChartPalette.color(0))])
        throughput.bands = bands
        page.add(throughput, id: "breakpoint-throughput", caption: "Successful responses per second at each load simulated.")
        let resources = (root["resources"] as? [[String: Any]]) ?? []
        let ids = resources.compactMap { $0["id"] as? String }
        var utilization = XYChart(kind: "breakpoint", title: "Utilization against \(key)", x: load, y: ChartAxis("utilization (simulated)", unit: .fraction),
                                  series: ids.enumerated().map { k, id in
                                      ChartSeries(name: id, points: sorted.compactMap { value, p in
                                          number((p[Metric.utilization.key] as? [String: Any])?[id]).map { ChartPoint(x: value, y: $0) }
                                      }, color: ChartPalette.color(k))
                                  })
        utilization.bands = bands
        utilization.references = [ChartReference(value: 1, label: "100 %")]
        page.add(utilization, id: "breakpoint-utilization", caption: "Time-average fraction busy of each resource at each load simulated.")
        let saturation = resources.compactMap { r -> (String, Double)? in
            guard let id = r["id"] as? String, let l = number(r["load_at_full_utilization"]) else { return nil }
            return (id, l)
        }.sorted { $0.1 < $1.1 }
        if !saturation.isEmpty {
            var bars = BarChart(kind: "bars", title: "Load at which each resource reaches 100 % (analytic)", value: load,
                                categories: saturation.map(\.0),
                                series: [BarSeries(name: "100 % at", values: saturation.map { BarValue(value: $0.1) }, color: ChartPalette.color(1))])
            if let b = breakpoint { bars.references = [ChartReference(value: b, label: "breakpoint \(loadText(b))")] }
            page.add(bars, id: "breakpoint-saturation", caption: "The closed forms' load at which each resource would be busy all the time; the SLOs break before the first of them.")
        }
        page.add(.list(title: "Notes", items: (root["notes"] as? [String]) ?? []))
        return page
    }
}
