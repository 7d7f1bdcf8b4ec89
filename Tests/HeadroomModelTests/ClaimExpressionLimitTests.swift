import Foundation
import HeadroomModel
import Testing

/// Runs `body` on a thread with a 512 KiB stack (the default of a secondary thread on Linux) and
/// waits for it: an expression that recursed too deep would crash the test process here.
private func onSmallStack(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 512 * 1024
    thread.start()
    done.wait()
}

private func parseFailure(_ text: String) -> String? {
    do {
        _ = try ClaimExpressionParser.parse(text)
        return nil
    } catch { return error.message }
}

@Suite("Claims expressions: depth and length limits")
struct ClaimExpressionLimitTests {
    static let depth = ClaimExpressionParser.maxDepth

    /// The deepest expressions of each shape the parser accepts.
    static var deepestAccepted: [String] {
        let d = depth
        let chain = Array(repeating: "1", count: d).joined(separator: " + ")            // d - 1 operators: depth d
        return [
            String(repeating: "(", count: d) + "1" + String(repeating: ")", count: d),   // d parentheses
            String(repeating: "-", count: d - 1) + "2",                                  // d - 1 minus signs
            String(repeating: "(", count: d - 1) + chain + String(repeating: ")", count: d - 1),
            String(repeating: "min(1, ", count: d - 1) + "2" + String(repeating: ")", count: d - 1),
            String(repeating: "-(", count: d / 2 - 1) + "x" + String(repeating: ")", count: d / 2 - 1),
            chain,
        ]
    }

    @Test("the deepest accepted expressions parse, evaluate, print, compare and free on a 512 KiB stack")
    func deepestFitASmallStack() throws {
        for text in Self.deepestAccepted { #expect(parseFailure(text) == nil, "\(text)") }
        onSmallStack {
            for text in Self.deepestAccepted {
                let e = try! ClaimExpressionParser.parse(text)
                let v = try? e.evaluate { _ in Interval(1) }
                precondition(v != nil && !e.description.isEmpty)
                precondition(e == (try! ClaimExpressionParser.parse(text)) && e.hashValue == (try! ClaimExpressionParser.parse(text)).hashValue)
                _ = (e.readings, e.names, e.claimFigures)
                let relation = try! ClaimExpressionParser.parseRelation("\(text) <= \(text)")
                _ = try? relation.lhs.evaluate { _ in Interval(1) }
            }
        }
    }

    @Test("one level past the limit is refused, whatever nests: parentheses, minus signs, calls or a chain")
    func oneLevelPastTheLimitIsRefused() {
        let d = Self.depth + 1
        let cases = [
            String(repeating: "(", count: d) + "1" + String(repeating: ")", count: d),
            String(repeating: "-", count: d) + "2",
            String(repeating: "min(1, ", count: d) + "2" + String(repeating: ")", count: d),
            Array(repeating: "1", count: d + 1).joined(separator: "*"),
        ]
        for text in cases {
            let message = parseFailure(text)
            #expect(message?.contains("nests more than \(Self.depth) levels deep") == true, "\(text): \(message ?? "accepted")")
            #expect(message?.contains("at column") == true)
        }
    }

    @Test("the inputs that crashed verify are refused with a message: 30,000 parentheses, a 100,000-term chain")
    func crashReproducersAreRefused() {
        let parens = String(repeating: "(", count: 30_000) + "1" + String(repeating: ")", count: 30_000)
        let chain = Array(repeating: "1", count: 100_000).joined(separator: "+")
        onSmallStack {
            for text in [parens, chain] {
                let message = parseFailure(text)
                precondition(message?.contains("an expression may have at most \(ClaimExpressionParser.maxCharacters)") == true)
                precondition((try? ClaimExpressionParser.parseRelation("\(text) = 1")) == nil)
            }
        }
        // Under the length limit, the depth limit answers.
        let short = String(repeating: "(", count: 900) + "1" + String(repeating: ")", count: 900)
        #expect(parseFailure(short)?.contains("levels deep") == true)
    }

    @Test("a claims file with a too-deep expression is refused at the file, line and key")
    func claimsFileNamesTheLine() {
        let deep = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        let yaml = """
            document: {id: "900", title: t}
            checks:
              - id: c
                holds: "\(deep) = 1"
              - id: d
                holds: "\(Array(repeating: "1", count: 1500).joined(separator: "+")) = 1"
            """
        do {
            _ = try ClaimsLoader.load(yaml: yaml, fileName: "deep.claims.yaml")
            Issue.record("a too-deep expression was accepted")
        } catch {
            let text = error.errors.map(\.description).joined(separator: "\n")
            #expect(text.contains("deep.claims.yaml:4:") && text.contains("levels deep"), "\(text)")
            #expect(text.contains("deep.claims.yaml:6:") && text.contains("at most \(ClaimExpressionParser.maxCharacters)"), "\(text)")
        }
    }
}
