import Foundation
import Testing
@testable import KMSim

/// Compaction in `--trace`: a kcompactd track per node, direct compaction stalls on the allocating task's
/// track, kcompactd's runs on its own, counted against the report's compaction figures; and in the
/// timeline and HTML report.
@Suite(TestTime.limit(minutes: 5)) struct CompactionTraceTests {
    /// kswapd's rows come first, kcompactd's after them: each context finds its own thread's track.
    @Test func aKernelThreadsContextFindsItsTrack() {
        let log = TraceEventLog(cpuCount: 4, nodeCount: 2, virtualClock: nil)
        var context = ExecutionContext.task(cpu: 2, pid: 1)
        #expect(log.track(of: context) == .process(cpu: 2))
        context.counterRow = Int32(PerCPUCounters.kernelThreadRow(1, cpuCount: 4))
        #expect(log.track(of: context) == .kswapd(node: 1))
        context.counterRow = Int32(PerCPUCounters.kernelThreadRow(2 + 1, cpuCount: 4))
        #expect(log.track(of: context) == .kcompactd(node: 1))
    }

    @Test func compactionSlicesGoOnTheirTracksWithTheirNames() throws {
        let layout = PerfettoTrace.Layout(nodes: 2, cpuNode: [0, 1], interruptNames: [])
        let events = [
            PerfettoTraceTests.event(.slowPath, .process(cpu: 0), 100, 50),
            PerfettoTraceTests.event(.directCompaction, .process(cpu: 0), 110, 20),
            PerfettoTraceTests.event(.kcompactdRun, .kcompactd(node: 1), 120, 40),
            PerfettoTraceTests.event(.proactiveCompaction, .kcompactd(node: 0), 300, 10),
            PerfettoTraceTests.event(.compactMemory, .process(cpu: 1), 10, 5),
        ]
        let encoded = PerfettoTrace.encode(events: events, dropped: 0, timeline: nil, layout: layout)
        let checked = try PerfettoTraceTests.check(encoded.bytes)
        #expect(checked.problems.isEmpty, "\(checked.problems)")
        #expect(checked.categories == ["slow_path": 1, "direct_compaction": 1, "kcompactd": 1, "proactive_compaction": 1,
                                       "compact_memory": 1])
        #expect(checked.names["direct compaction"] == 1 && checked.names["kcompactd_do_work"] == 1
                && checked.names["proactive_compact_node"] == 1 && checked.names["compact_memory"] == 1)
        let names = Set(checked.trackNames.values)
        #expect(names.isSuperset(of: ["kswapd0", "kswapd1", "kcompactd0", "kcompactd1"]), "\(names.sorted())")
        #expect(encoded.slices == 5 && encoded.dropped == 0)
    }

    /// The bundled stress-highalloc on the virtual clock with its passes from 100 ms, so that 600 ms of
    /// virtual time (1.4 s of host time in a debug build) has direct compaction and a kcompactd run
    /// (7 and 1 with its seed; the first kcompactd run comes after 500 ms): its trace has one direct
    /// compaction slice per compact_stall and one kcompactd run per compact_daemon_wake, and its timeline
    /// and HTML page carry the compaction figures.
    @Test func aCompactingRunsTraceMatchesItsCompactionCounters() async throws {
        let bundled = try #require(BundledWorkloads.text(named: "stress-highalloc"))
        let yaml = bundled.replacingOccurrences(of: "start: 750ms", with: "start: 100ms")
        #expect(yaml != bundled, "the bundled workload's passes start at 750 ms")
        var spec = try WorkloadSpec.parse(yaml: yaml, file: "stress-highalloc.yaml").spec
        spec.clock = .virtual
        var options = RunOptions()
        options.durationSeconds = 0.6
        options.trace = true
        options.sampleEverySeconds = 0.01
        let runner = try WorkloadRunner(spec: spec, options: options)
        let result = await runner.run()
        let report = result.report
        let encoded = runner.perfettoTrace(report)
        let checked = try PerfettoTraceTests.check(encoded.bytes)
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        #expect(encoded.dropped == 0)
        #expect(report.compaction.stalls > 0, "the highalloc task compacts")
        #expect(report.compaction.kcompactdWakeups > 0, "kswapd wakes kcompactd as it goes to sleep")
        #expect(checked.categories["direct_compaction", default: 0] == report.compaction.stalls)
        #expect(checked.categories["kcompactd", default: 0] == report.compaction.kcompactdWakeups)
        #expect(checked.categories["direct_reclaim", default: 0] == report.reclaim.directReclaimStalls)
        let timeline = try #require(report.timeline)
        let last = try #require(timeline.samples.last)
        #expect(last.compactStalls > 0 && last.compactStalls <= report.compaction.stalls)
        #expect(last.pagesMigrated > 0 && last.pagesMigrated <= report.compaction.pagesMigrated)
        #expect(zip(timeline.samples, timeline.samples.dropFirst()).allSatisfy { $0.compactStalls <= $1.compactStalls })
        let html = HTMLReport.render(result)
        #expect(html.contains("Reclaim and compaction events over time"))
        #expect(html.contains("compaction stalls"))
        #expect((HTMLReportTests.figures(html)["pages-migrated"] ?? 0) > 0)
    }
}
