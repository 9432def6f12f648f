import Testing
@testable import KMSim

/// The page allocator's sleeping slow path (`allocPagesSlowpathMaySleep` and the direct reclaim and
/// compaction under it) runs on its caller's actor: a task leaves its CPU only where the kernel's would,
/// when it sleeps or at a `cond_resched()` (`__perform_reclaim()`, each round of `shrink_lruvec()`,
/// `should_reclaim_retry()`). As plain nonisolated async functions they hopped off the CPU's actor and
/// back at every call, letting the CPU's other tasks run in the middle of a request.
@Suite(TestTime.limit(minutes: 1)) struct PageAllocSleepingIsolationTests {
    /// GFP_KERNEL with the zone between its MIN and LOW watermarks: the fast path fails, the slow path's
    /// first attempt (after waking kswapd) serves the page, and nothing sleeps or reschedules, so the
    /// request never leaves the caller's actor.
    @Test func slowPathServedWithoutReclaimStaysOnTheCallersActor() async throws {
        let machine = try ReclaimTest.machine(cpus: 1)
        let allocator = machine.pageAllocator
        let zone = ReclaimTest.zone(machine)
        zone.install(ZoneWatermarks(min: 2000, low: 3000, high: 4000, promo: 4000, lowmemReserve: zone.lowmemReserve))
        let context = ExecutionContext.task(cpu: 0)
        var held: [PFN] = []
        while zone.freePages > 2500, let pfn = allocator.allocPages(order: 0, gfp: ReclaimTest.ballast, context: context) {
            held.append(pfn)
        }
        #expect(zone.freePages > 2000 && zone.freePages <= 2500)
        let cpu = CountingCPU()
        for _ in 0..<3 {
            let (jobs, served) = await cpu.jobsDuring { () async -> AllocationOutcome? in
                guard let pfn = await allocator.allocPagesMaySleep(order: 0, gfp: .kernel, context: context) else { return nil }
                allocator.freePages(pfn, order: 0, context: context)
                return allocator.takeServed(context: context)?.outcome ?? .fast
            }
            #expect(served == .afterKswapdWakeup, "the request did not take the slow path's first attempt")
            #expect(jobs == 0, "the slow path left the caller's actor: \(jobs) job(s) enqueued on it")
        }
        ReclaimTest.free(machine, held)
    }
}
