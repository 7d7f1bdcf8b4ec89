import Foundation
import Testing
@testable import HeadroomStudy

/// `plan --cost`: 60,000 nested parentheses overflowed the stack (exit 139); the expression now
/// has the limits of a claims expression.
@Suite("plan --cost: depth and length limits")
struct CostExpressionLimitTests {
    static let depth = CostExpression.maxDepth

    @Test("the deepest accepted expressions evaluate on a 512 KiB thread stack")
    func deepestFitASmallStack() throws {
        let texts = [String(repeating: "(", count: Self.depth) + "instances" + String(repeating: ")", count: Self.depth),
                     String(repeating: "-", count: Self.depth - 1) + "2",
                     Array(repeating: "instances", count: Self.depth).joined(separator: " + ")]
        let values = try texts.map { t in try CostExpression(t) }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for v in values { precondition((try? v.evaluate { _ in 3 }) != nil && v.keys.count <= 1 && v == v) }
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        done.wait()
    }

    @Test("one level past the limit, and the expression that crashed, are refused with a message")
    func pastTheLimitIsRefused() {
        let d = Self.depth + 1
        for text in [String(repeating: "(", count: d) + "1" + String(repeating: ")", count: d),
                     String(repeating: "-", count: d) + "2",
                     Array(repeating: "1", count: d + 1).joined(separator: "*")] {
            #expect(throws: SweepError.self) { try CostExpression(text) }
            do { _ = try CostExpression(text) } catch {
                #expect(error.message.contains("nests more than \(Self.depth) levels deep"), "\(error.message)")
            }
        }
        let crashed = String(repeating: "(", count: 60_000) + "instances" + String(repeating: ")", count: 60_000)
        do { _ = try CostExpression(crashed); Issue.record("accepted") } catch {
            #expect(error.message == "--cost: the expression has 120009 characters; it may have at most \(CostExpression.maxCharacters)")
        }
    }
}
