import Foundation
import Testing
@testable import KMSim

/// `--trace-all`: every allocation and free of the run as a slice, kept within a bound of its own.
@Suite(TestTime.limit(minutes: 5)) struct TraceAllTests {
    static func run(fastPathCapacity: Int = TraceEventLog.defaultFastPathCapacity, traceAll: Bool = true)
        async throws -> (WorkloadRunner, RunReport, PerfettoTraceTests.Checked) {
        let spec = try VirtualRunTests.stress(cpusPerNode: 2, memory: "64MiB", irqRate: 20_000)
        var options = RunOptions()
        options.durationSeconds = 0.0005
        options.trace = true
        options.traceAll = traceAll
        options.traceFastPathCapacity = fastPathCapacity
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        return (runner, report, try PerfettoTraceTests.check(runner.perfettoTrace(report).bytes))
    }

    /// Every allocation the report counts is an `alloc` slice, named by its call; frees are slices too;
    /// the slices nest with the interrupt handlers around them.
    @Test func everyAllocationAndFreeIsASlice() async throws {
        let (runner, report, checked) = try await Self.run()
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        #expect(report.operations > 0)
        #expect(Int64(checked.categories["alloc", default: 0]) == report.operations)
        let frees = checked.categories["free", default: 0]
        #expect(frees > 0 && Int64(frees) <= report.operations)
        #expect(checked.names["kmalloc", default: 0] > 0 && checked.names["kfree", default: 0] > 0, "\(checked.names)")
        #expect(checked.categories["interrupt", default: 0] == Int(report.interrupts))
        #expect(runner.machine.pageAllocator.eventLog.dropped == TraceEventLog.Dropped(events: 0, firstEventNs: nil, fastPath: 0,
                                                                                       firstFastPathNs: nil))
        let (_, _, plain) = try await Self.run(traceAll: false)
        #expect(plain.categories["alloc"] == nil && plain.categories["free"] == nil, "only --trace-all adds them")
    }

    /// Past its bound the fast paths are left out and counted, the other events are all kept, and the
    /// warning says from when and what --duration fits.
    @Test func theFastPathBoundLeavesTheRestAlone() async throws {
        let (runner, report, checked) = try await Self.run(fastPathCapacity: 100)
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        #expect(checked.categories["alloc", default: 0] + checked.categories["free", default: 0] == 100)
        #expect(checked.categories["interrupt", default: 0] == Int(report.interrupts))
        let dropped = runner.machine.pageAllocator.eventLog.dropped
        #expect(dropped.events == 0 && dropped.fastPath > 0)
        let first = try #require(dropped.firstFastPathNs)
        #expect(first > 0 && first < 500_000)
        let warnings = dropped.warnings(capacity: TraceEventLog.defaultCapacity, fastPathCapacity: 100)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("--trace-all: the trace keeps at most 100 allocations and frees; \(dropped.fastPath) of them from ") == true,
                "\(warnings)")
        #expect(warnings.first?.contains("fits) to see every allocation and free") == true, "\(warnings)")
    }

    /// The suggested --duration is the first left-out instant rounded down to two digits.
    @Test func theSuggestedDurationFitsBeforeTheFirstDrop() {
        #expect(TraceEventLog.Dropped.fitting(12_345_678) == "12ms")
        #expect(TraceEventLog.Dropped.fitting(1_980_000_000) == "1.9s")
        #expect(TraceEventLog.Dropped.fitting(10) == "1us")
        #expect(TraceEventLog.Dropped.instant(5_109_375) == "5.11ms")
        #expect(TraceEventLog.Dropped.instant(999) == "0.999us")
        let none = TraceEventLog.Dropped(events: 0, firstEventNs: nil, fastPath: 0, firstFastPathNs: nil)
        #expect(none.warnings().isEmpty)
        let capped = TraceEventLog.Dropped(events: 7, firstEventNs: 2_500_000_000, fastPath: 0, firstFastPathNs: nil)
        #expect(capped.warnings(capacity: 1000) == ["--trace: the trace keeps at most 1000 events (slow paths, reclaim, compaction, "
                                                    + "interrupts, lock waits, ...); 7 event(s) from 2.5s of the run's clock on were left "
                                                    + "out. Trace a shorter --duration (2.5s fits) to see them all"])
    }
}
