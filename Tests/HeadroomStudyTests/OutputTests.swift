import Foundation
import Testing
@testable import HeadroomAnalysis
@testable import HeadroomCharts
@testable import HeadroomOutput
@testable import HeadroomStudy

@Suite("Report output")
struct OutputTests {
    @Test("A CI is written as `123.4 ms ± 2.1`")
    func intervalText() {
        #expect(ValueText.estimate(.init(mean: 0.1234, halfWidth: 0.0021, samples: 10), metric: "p95_seconds") == "123.4 ms ± 2.1")
        #expect(ValueText.estimate(.init(mean: 0.5, halfWidth: 0.012, samples: 10), metric: "utilization") == "50.0% ± 1.2")
    }

    @Test("JSON has the documented top-level keys and parses; CSV has one row per figure")
    func jsonAndCSV() throws {
        let report = ReplicationStudy(model: try model(mmcYAML)).run()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.jsonText().utf8)) as? [String: Any])
        // Every section, possibly empty, except `upstreams`, `threads` and `hosts`: only for a model
        // that has them; and `failures`: only when some attempt failed.
        for key in ["schema", "model", "settings", "warnings", "notes"] + StudyReport.sectionNames.filter({ !["upstreams", "threads", "hosts", "failures"].contains($0) }) {
            #expect(object[key] != nil, "\(key)")
        }
        #expect(object["upstreams"] == nil)
        #expect(object["threads"] == nil)
        #expect(object["hosts"] == nil)
        #expect(object["failures"] == nil)
        let csv = report.csvText().split(separator: "\n")
        #expect(csv.first == "section,name,metric,mean,ci_low,ci_high,analytic")
        let figures = report.sections.flatMap(\.items).flatMap(\.figures).count
        #expect(csv.dropFirst().filter { !$0.contains(",merged_") && $0.split(separator: ",", omittingEmptySubsequences: false)[4] != "" }.count == figures)
        let analysis = try JSONSerialization.jsonObject(with: Data(Analysis.analyze(try model(mmcYAML)).jsonText().utf8)) as? [String: Any]
        #expect(analysis?["bottleneck"] as? String == "station.desk")
    }
}
