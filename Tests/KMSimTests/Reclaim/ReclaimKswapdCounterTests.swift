import Dispatch
import Testing
@testable import KMSim

/// kswapd runs on a host thread of its own but borrows its node's first CPU; its vmstat and NUMA events
/// go to a row of its own, so a task on that CPU counting at the same moment loses nothing.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimKswapdCounterTests {
    @Test func kswapdCountsInARowOfItsOwn() throws {
        let machine = try ReclaimTest.machine(cpus: 2, kswapd: true)
        let kswapd = machine.reclaim.kswapds[0]
        let cpuRows = Set((0..<2).flatMap { cpu in
            ExecutionContext.Kind.allCases.map { kind in PerCPUCounters.row(of: ExecutionContext(cpu: cpu, kind: kind)) }
        })
        #expect(kswapd.context.cpu == 0 && kswapd.context.kind == .task)
        #expect(!cpuRows.contains(PerCPUCounters.row(of: kswapd.context)))
        #expect(PerCPUCounters.row(of: kswapd.context) == 2 * PerCPUCounters.contextRows)
        // One row for the node's kswapd and one for its kcompactd.
        let kcompactd = machine.reclaim.compaction.kcompactds[0]
        #expect(PerCPUCounters.row(of: kcompactd.context) == 2 * PerCPUCounters.contextRows + 1)
        #expect(machine.vmstat.counters.cpuCount == 2 * PerCPUCounters.contextRows + 2)
    }

    /// kswapd's context and a task on CPU 0 count the same vmstat items at the same time on two host
    /// threads, as kswapd's reclaim and the CPU's allocations do: every event is in the totals. (With
    /// kswapd counting in CPU 0's process row, the plain load-then-store adds lost some.)
    @Test(TestTime.limit(minutes: 1)) func kswapdAndATaskCountingTogetherLoseNothing() throws {
        let machine = try ReclaimTest.machine(cpus: 1, kswapd: true)
        let kswapd = machine.reclaim.kswapds[0]
        let vmstat = machine.vmstat
        let zone = ReclaimTest.zone(machine)
        let events = 500_000
        let contexts = [kswapd.context, ExecutionContext.task(cpu: 0, pid: 7)]
        // Booting the machine allocated pages already (slab caches, page tables).
        let before = (vmstat.value(.pgfree), vmstat.value(.pgscanKswapd), zone.numaEvents.sum(NUMAStatItem.numaHit.rawValue))
        DispatchQueue.concurrentPerform(iterations: contexts.count) { index in
            let context = contexts[index]
            for _ in 0..<events {
                vmstat.count(.pgfree, 1, context: context)
                vmstat.count(.pgscanKswapd, 1, context: context)
                zone.numaEvents.addSingleWriter(NUMAStatItem.numaHit.rawValue, 1, row: PerCPUCounters.row(of: context))
            }
        }
        #expect(vmstat.value(.pgfree) - before.0 == 2 * events)
        #expect(vmstat.value(.pgscanKswapd) - before.1 == 2 * events)
        #expect(zone.numaEvents.sum(NUMAStatItem.numaHit.rawValue) - before.2 == Int64(2 * events))
    }
}
