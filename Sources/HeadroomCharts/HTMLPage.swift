import Foundation
import HeadroomOutput

/// One self-contained HTML file: inline CSS and inline SVG, no script, and a content security
/// policy that forbids every load (so a stray reference to the network shows up as a console
/// error in the browser test, and the file opens the same offline).
///
/// Every figure has an id: `report.html#timeline-load` shows that figure alone (CSS `:target`),
/// which is how the screenshots in docs/images/ are taken.
public struct HTMLPage: Sendable {
    public enum Block: Sendable {
        case heading(String)
        case paragraph(String)
        /// A chart: its id (the URL fragment), SVG, caption, and the number of data marks drawn.
        case figure(id: String, svg: String, caption: String, marks: Int)
        case table(header: [String], rows: [[String]])
        case list(title: String, items: [String])
        /// Preformatted text folded away (e.g. the whole table output).
        case details(summary: String, text: String)
    }

    public var title: String
    /// Lines under the title: model, settings.
    public var facts: [String]
    public var blocks: [Block] = []

    public init(title: String, facts: [String]) {
        self.title = title
        self.facts = facts
    }

    public mutating func add(_ block: Block) { blocks.append(block) }

    /// Ids of the figures, in page order.
    public var figureIDs: [String] {
        blocks.compactMap { if case let .figure(id, _, _, _) = $0 { return id } else { return nil } }
    }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;margin:0;background:#fff}
        main{max-width:1060px;margin:0 auto;padding:20px 28px 48px}
        h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
        .facts{color:#444;margin:0 0 8px;padding:0;list-style:none}.facts li{margin:2px 0}
        figure{margin:18px 0 26px}figure svg{width:100%;height:auto;display:block;font-family:inherit}
        figcaption{color:#444;font-size:14px;margin-top:4px}
        table{border-collapse:collapse;font-size:14px;margin:8px 0}th,td{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:left}
        th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .warnings li{color:#8a4b00}pre{font-size:12px;overflow-x:auto;background:#f7f7f7;padding:10px}
        main:has(>figure:target)>:not(figure:target){display:none}
        """

    public var rendered: String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="headroom">
            <title>\(Markup.escape(title))</title>
            <style>
            \(HTMLPage.style)
            </style>
            </head>
            <body>
            <main>
            <h1>\(Markup.escape(title))</h1>

            """
        if !facts.isEmpty {
            out += "<ul class=\"facts\">\n" + facts.map { "<li>\(Markup.prose($0))</li>\n" }.joined() + "</ul>\n"
        }
        for block in blocks {
            switch block {
            case let .heading(h):
                out += "<h2>\(Markup.escape(h))</h2>\n"
            case let .paragraph(p):
                out += "<p>\(Markup.prose(p))</p>\n"
            case let .figure(id, svg, caption, _):
                out += "<figure id=\"\(Markup.escape(id))\">\n\(svg)\n<figcaption>\(Markup.prose(caption))</figcaption>\n</figure>\n"
            case let .table(header, rows):
                out += "<table>\n<tr>" + header.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr>\n"
                for r in rows {
                    out += "<tr>" + r.map { c in
                        let numeric = c.first.map { $0.isNumber || $0 == "-" || $0 == "[" } ?? false
                        return "<td\(numeric ? " class=\"num\"" : "")>\(Markup.escape(c))</td>"
                    }.joined() + "</tr>\n"
                }
                out += "</table>\n"
            case let .list(title, items):
                guard !items.isEmpty else { continue }
                out += "<p><strong>\(Markup.escape(title))</strong></p>\n<ul class=\"\(title.lowercased().hasPrefix("warning") ? "warnings" : "notes")\">\n"
                out += items.map { "<li>\(Markup.prose($0))</li>\n" }.joined() + "</ul>\n"
            case let .details(summary, text):
                out += "<details><summary>\(Markup.escape(summary))</summary>\n<pre>\(Markup.escape(text))</pre>\n</details>\n"
            }
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }
}

extension HTMLPage {
    mutating func add(_ chart: XYChart, id: String, caption: String) {
        add(.figure(id: id, svg: chart.svg, caption: caption, marks: chart.markCount))
    }
    mutating func add(_ chart: BarChart, id: String, caption: String) {
        add(.figure(id: id, svg: chart.svg, caption: caption, marks: chart.markCount))
    }
    mutating func add(_ chart: HeatMap, id: String, caption: String) {
        add(.figure(id: id, svg: chart.svg, caption: caption, marks: chart.markCount))
    }
    mutating func add(_ chart: DotPlot, id: String, caption: String) {
        add(.figure(id: id, svg: chart.svg, caption: caption, marks: chart.markCount))
    }
}
