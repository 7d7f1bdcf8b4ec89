import Foundation
import HeadroomModel
import Testing
@testable import HeadroomStudy

// A check or a constraint rests on premises the document states; each quotes them. These tests
// hold the five bundled claims files to that: every excerpt a check or a constraint quotes stands
// verbatim in its document (models/seeds/documents/), so no premise the document does not state
// can slip in, and an edit of a quote cannot drift from the text it cites.

private let repository: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// Runs of white space (line breaks, indentation, a table's padding) as one space.
private func normalised(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
}

@Suite("every premise a check quotes stands verbatim in its document")
struct ClaimsQuoteTests {
    static let files: [ClaimsFile] = Reproduction.bundledFiles(in: repository.appendingPathComponent("models/seeds").path).map { try! ClaimsLoader.load(path: $0) }
    /// The planner's example of docs/claims.md, with its copy of the vendor's datasheet.
    static let planner: ClaimsFile = try! ClaimsLoader.load(path: repository.appendingPathComponent("models/claims/vendor.claims.yaml").path)

    static func document(of file: ClaimsFile) -> String? {
        guard let source = file.source else { return nil }
        let path = ((file.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(source)
        return (try? String(contentsOfFile: path, encoding: .utf8)).map(normalised)
    }

    @Test("the five bundled claims files each name their document, and it is in the repository")
    func everyFileNamesItsDocument() {
        #expect(ClaimsQuoteTests.files.count == 5)
        for file in ClaimsQuoteTests.files {
            #expect(ClaimsQuoteTests.document(of: file) != nil, "\(file.id): no document at `\(file.source ?? "(no source)")`")
        }
    }

    @Test("every check quotes at least one excerpt, and each stands verbatim in the document")
    func everyCheckQuoteIsVerbatim() {
        var quoted = 0
        for file in ClaimsQuoteTests.files + [ClaimsQuoteTests.planner] {
            guard let text = ClaimsQuoteTests.document(of: file) else {
                Issue.record("\(file.id): no document")
                continue
            }
            for check in file.checks {
                #expect(!check.quotes.isEmpty, "\(file.id).\(check.id) quotes nothing")
                for q in check.quotes {
                    #expect(text.contains(normalised(q)), "\(file.id).\(check.id): not in the document: \(q)")
                    quoted += 1
                }
            }
        }
        #expect(quoted >= 70)
    }

    @Test("every constraint quotes the document's own setting verbatim")
    func everyConstraintQuoteIsVerbatim() {
        for file in ClaimsQuoteTests.files + [ClaimsQuoteTests.planner] {
            guard let text = ClaimsQuoteTests.document(of: file) else {
                Issue.record("\(file.id): no document")
                continue
            }
            for k in file.constraints {
                #expect(!k.quotes.isEmpty, "\(file.id).\(k.id) quotes nothing")
                for q in k.quotes { #expect(text.contains(normalised(q)), "\(file.id).\(k.id): not in the document: \(q)") }
            }
        }
    }

    @Test("a quote can be one excerpt or a list, shown joined by an ellipsis")
    func quoteListsAreJoined() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-quotes-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("q.claims.yaml").path
        try """
            document: {id: q}
            claims:
              - {id: a, quote: "A is 10", document: "10", figure: "10", unit: count, status: model_input, note: input}
            checks:
              - {id: one, quote: "A is 10", holds: "@a = 10"}
              - {id: two, quote: ["A is 10", "B is twice A"], holds: "@a * 2 = 20"}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let file = try ClaimsLoader.load(path: path)
        #expect(file.checks[0].quotes == ["A is 10"])
        #expect(file.checks[1].quotes == ["A is 10", "B is twice A"])
        #expect(file.checks[1].quote == "A is 10 … B is twice A")
    }
}
