import Foundation

/// `kmsim sweep --html FILE`: the sweep's table as one self-contained page, each column plotted against
/// the first swept knob (one line per combination of the other knobs), inline SVG as in `HTMLReport`.
public enum SweepHTMLReport {
    /// The plotted columns: id, title, the figure of a row.
    static let columns: [(id: String, title: String, value: @Sendable (SweepRow) -> Double)] = [
        ("ops-per-second", "Operations per second", { $0.operationsPerSecond }),
        ("ops-per-second-per-cpu", "Operations per second per CPU", { $0.operationsPerSecondPerCPU }),
        ("p50", "p50 latency, ns (all classes)", { Double($0.p50Ns) }),
        ("p99", "p99 latency, ns (all classes)", { Double($0.p99Ns) }),
        ("failures", "Allocation failures", { Double($0.failures) }),
        ("top-lock-contentions", "Contentions of the most contended lock", { Double($0.topLockContentions) }),
        ("top-lock-wait-share", "Most contended lock's wait per CPU, percent", { $0.topLockWaitShare * 100 }),
        ("reclaim-stalls", "Direct reclaim stalls", { Double($0.reclaimStalls) }),
    ]

    public static func render(_ rows: [SweepRow], title: String = "kmsim sweep") -> String {
        guard let knob = rows.first?.knobs.first?.0 else {
            return HTMLReport.page(title: title, body: "<p class=\"note\">The sweep has no knob to plot against.</p>\n")
        }
        let values = rows.map { $0.knobs.first?.1 ?? "" }
        let numeric = values.allSatisfy { Double($0) != nil }
        var labels: [String] = []
        for value in values where !labels.contains(value) { labels.append(value) }
        func x(_ row: SweepRow) -> Double {
            let value = row.knobs.first?.1 ?? ""
            return numeric ? Double(value) ?? 0 : Double(labels.firstIndex(of: value) ?? 0)
        }
        var groups: [String] = []
        for row in rows {
            let name = row.knobs.dropFirst().map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            if !groups.contains(name) { groups.append(name) }
        }
        var body = "<p>\(rows.count) runs; each plot shows a column of the sweep's table against <code>\(SVGPlot.escape(knob))</code>.</p>\n"
        body += table(rows)
        for column in columns {
            let series = groups.enumerated().map { index, group in
                SVGPlot.Series(name: group.isEmpty ? column.title : group, color: SVGPlot.palette[index % SVGPlot.palette.count],
                               points: rows.filter { $0.knobs.dropFirst().map { "\($0.0)=\($0.1)" }.joined(separator: " ") == group }
                                   .map { (x($0), column.value($0)) }.sorted { $0.0 < $1.0 })
            }
            let chart = SVGPlot.lineChart(series, xLabel: knob, yLabel: column.title,
                                          xTickLabel: { tick in
                                              if numeric { return SVGPlot.label(tick) }
                                              let index = Int(tick.rounded())
                                              return index >= 0 && index < labels.count && Double(index) == tick ? labels[index] : ""
                                          })
            body += SVGPlot.figure(id: column.id, title: column.title, caption: "against \(knob)", points: chart.points, svg: chart.svg)
        }
        return HTMLReport.page(title: title, body: body)
    }

    static func table(_ rows: [SweepRow]) -> String {
        let knobs = rows.first?.knobs.map(\.0) ?? []
        var html = "<table id=\"sweep\"><tr>" + (knobs + ["ops/s", "p50 ns", "p99 ns", "failures", "most contended lock", "reclaim stalls"])
            .map { "<th>\(SVGPlot.escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            let cells = row.knobs.map(\.1) + [SVGPlot.label(row.operationsPerSecond), String(row.p50Ns), String(row.p99Ns),
                                              String(row.failures), row.topLock ?? "-", String(row.reclaimStalls)]
            html += "<tr>" + cells.map { "<td>\(SVGPlot.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }
}
