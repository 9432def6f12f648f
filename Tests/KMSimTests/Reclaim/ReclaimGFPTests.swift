import Testing
@testable import KMSim

/// What reclaim may take follows the GFP mask: (c) GFP_NOFS cannot write back dirty page cache while
/// GFP_KERNEL can, GFP_NOIO cannot swap; (f) memalloc_nofs_save makes GFP_KERNEL behave as GFP_NOFS.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimGFPTests {
    /// A task with `pages` pages of page cache, written (dirty) or read (clean).
    func populateFile(_ machine: Machine, pages: Int, dirty: Bool) async throws -> MemoryRegion {
        let reclaim = machine.reclaim
        let task = try #require(reclaim.registerTask(pid: 10, comm: "writer"))
        let region = reclaim.mapFile(task, pages: pages)
        let context = ExecutionContext.task(cpu: 0, pid: 10)
        for index in 0..<pages {
            let ok = dirty ? await reclaim.writeFile(region, page: index, context: context)
                           : await reclaim.readFile(region, page: index, context: context)
            #expect(ok)
        }
        return region
    }

    func reclaimOnce(_ machine: Machine, gfp: GFPFlags, context: ExecutionContext) async -> Int {
        await machine.reclaim.tryToFreePages(gfp: gfp, order: 0, highestZoneIndex: ZoneType.normal.rawValue,
                                             zonelist: machine.pageAllocator.zonelists.list(node: 0, thisNodeOnly: false),
                                             context: context)
    }

    @Test func noFSKeepsDirtyPageCacheKernelWritesItBack() async throws {
        let machine = try ReclaimTest.machine()
        let region = try await populateFile(machine, pages: 512, dirty: true)
        #expect(ReclaimTest.dirtyResident(machine, region) == 512)
        let context = ExecutionContext.task(cpu: 0, pid: 20)
        #expect(await reclaimOnce(machine, gfp: .noFS, context: context) == 0)
        #expect(ReclaimTest.dirtyResident(machine, region) == 512)
        #expect(machine.reclaim.count(.pagesWritten) == 0)
        #expect(machine.vmstat.value(.pgscanDirect) > 0)

        let reclaimed = await reclaimOnce(machine, gfp: .kernel, context: context)
        #expect(reclaimed >= ScanControl.swapClusterMax)
        #expect(machine.reclaim.count(.pagesWritten) == reclaimed)
        #expect(region.residentPages == 512 - reclaimed)
        #expect(machine.vmstat.value(.pgstealDirect) == reclaimed)
        #expect(machine.vmstat.value(.allocstallNormal) == 2)
        #expect(machine.checkInvariants().isEmpty)
    }

    @Test func cleanPageCacheGoesEvenWithoutIO() async throws {
        let machine = try ReclaimTest.machine()
        let region = try await populateFile(machine, pages: 512, dirty: false)
        let reclaimed = await reclaimOnce(machine, gfp: .noIO, context: .task(cpu: 0, pid: 20))
        #expect(reclaimed >= ScanControl.swapClusterMax)
        #expect(region.residentPages == 512 - reclaimed)
        #expect(machine.reclaim.count(.pagesWritten) == 0)
    }

    @Test func noIOCannotSwapKernelCan() async throws {
        let machine = try ReclaimTest.machine(swapPages: 4096)
        let reclaim = machine.reclaim
        let task = try #require(reclaim.registerTask(pid: 11, comm: "anon"))
        let region = reclaim.mapAnonymous(task, pages: 512)
        let owner = ExecutionContext.task(cpu: 1, pid: 11)
        for index in 0..<512 { #expect(await reclaim.touchAnonymous(region, page: index, context: owner)) }
        // Freshly faulted pages are young; one GFP_KERNEL pass over them only ages them.
        let context = ExecutionContext.task(cpu: 0, pid: 20)
        #expect(await reclaimOnce(machine, gfp: .noIO, context: context) == 0)
        #expect(reclaim.swap.usedPages == 0 && region.residentPages == 512)
        #expect(await reclaimOnce(machine, gfp: .noIO, context: context) == 0)
        #expect(reclaim.swap.usedPages == 0)

        let reclaimed = await reclaimOnce(machine, gfp: .kernel, context: context)
        #expect(reclaimed > 0)
        #expect(reclaim.swap.usedPages == reclaimed && region.swappedPages == reclaimed)
        #expect(reclaim.tasks.task(pid: 11)?.swapEntries == reclaimed)
        #expect(reclaim.tasks.task(pid: 11)?.anonRSS == 512 - reclaimed)
        // Swapped pages fault back in.
        for index in 0..<512 { #expect(await reclaim.touchAnonymous(region, page: index, context: owner)) }
        #expect(reclaim.swap.usedPages == 0 && region.residentPages == 512)
        reclaim.exitTask(task, context: owner)
        #expect(reclaim.lruvecs[0].totalPages == 0)
        #expect(machine.checkInvariants().isEmpty)
    }

    @Test func memallocNoFSScopeMakesKernelBehaveAsNoFS() async throws {
        let machine = try ReclaimTest.machine()
        let region = try await populateFile(machine, pages: 512, dirty: true)
        var context = ExecutionContext.task(cpu: 0, pid: 20)
        let saved = context.memallocNoFSSave()
        #expect(context.currentGFPContext(.kernel) == .noFS)
        #expect(await reclaimOnce(machine, gfp: .kernel, context: context) == 0)
        #expect(ReclaimTest.dirtyResident(machine, region) == 512)
        context.memallocNoFSRestore(saved)
        #expect(await reclaimOnce(machine, gfp: .kernel, context: context) > 0)
        #expect(machine.reclaim.count(.pagesWritten) > 0)
    }

    /// (f) end to end: memory at min, only dirty page cache to reclaim. Inside the scope a GFP_KERNEL
    /// allocation (NORETRY, so it does not go on to the OOM killer) fails without writing anything back;
    /// outside it the same allocation writes pages back and succeeds. No watermark boost: filling the
    /// zone with unmovable ballast takes fallbacks that would boost the watermarks by up to 576 pages,
    /// which only kswapd (off here) reclaims, and one NORETRY reclaim round (32 pages) cannot cover.
    @Test func memallocNoFSScopeInTheAllocator() async throws {
        let machine = try ReclaimTest.machine(watermarkBoostFactor: 0)
        _ = try await populateFile(machine, pages: 1024, dirty: true)
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let results = await ReclaimTest.inTask(machine, cpu: 0, pid: 30) { context -> (PFN?, Int, PFN?) in
            let gfp: GFPFlags = [.kernel, .noRetry, .noWarn]
            let inside: PFN? = await context.withMemallocNoFSAsync { scoped in
                await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: gfp, context: scoped)
            }
            let written = machine.reclaim.count(.pagesWritten)
            let outside = await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: gfp, context: context)
            return (inside, written, outside)
        }
        #expect(results.0 == nil)
        #expect(results.1 == 0)
        #expect(results.2 != nil)
        #expect(machine.reclaim.count(.pagesWritten) > 0)
        if let pfn = results.2 { held.append(pfn) }
        ReclaimTest.free(machine, held)
    }
}

extension ExecutionContext {
    /// `memalloc_nofs_save()` … `memalloc_nofs_restore()` around async work (the tests' helper).
    mutating func withMemallocNoFSAsync<R>(_ body: (ExecutionContext) async -> R) async -> R {
        let saved = memallocNoFSSave()
        let result = await body(self)
        memallocNoFSRestore(saved)
        return result
    }
}
