import Dispatch
import Testing
@testable import KMSim

/// SLUB's `stat()` counters (`SlabStatCounters`): a row per execution context, kernel threads included,
/// so concurrent writers never share a row, and the per-CPU values add up to the total.
@Suite(TestTime.limit(minutes: 2)) struct SlabStatCountersTests {
    /// A kswapd-like context: process context on `cpu`, counting in kernel thread `thread`'s own row.
    private func kernelThread(_ thread: Int, cpu: Int, cpuCount: Int) -> ExecutionContext {
        var context = ExecutionContext.task(cpu: cpu, pid: Int32(100 + thread))
        context.counterRow = Int32(PerCPUCounters.kernelThreadRow(thread, cpuCount: cpuCount))
        return context
    }

    @Test func kernelThreadsCountInRowsOfTheirOwnAndUnderTheirCPU() {
        let stats = SlabStatCounters(cpuCount: 2, kernelThreadCPUs: [0, 1])
        let task = ExecutionContext.task(cpu: 0)
        let kswapd = kernelThread(0, cpu: 0, cpuCount: 2)
        stats.bump(.freeFastpath, task)
        stats.bump(.freeFastpath, kswapd, by: 2)
        stats.bump(.freeFastpath, .hardIRQ(cpu: 1), by: 4)
        #expect(stats.counters.value(SlabStat.freeFastpath.rawValue, cpu: PerCPUCounters.row(of: task)) == 1)
        #expect(stats.counters.value(SlabStat.freeFastpath.rawValue, cpu: PerCPUCounters.row(of: kswapd)) == 2)
        #expect(stats.sum(.freeFastpath) == 7)
        #expect(stats.value(.freeFastpath, cpu: 0) == 3)
        #expect(stats.value(.freeFastpath, cpu: 1) == 4)
    }

    /// A CPU's process side, its interrupt side and a kernel thread beside it bump at once: with a row
    /// each (plain load-then-store adds), the total is every bump made.
    @Test func concurrentContextsOfOneCPULoseNoBumps() {
        let stats = SlabStatCounters(cpuCount: 1, kernelThreadCPUs: [0, 0])
        let contexts = [ExecutionContext.task(cpu: 0), .hardIRQ(cpu: 0), kernelThread(0, cpu: 0, cpuCount: 1),
                        kernelThread(1, cpu: 0, cpuCount: 1)]
        let bumps = 200_000
        DispatchQueue.concurrentPerform(iterations: contexts.count) { index in
            for _ in 0..<bumps { stats.bump(.allocFastpath, contexts[index]) }
        }
        #expect(stats.sum(.allocFastpath) == UInt64(contexts.count * bumps))
        #expect(stats.value(.allocFastpath, cpu: 0) == UInt64(contexts.count * bumps))
    }
}
