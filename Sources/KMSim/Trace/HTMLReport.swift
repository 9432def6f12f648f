import Foundation
import Histogram

/// `--html FILE`: the run as one self-contained HTML page (no script, no network; inline SVG) — the
/// headline figures, then the plots a kernel engineer draws from /proc and tracepoints: free pages
/// against the watermarks per zone, ops/s per context, latency percentile curves per class on
/// HdrHistogram's log 1/(1−p) axis, lock contention by class, buddyinfo as an order × time heat map,
/// pageblock migratetypes per zone, and reclaim and compaction events on the time axis.
public enum HTMLReport {
    /// Columns a time plot draws at most (samples are picked evenly).
    static let maxColumns = 200

    public static func render(_ result: RunResult) -> String {
        let report = result.report
        var body = headline(report)
        if let timeline = report.timeline, timeline.samples.count > 1 {
            body += section("Free pages and watermarks")
            body += freePages(timeline)
            body += section("Throughput")
            body += throughput(timeline)
        } else {
            body += "<p class=\"note\">No timeline: sampling was off (<code>--sample-every off</code>) or the run was too short for two samples.</p>\n"
        }
        body += section("Latency")
        body += latency(report, histograms: result.classHistograms)
        body += section("Locks")
        body += locks(report)
        if let timeline = report.timeline, timeline.samples.count > 1 {
            body += section("Fragmentation")
            body += buddyinfo(timeline)
            body += pageblocks(timeline)
            body += section("Reclaim and compaction")
            body += reclaim(timeline)
        }
        return page(title: "kmsim run: \(report.workload)", body: body)
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(SVGPlot.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; max-width: 1000px; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1em 0 2em; }
        figcaption { margin-bottom: 0.3em; }
        .note { color: #666; }
        </style>
        </head>
        <body>
        <h1>\(SVGPlot.escape(title))</h1>
        \(body)
        </body>
        </html>

        """
    }

    static func section(_ title: String) -> String { "<h2>\(SVGPlot.escape(title))</h2>\n" }

    static func row(_ name: String, _ value: String) -> String {
        "<tr><th>\(SVGPlot.escape(name))</th><td class=\"n\">\(SVGPlot.escape(value))</td></tr>\n"
    }

    static func headline(_ report: RunReport) -> String {
        let failures = report.classes.reduce(0) { $0 + $1.failures }
        var rows = ""
        rows += row("machine", "\(report.machine.nodes) node(s), \(report.machine.cpus) CPUs, \(ByteSize.format(report.machine.memoryBytes))")
        rows += row("clock", "\(report.clock), seed \(report.seed)")
        rows += row("duration", String(format: "%.6g s", report.durationSeconds))
        rows += row("operations", "\(report.operations) (\(SVGPlot.label(report.operationsPerSecond)) ops/s)")
        rows += row("allocation failures", "\(failures)")
        rows += row("latency, all classes", "p50 \(report.allLatencyNs.p50) ns, p99 \(report.allLatencyNs.p99) ns, max \(report.allLatencyNs.max) ns")
        rows += row("direct reclaim stalls", "\(report.reclaim.directReclaimStalls)")
        rows += row("kswapd runs", "\(report.reclaim.kswapdWakeups)")
        rows += row("pages scanned / reclaimed", "\(report.reclaim.pagesScanned) / \(report.reclaim.pagesReclaimed)")
        rows += row("compaction stalls", "\(report.compaction.stalls) (success \(report.compaction.success), fail \(report.compaction.fail))")
        rows += row("kcompactd wake-ups / pages migrated", "\(report.compaction.kcompactdWakeups) / \(report.compaction.pagesMigrated)")
        rows += row("OOM kills", "\(report.reclaim.oomKills)")
        rows += row("interrupts", "\(report.interrupts)")
        rows += row("invariants", report.invariants.violations.isEmpty
                    ? "held (\(report.invariants.checked) check(s))" : "\(report.invariants.violations.count) violated")
        if let panic = report.panic { rows += row("panic", panic) }
        return "<table id=\"headline\">\n\(rows)</table>\n"
    }

    /// Sample indices to draw: all, or `maxColumns` picked evenly (first and last kept).
    static func picked(_ timeline: Timeline) -> [Int] {
        let count = timeline.samples.count
        guard count > maxColumns else { return Array(0..<count) }
        return (0..<maxColumns).map { $0 * (count - 1) / (maxColumns - 1) }
    }

    /// Milliseconds of the run's clock.
    static func milliseconds(_ sample: Timeline.Sample) -> Double { Double(sample.timeNs) / 1e6 }

    static func timeLabel(_ timeline: Timeline) -> String {
        "time, ms (\(timeline.clock) clock)"
    }

    static func freePages(_ timeline: Timeline) -> String {
        var html = ""
        for (zoneIndex, zone) in timeline.zones.enumerated() {
            func series(_ name: String, _ color: String, dashed: Bool = false, _ pick: (Timeline.ZoneSample) -> Int) -> SVGPlot.Series {
                SVGPlot.Series(name: name, color: color, points: timeline.samples.compactMap { sample in
                    zoneIndex < sample.zones.count ? (milliseconds(sample), Double(pick(sample.zones[zoneIndex]))) : nil
                }, dashed: dashed)
            }
            let chart = SVGPlot.lineChart([series("free", "#1f77b4", \.free), series("high", "#2ca02c", dashed: true, \.high),
                                           series("low", "#ff7f0e", dashed: true, \.low), series("min", "#d62728", dashed: true, \.min)],
                                          xLabel: timeLabel(timeline), yLabel: "pages")
            html += SVGPlot.figure(id: "free-pages-node\(zone.node)-\(zone.zone)", title: "Node \(zone.node), zone \(zone.zone)",
                                   caption: "free pages against the min, low and high watermarks (boost included); kswapd wakes below low, allocations that may not dip into reserves fail or reclaim below min",
                                   points: chart.points, svg: chart.svg)
        }
        return html
    }

    static func throughput(_ timeline: Timeline) -> String {
        let series = timeline.contexts.enumerated().map { index, context in
            SVGPlot.Series(name: context, color: SVGPlot.palette[index % SVGPlot.palette.count],
                           points: timeline.samples.dropFirst().map { (milliseconds($0), index < $0.opsPerSecond.count ? $0.opsPerSecond[index] : 0) })
        }
        let chart = SVGPlot.lineChart(series, xLabel: timeLabel(timeline), yLabel: "operations per second")
        return SVGPlot.figure(id: "ops-per-second", title: "Operations per second by context",
                              caption: "allocations and frees per second of the run's clock in task, softirq and hardirq context, between consecutive samples",
                              points: chart.points, svg: chart.svg)
    }

    /// Percentile curves: x = 1/(1−p) on a log axis (HdrHistogram's plots), y = nanoseconds, log.
    static func latency(_ report: RunReport, histograms: [Histogram<UInt64>]) -> String {
        var series: [SVGPlot.Series] = []
        for (index, row) in report.classes.enumerated() where index < histograms.count && histograms[index].totalCount > 0 {
            let histogram = histograms[index]
            var points: [(x: Double, y: Double)] = []
            var step = 0
            while true {
                let x = pow(10, Double(step) / 4)
                guard x <= Double(histogram.totalCount) else { break }
                let percentile = 100 * (1 - 1 / x)
                points.append((x, Double(max(histogram.valueAtPercentile(percentile), 1))))
                step += 1
            }
            points.append((max(Double(histogram.totalCount), points.last?.x ?? 1), Double(max(histogram.maxRecorded, 1))))
            series.append(SVGPlot.Series(name: "\(row.context) \(row.gfp) \(row.api)",
                                         color: SVGPlot.palette[series.count % SVGPlot.palette.count], points: points))
        }
        guard !series.isEmpty else { return "<p class=\"note\">No allocation was timed.</p>\n" }
        let chart = SVGPlot.lineChart(series, xLabel: "percentile (1/(1-p): 10 = p90, 100 = p99, 1000 = p99.9)",
                                      yLabel: "latency, ns", xScale: .log10, yScale: .log10,
                                      xTickLabel: { tick in tick <= 1 ? "p0" : "p" + String(format: "%g", 100 * (1 - 1 / tick)) })
        return SVGPlot.figure(id: "latency-percentiles", title: "Allocation latency by class",
                              caption: "each report class's latency at each percentile, HdrHistogram's percentile distribution; the tail is on the right",
                              points: chart.points, svg: chart.svg)
    }

    static func locks(_ report: RunReport) -> String {
        let contended = report.locks.filter { $0.contentions > 0 || $0.waitTotalNs > 0 }
        let rows = (contended.isEmpty ? Array(report.locks.prefix(8)) : contended).map { lock in
            (label: lock.lockClass, value: Double(lock.waitTotalNs),
             text: "\(lock.contentions) of \(SVGPlot.label(Double(lock.acquisitions))) contended, wait \(SVGPlot.label(Double(lock.waitTotalNs))) ns, max \(SVGPlot.label(Double(lock.waitMaxNs))) ns")
        }
        guard !rows.isEmpty else { return "<p class=\"note\">No lock was taken.</p>\n" }
        let chart = SVGPlot.barChart(rows, color: "#d62728")
        return SVGPlot.figure(id: "lock-wait", title: "Lock contention and wait by class",
                              caption: "total wait time per lock class as /proc/lock_stat counts it (waittime-total), with contentions and acquisitions",
                              points: chart.points, svg: chart.svg)
    }

    static func buddyinfo(_ timeline: Timeline) -> String {
        let indices = picked(timeline)
        var html = ""
        for (zoneIndex, zone) in timeline.zones.enumerated() {
            let columns = indices.map { milliseconds(timeline.samples[$0]) }
            let cells = indices.map { index in
                zoneIndex < timeline.samples[index].zones.count ? timeline.samples[index].zones[zoneIndex].nrFree : []
            }
            let orders = (0..<(cells.first?.count ?? 0)).map { "order \($0)" }
            let chart = SVGPlot.heatMap(columns: columns, rows: orders, cells: cells, xLabel: timeLabel(timeline), yLabel: "order")
            html += SVGPlot.figure(id: "buddyinfo-node\(zone.node)-\(zone.zone)", title: "Buddyinfo, node \(zone.node), zone \(zone.zone)",
                                   caption: "free blocks of each order over time (/proc/buddyinfo's row); darker is more; high orders emptying is fragmentation",
                                   points: chart.points, svg: chart.svg)
        }
        return html
    }

    static func pageblocks(_ timeline: Timeline) -> String {
        let indices = picked(timeline)
        var html = ""
        for (zoneIndex, zone) in timeline.zones.enumerated() {
            let columns = indices.map { milliseconds(timeline.samples[$0]) }
            let stacks = indices.map { index in
                zoneIndex < timeline.samples[index].zones.count ? timeline.samples[index].zones[zoneIndex].pageblocks : []
            }
            let chart = SVGPlot.stackedColumns(columns: columns, layers: timeline.migratetypes, stacks: stacks,
                                               xLabel: timeLabel(timeline), yLabel: "pageblocks")
            html += SVGPlot.figure(id: "pageblocks-node\(zone.node)-\(zone.zone)", title: "Pageblock migratetypes, node \(zone.node), zone \(zone.zone)",
                                   caption: "pageblocks of each migratetype over time (/proc/pagetypeinfo's block counts); fallbacks steal Movable blocks for Unmovable and Reclaimable",
                                   points: chart.points, svg: chart.svg)
        }
        return html
    }

    static func reclaim(_ timeline: Timeline) -> String {
        let samples = timeline.samples
        func perInterval(_ pick: (Timeline.Sample) -> Int) -> [(x: Double, y: Double)] {
            zip(samples, samples.dropFirst()).map { previous, sample in (milliseconds(sample), Double(pick(sample) - pick(previous))) }
        }
        let series = [
            SVGPlot.Series(name: "direct reclaim stalls", color: "#d62728", points: perInterval(\.directReclaimStalls)),
            SVGPlot.Series(name: "in direct reclaim now", color: "#ff7f0e", points: samples.map { (milliseconds($0), Double($0.directReclaimsInProgress)) }),
            SVGPlot.Series(name: "kswapd runs", color: "#2ca02c", points: perInterval { $0.kswapdRuns.reduce(0, +) }),
            SVGPlot.Series(name: "kswapd balancing", color: "#17becf",
                           points: samples.map { (milliseconds($0), Double($0.kswapdBalancing.filter { $0 }.count)) },
                           dashed: true),
            SVGPlot.Series(name: "allocation failures", color: "#7f7f7f", points: perInterval { Int(clamping: $0.failures) }),
            SVGPlot.Series(name: "compaction stalls", color: "#9467bd", points: perInterval(\.compactStalls)),
            SVGPlot.Series(name: "kcompactd wake-ups", color: "#8c564b", points: perInterval(\.kcompactdWakeups)),
        ]
        let chart = SVGPlot.lineChart(series, xLabel: timeLabel(timeline), yLabel: "events per interval / tasks")
        var html = SVGPlot.figure(id: "reclaim-events", title: "Reclaim and compaction events over time",
                                  caption: "direct reclaim stalls (allocstall), kswapd balancing runs, allocation failures, direct compaction stalls (compact_stall) and kcompactd wake-ups (compact_daemon_wake) per sampling interval; direct reclaimers and balancing kswapds at each sample",
                                  points: chart.points, svg: chart.svg)
        let migrated = SVGPlot.lineChart([SVGPlot.Series(name: "pages migrated", color: "#9467bd", points: perInterval(\.pagesMigrated))],
                                         xLabel: timeLabel(timeline), yLabel: "pages per interval")
        html += SVGPlot.figure(id: "pages-migrated", title: "Pages migrated by compaction",
                               caption: "pages compaction moved per sampling interval (pgmigrate_success), direct compaction, kcompactd and compact_memory together; flat at 0 when compaction never ran",
                               points: migrated.points, svg: migrated.svg)
        return html
    }
}
