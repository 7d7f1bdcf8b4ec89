import Foundation
import HeadroomModel
import Testing
@testable import HeadroomCharts
@testable import HeadroomStudy

// docs/claims.md's planner example (models/claims/vendor.claims.yaml, quoting its copy of the
// vendor's datasheet) run as a planner runs it — short (2 replications of 10 s, 2 points per
// unknown), since what is checked is what each output shows, not the figures: where each claim
// holds over the two unknowns, the datasheet's table as one test, the datasheet's own database
// plan bounding an unknown, and the contradiction in its own capacity arithmetic.

private let repository: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

@Suite("the planner's example of docs/claims.md in the terminal, JSON and HTML")
struct PlannerExampleTests {
    static let report: VerificationReport = {
        let file = try! ClaimsLoader.load(path: repository.appendingPathComponent("models/claims/vendor.claims.yaml").path)
        let result = try! Verification.verify(file, options: VerificationOptions(replications: 2, horizonSeconds: 10, pointsPerUnknown: 2))
        return VerificationReport(documents: [result], replications: 2, horizonSeconds: 10, pointsPerUnknown: 2)
    }()

    @Test("every judged claim has a holding set per unknown and line, or is optimistic, pessimistic or never holds over the whole range")
    func holdingSets() throws {
        let claims = PlannerExampleTests.report.allClaims
        #expect(claims.count == 4)
        for r in claims {
            // Two unknowns: a line along each, at each of the other's two grid values.
            #expect(r.holdsWhere.count == 4, "\(r.fullID)")
            switch r.verdict {
            case .holds: #expect(r.holdsWhere.allSatisfy { $0.isWhole }, "\(r.fullID)")
            case .holdsInPart, .holdsOnlyWhereForbidden: #expect(r.holdsWhere.contains { !$0.intervals.isEmpty }, "\(r.fullID)")
            case .documentOptimistic, .documentPessimistic, .mixed, .cannotHold: #expect(r.holdsWhere.allSatisfy { $0.intervals.isEmpty }, "\(r.fullID)")
            default: Issue.record("\(r.fullID): \(r.verdict.rawValue)")
            }
        }
    }

    @Test("the terminal shows the verdicts, the document's own setting, the table's best fit and the contradiction with its quotes")
    func terminal() throws {
        let text = PlannerExampleTests.report.rendered(as: .table)
        for r in PlannerExampleTests.report.allClaims { #expect(text.contains("verdict: \(r.verdictText)")) }
        #expect(text.contains("[vendor.plan] database.cores <= 8 — the datasheet's own database plan: \"a managed PostgreSQL on the Standard plan (up to 8 vCPU)\""))
        #expect(text.contains("the document's own settings: database.cores <= 8"), "the constraint among every verdict's assumptions")
        let table = try #require(PlannerExampleTests.report.documents[0].tables.first)
        #expect(!table.best.isEmpty)
        #expect(text.contains("[vendor.table.datasheet] Datasheet: \(table.text)"))
        #expect(table.text.hasPrefix("one setting fits the whole table at") || table.text.hasPrefix("no single setting of the unknowns fits this table"))
        let capacity = try #require(PlannerExampleTests.report.check("vendor.capacity"))
        #expect(capacity.verdict == .inconsistent)
        // The datasheet's 1,600 req/s is the claim its own arithmetic contradicts: the verdict says so.
        let claim = try #require(PlannerExampleTests.report.claim("vendor.capacity"))
        #expect(claim.verdict == .documentOptimistic)
        #expect(claim.inconsistentWith == ["capacity"])
        #expect(claim.verdictText.hasSuffix("the document's own figures around it cannot all hold (capacity)"))
        #expect(text.contains("[vendor.capacity] utilization law: inconsistent — one Node.js event loop each … a search takes 4 ms of CPU"))
        #expect(PlannerExampleTests.report.check("vendor.connections")?.verdict == .consistent)
    }

    @Test("the JSON carries the holding sets, the table, the constraint and each check's quotes")
    func json() throws {
        let text = PlannerExampleTests.report.rendered(as: .json)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let doc = try #require((root["documents"] as? [[String: Any]])?.first)
        #expect(doc["source"] as? String == "vendor-datasheet.md")
        for claim in (doc["claims"] as? [[String: Any]]) ?? [] {
            let sets = (claim["holds_where"] as? [[String: Any]]) ?? []
            #expect(sets.count == 4, "\(claim["id"] ?? "?")")
            #expect(sets.allSatisfy { $0["resolution"] != nil && $0["intervals"] != nil })
        }
        let tables = (doc["tables"] as? [[String: Any]]) ?? []
        #expect(tables.count == 1 && (tables.first?["best"] as? [String: Any])?.count == 2)
        let constraints = (doc["constraints"] as? [[String: Any]]) ?? []
        #expect(constraints.first?["holds"] as? String == "database.cores <= 8")
        let checks = (doc["checks"] as? [[String: Any]]) ?? []
        let capacity = try #require(checks.first { $0["id"] as? String == "vendor.capacity" })
        #expect(capacity["verdict"] as? String == "inconsistent")
        #expect((capacity["quotes"] as? [String])?.count == 3)
    }

    @Test("the HTML draws each claim's region over the two unknowns and lists the verdicts, the setting, the table and the checks")
    func html() throws {
        let page = try HTMLReport.auditPage(json: PlannerExampleTests.report.rendered(as: .json), source: "vendor.json")
        let ids = page.blocks.compactMap { if case let .figure(id, _, _, _) = $0 { return id } else { return nil } }
        #expect(ids == ["audit-vendor", "region-vendor.p95", "region-vendor.throughput", "region-vendor.capacity", "region-vendor.peak.p95"])
        let html = page.rendered
        #expect(html.contains("Where each claim holds (4)"))
        #expect(html.contains("The document&#39;s own settings (1)") || html.contains("The document's own settings (1)"))
        #expect(html.contains("Tables as one test (1)"))
        #expect(html.contains("inconsistent: “one Node.js event loop each …"))
    }
}
