import Testing
@testable import KMSim

/// kswapd wakes below the low watermark and stops once the node is above high; the slow path's
/// `should_reclaim_retry()` gives up after MAX_RECLAIM_RETRIES rounds without progress.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimKswapdTests {
    @Test func kswapdWakesBelowLowAndStopsAtHigh() async throws {
        let machine = try ReclaimTest.machine(kswapd: true)
        let reclaim = machine.reclaim
        let zone = ReclaimTest.zone(machine)
        let reader = try #require(reclaim.registerTask(pid: 80, comm: "reader"))
        let file = reclaim.mapFile(reader, pages: 8192)
        for index in 0..<8192 { #expect(await reclaim.readFile(file, page: index, context: .task(cpu: 0, pid: 80))) }
        // Above low, a GFP_NOWAIT allocation does not wake kswapd.
        #expect(machine.pageAllocator.allocPages(order: 0, gfp: .noWait, context: .task(cpu: 1, pid: 81)).map {
            machine.pageAllocator.freePages($0, order: 0, context: .task(cpu: 1, pid: 81))
        } != nil)
        #expect(reclaim.kswapds[0].balanceRuns == 0)

        // Take the zone below low with ballast that does not wake kswapd, then one GFP_NOWAIT that does.
        var held: [PFN] = []
        let context = ExecutionContext.task(cpu: 1, pid: 81)
        while zone.freePages > zone.watermarkLow - 8,
              let pfn = machine.pageAllocator.allocPages(order: 0, gfp: ReclaimTest.ballast, context: context) {
            held.append(pfn)
        }
        #expect(zone.freePages < zone.watermarkLow)
        if let pfn = machine.pageAllocator.allocPages(order: 0, gfp: .noWait, context: context) { held.append(pfn) }
        #expect(await eventually { zone.freePages >= zone.watermarkHigh && reclaim.kswapds[0].isSleeping })
        #expect(reclaim.kswapds[0].balanceRuns >= 1)
        #expect(machine.vmstat.value(.pageoutrun) >= 1)
        #expect(machine.vmstat.value(.pgstealKswapd) > 0 && machine.vmstat.value(.pgscanKswapd) >= machine.vmstat.value(.pgstealKswapd))
        #expect(machine.vmstat.value(.pgstealDirect) == 0)
        // It stopped at high rather than emptying the page cache.
        #expect(file.residentPages > 8192 / 2)
        #expect(reclaim.pgdatBalanced(node: 0, order: 0, highestZoneIndex: ZoneType.normal.rawValue))
        await machine.shutdown()
        ReclaimTest.free(machine, held)
        reclaim.exitTask(reader, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// A GFP_NOFS request with nothing it may reclaim (only dirty page cache) but enough reclaimable
    /// pages to pass min: should_reclaim_retry() says retry 16 times without progress, then gives up.
    @Test func shouldReclaimRetryIsBoundedAtSixteen() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let writer = try #require(reclaim.registerTask(pid: 82, comm: "writer"))
        let file = reclaim.mapFile(writer, pages: 1024)
        for index in 0..<1024 { #expect(await reclaim.writeFile(file, page: index, context: .task(cpu: 0, pid: 82))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0, pid: 83)
        guard let ac = allocator.prepareAllocPages(order: 0, gfp: .noFS, context: context, preferredNode: nil) else {
            Issue.record("no allocation context")
            return
        }
        var loops = 0
        var retries = 0
        while allocator.shouldReclaimRetry(ac, reclaim: reclaim, allocFlags: GFPFlags.noFS.allocFlags(),
                                           didSomeProgress: false, noProgressLoops: &loops, context: context) {
            retries += 1
            if retries > 100 { break }
        }
        #expect(retries == PageReclaim.maxReclaimRetries)
        // Progress resets the count; without reclaimable pages there is nothing to retry for.
        loops = 5
        #expect(allocator.shouldReclaimRetry(ac, reclaim: reclaim, allocFlags: GFPFlags.noFS.allocFlags(),
                                             didSomeProgress: true, noProgressLoops: &loops, context: context) && loops == 0)
        reclaim.exitTask(writer, context: context)
        ReclaimTest.fillToMin(machine, holding: &held)
        loops = 0
        #expect(!allocator.shouldReclaimRetry(ac, reclaim: reclaim, allocFlags: GFPFlags.noFS.allocFlags(),
                                              didSomeProgress: false, noProgressLoops: &loops, context: context))
        ReclaimTest.free(machine, held)
    }

    /// `__GFP_RETRY_MAYFAIL` reclaims and retries but never calls the OOM killer; a costly order
    /// without it gives up after one reclaim round.
    @Test func retryMayFailAndCostlyOrdersSkipTheOOMKiller() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let hog = try #require(reclaim.registerTask(pid: 84, comm: "hog"))
        let region = reclaim.mapAnonymous(hog, pages: 2000)
        for index in 0..<2000 { #expect(await reclaim.touchAnonymous(region, page: index, context: .task(cpu: 0, pid: 84))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let results = await ReclaimTest.inTask(machine, cpu: 1, pid: 85) { context -> (PFN?, PFN?) in
            let mayFail = await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .retryMayFail, .noWarn],
                                                                        context: context)
            let costly = await machine.pageAllocator.allocPagesMaySleep(order: 4, gfp: [.kernel, .noWarn], context: context)
            return (mayFail, costly)
        }
        #expect(results.0 == nil && results.1 == nil)
        #expect(machine.vmstat.value(.oomKill) == 0)
        #expect(region.residentPages == 2000)
        #expect(machine.vmstat.value(.allocstallNormal) == 2)
        ReclaimTest.free(machine, held)
        reclaim.exitTask(hog, context: .task(cpu: 0, pid: 84))
    }
}
