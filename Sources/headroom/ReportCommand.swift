import ArgumentParser
import Foundation
import HeadroomStudy
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts

/// `--html FILE` on run, sweep, plan and reproduce.
struct HTMLOption: ParsableArguments {
    @Option(name: .customLong("html"),
            help: ArgumentHelp("Also write a self-contained HTML report with charts (no script, no network) to this file.", valueName: "file"))
    var path: String?

    /// Refuses the file before any simulation if writing it would be refused (see OutputFile).
    func check(force: Bool = false, inputs: [String]) throws {
        if let path { try OutputFile.check(path, force: force, inputs: inputs) }
    }

    func write(_ html: @autoclosure () throws -> String, force: Bool = false, inputs: [String]) throws {
        guard let path else { return }
        try OutputFile.write(try html(), to: path, force: force, inputs: inputs)
        Console.error("wrote \(path)")
    }
}

/// `headroom report DIR|FILE.json`: the HTML report of a sweep directory or of reproduce's JSON.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the HTML report of a sweep directory, or of the JSON of `breakpoint`, `verify` or `reproduce`.",
        discussion: """
            A sweep directory (its sweep.json and cells.csv) gives latency, throughput, utilization \
            and pool waits against the first numeric axis and a heat map; the JSON of `verify` or \
            `reproduce` gives the document-against-Headroom chart of every document, that of \
            `breakpoint` each SLO, throughput and utilization against the load. One self-contained file: inline SVG, \
            no script, no network. `run`, `sweep`, `plan` and `reproduce` take `--html FILE` directly. \
            See docs/cli.md.
            """)

    @Argument(help: ArgumentHelp("A sweep's --output-dir, or a JSON file written by `headroom breakpoint|verify|reproduce --format json`.", valueName: "dir|file.json"))
    var input: String

    @Option(name: [.short, .long], help: ArgumentHelp("The HTML file (default: DIR/report.html for a sweep, FILE.html beside a JSON file).", valueName: "file"))
    var output: String?

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw UsageFailure(message: "`\(input)` does not exist: give a sweep directory or a JSON file of breakpoint, verify or reproduce")
        }
        let html: String
        let target: String
        if isDirectory.boolValue {
            target = output ?? (input as NSString).appendingPathComponent("report.html")
            var page = ""
            page = try HTMLReport.sweep(directory: input)
            html = page
        } else {
            target = output ?? (input as NSString).deletingPathExtension + ".html"
            guard let data = FileManager.default.contents(atPath: input) else {
                throw UsageFailure(message: "cannot read `\(input)`")
            }
            do {
                html = try HTMLReport.page(json: String(decoding: data, as: UTF8.self), source: input)
            } catch {
                throw UsageFailure(message: error.description)
            }
        }
        try OutputFile.write(html, to: target, inputs: [input, SweepFiles.manifest(input), SweepFiles.csv(input), SweepFiles.jsonl(input)])
        print("wrote \(target)")
    }
}
