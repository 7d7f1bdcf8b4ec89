import Foundation
import Testing

/// docs/guides/jvm-service.md runs as written: every `headroom` command in its `sh` blocks, with
/// a shorter horizon (and JSON for `run`) so the suite stays quick. The Tomcat threads must run
/// out in the guide's model at its defaults, and not with the larger pool the guide suggests.
@Suite("JVM service guide", .serialized)
struct JVMGuideTests {
    static func commands() throws -> [[String]] {
        let text = try String(contentsOf: CLI.packageRoot.appendingPathComponent("docs/guides/jvm-service.md"), encoding: .utf8)
        var out: [[String]] = []
        var inShell = false
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inShell = line == "```sh"; continue }
            guard inShell else { continue }
            pending += line.hasSuffix("\\") ? String(line.dropLast()) : String(line)
            if line.hasSuffix("\\") { continue }
            if pending.hasPrefix("headroom ") { out.append(words(String(pending.dropFirst("headroom ".count)))) }
            pending = ""
        }
        return out
    }

    /// Shell words: spaces separate, single quotes group.
    static func words(_ s: String) -> [String] {
        var out: [String] = [], word = "", quoted = false, started = false
        for ch in s {
            if ch == "'" { quoted.toggle(); started = true; continue }
            if ch == " " && !quoted {
                if started { out.append(word) }
                word = ""; started = false
                continue
            }
            word.append(ch); started = true
        }
        if started { out.append(word) }
        return out
    }

    @Test("every command of the guide runs, and the threads run out at Spring Boot's defaults")
    func guideRuns() throws {
        let commands = try Self.commands()
        #expect(commands.map(\.first) == ["analyze", "run", "run", "plan"])
        var refused: [Double] = []
        for args in commands {
            let short = args[0] == "analyze" ? [] : ["--horizon", "40s", "--warmup", "10s"] + (args[0] == "run" ? ["--replications", "2", "--format", "json"] : [])
            let r = try CLI.run(args + short)
            #expect(r.status == 0, "headroom \(args.joined(separator: " ")): \(r.stderr)")
            switch args[0] {
            case "analyze":
                #expect(r.stdout.contains("the request threads run out behind `pool.hikari`"))
                #expect(r.stdout.contains(">= 13.2% (fail or refused)"))
            case "run":
                let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
                let threads = try #require((json["threads"] as? [[String: Any]])?.first?["figures"] as? [String: [String: Any]])
                refused.append(try #require(threads["rejected_rate"]?["mean"] as? Double))
                if args.count == 2 {
                    // The defaults: every thread busy, the busiest instance at its 200.
                    #expect((threads["utilization"]?["mean"] as? Double ?? 0) > 0.97)
                    #expect(threads["peak_in_use"]?["mean"] as? Double == 200)
                }
            default:
                #expect(r.stdout.contains("pools.hikari.size"))
            }
        }
        // At the defaults about 13% are refused (1 - 520.8/600 must fail somehow); with 30
        // connections a request is never refused.
        #expect(refused.count == 2)
        #expect(refused[0] > 0.08, "refused at the defaults: \(refused[0])")
        #expect(refused[1] == 0, "refused with 30 connections: \(refused[1])")
    }
}
