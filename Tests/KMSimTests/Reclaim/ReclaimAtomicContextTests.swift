import Synchronization
import Testing
@testable import KMSim

/// Atomic callers never wait: (a) GFP_ATOMIC from interrupt handlers while direct reclaimers are busy,
/// (b) how deep GFP_ATOMIC and GFP_NOWAIT may go, (d) a GFP_KERNEL kmalloc in an interrupt handler.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimAtomicContextTests {
    /// Order-0 GFP_ATOMIC/GFP_NOWAIT allocations from a hard-IRQ handler until refused, draining the
    /// per-CPU lists between rounds; returns the pages and NR_FREE_PAGES at the refusal.
    static func allocateInIRQUntilRefused(_ machine: Machine, gfp: GFPFlags, cpu: Int) async -> (pages: [PFN], free: Int) {
        await ReclaimTest.inIRQ(machine, cpu: cpu) { context in
            var pages: [PFN] = []
            while true {
                var got = 0
                while let pfn = machine.pageAllocator.allocPages(order: 0, gfp: gfp.union(.noWarn), context: context) {
                    pages.append(pfn)
                    got += 1
                }
                machine.pageAllocator.drainAllPages(context: context)
                if got == 0 { return (pages, ReclaimTest.zone(machine).freePages) }
            }
        }
    }

    /// (b) GFP_NOWAIT stops at min, GFP_ATOMIC at 37.5 % of min, both from interrupt context with
    /// reclaim attached (kswapd woken but disabled here, so nothing refills the zone meanwhile).
    @Test func atomicReachesThreeEighthsOfMinNoWaitStopsAtMin() async throws {
        let machine = try ReclaimTest.machine()
        let zone = ReclaimTest.zone(machine)
        let min = zone.watermarkMin
        let nowait = await Self.allocateInIRQUntilRefused(machine, gfp: .noWait, cpu: 1)
        #expect(nowait.free == min)
        let atomic = await Self.allocateInIRQUntilRefused(machine, gfp: .atomic, cpu: 1)
        #expect(atomic.free == min - min / 2 - (min - min / 2) / 4)
        #expect(atomic.free * 8 == min * 3)
        #expect(machine.sleepDebug.atomicWaits == 0 && machine.sleepDebug.invalidContextSleeps == 0)
        #expect(machine.vmstat.value(.allocstallNormal) == 0)
        ReclaimTest.free(machine, nowait.pages + atomic.pages)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// (a) Memory below min, two tasks in direct reclaim writing dirty page cache back (sleeping on the
    /// simulated I/O), and interrupt handlers on another CPU allocating GFP_ATOMIC: the handlers never
    /// wait and never reclaim, succeed from the reserve and then fail.
    @Test func atomicAllocationsInIRQsNeverWaitWhileReclaimersWork() async throws {
        let machine = try ReclaimTest.machine(cpus: 3, writeNanoseconds: 500_000)
        let reclaim = machine.reclaim
        let writer = try #require(reclaim.registerTask(pid: 60, comm: "writer"))
        let file = reclaim.mapFile(writer, pages: 2048)
        for index in 0..<2048 { #expect(await reclaim.writeFile(file, page: index, context: .task(cpu: 0, pid: 60))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)

        let reclaimers = (0..<2).map { cpu in
            machine.cpus[cpu].startTask(pid: Int32(70 + cpu)) { context, _ -> [PFN] in
                var got: [PFN] = []
                for _ in 0..<20 {
                    if let pfn = await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noRetry, .noWarn],
                                                                               context: context) {
                        got.append(pfn)
                    }
                }
                return got
            }
        }
        // Wait until the reclaimers are in direct reclaim, then take the reserve from interrupts. The
        // handlers keep every page they get, and what reclaim frees meanwhile serves them too, so the
        // number of rounds before the first refusal depends on how fast reclaim runs on this host. The
        // bound is the zone's size: more successes than managed pages cannot happen, so a refusal must
        // come within it.
        #expect(await eventually { machine.vmstat.value(.allocstallNormal) > 0 })
        let successes = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        var atomicPages: [PFN] = []
        for _ in 0...(ReclaimTest.zone(machine).managedPages / 16) {
            let round = await ReclaimTest.inIRQ(machine, cpu: 2) { context -> [PFN] in
                var pages: [PFN] = []
                for _ in 0..<16 {
                    if let pfn = machine.pageAllocator.allocPages(order: 0, gfp: [.atomic, .noWarn], context: context) {
                        pages.append(pfn)
                        successes.add(1, ordering: .relaxed)
                    } else {
                        failures.add(1, ordering: .relaxed)
                    }
                }
                return pages
            }
            atomicPages += round
            if failures.load(ordering: .relaxed) > 0 { break }
        }
        var reclaimed: [PFN] = []
        for task in reclaimers { reclaimed += await task.value }
        #expect(successes.load(ordering: .relaxed) > 0)
        #expect(failures.load(ordering: .relaxed) > 0)
        #expect(machine.sleepDebug.atomicWaits == 0)
        #expect(machine.sleepDebug.invalidContextSleeps == 0)
        #expect(reclaim.count(.atomicWaitsAvoided) == 0)
        #expect(machine.vmstat.value(.pgstealDirect) > 0)
        ReclaimTest.free(machine, held + atomicPages + reclaimed)
        reclaim.exitTask(writer, context: .task(cpu: 0, pid: 60))
        #expect(machine.checkInvariants().isEmpty)
    }

    /// (d) GFP_KERNEL kmalloc in an interrupt handler: the might_sleep report, and the allocation goes
    /// on without blocking: from the per-CPU slab while memory is plentiful, and with memory at min
    /// (a new slab needed) it fails instead of reclaiming, counting the wait it avoided.
    @Test func kernelKmallocInIRQReportsAndDoesNotBlock() async throws {
        let machine = try ReclaimTest.machine()
        let first = await ReclaimTest.inIRQ(machine, cpu: 0) { context in
            machine.slab.kmalloc(64, gfp: .kernel, context: context).map(UInt.init(bitPattern:))
        }
        #expect(first != nil)
        #expect(machine.sleepDebug.invalidContextSleeps >= 1)
        let text = machine.bugReports.reports.first { $0.kind == .sleepingInAtomic }?.text ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "BUG: sleeping function called from invalid context at include/linux/sched/mm.h:337")
        #expect(lines.dropFirst().first == "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 0, name: swapper/0")

        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let large = await ReclaimTest.inIRQ(machine, cpu: 0) { context in
            machine.slab.kmalloc(64 << 10, gfp: .kernel, context: context).map(UInt.init(bitPattern:))
        }
        #expect(large == nil)
        #expect(machine.reclaim.count(.atomicWaitsAvoided) == 1)
        #expect(machine.sleepDebug.atomicWaits == 0)
        #expect(machine.vmstat.value(.allocstallNormal) == 0)
        #expect(machine.bugReports.count(.allocFailure) == 1)
        if let first { machine.slab.kfree(UnsafeMutableRawPointer(bitPattern: first), context: .task(cpu: 0)) }
        ReclaimTest.free(machine, held)
    }
}
