import Testing
@testable import KMSim

/// `balance_dirty_pages()`: NR_FILE_DIRTY follows PG_dirty, and a writer above the freerun ceiling of its
/// dirty ratio writes its own pages back instead of dirtying without bound.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimDirtyThrottleTests {
    /// A registered writer task `pid` with a file of `pages` pages, and its process context.
    static func writer(_ machine: Machine, pid: Int32, pages: Int) throws
        -> (task: PageReclaim.TaskHandle, region: MemoryRegion, context: ExecutionContext) {
        let task = try #require(machine.reclaim.registerTask(pid: pid, comm: "writer"))
        return (task, machine.reclaim.mapFile(task, pages: pages), .task(cpu: 0, pid: pid))
    }

    @Test func dirtyCountFollowsPageFlagsThroughWritebackAndExit() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let (task, region, context) = try Self.writer(machine, pid: 30, pages: 600)
        for index in 0..<600 { #expect(await reclaim.writeFile(region, page: index, context: context)) }
        // Writing a dirty page again does not count it twice; reading does not clean it.
        for index in 0..<100 { #expect(await reclaim.writeFile(region, page: index, context: context)) }
        for index in 0..<100 { #expect(await reclaim.readFile(region, page: index, context: context)) }
        #expect(reclaim.dirtyPages == 600)
        #expect(ReclaimTest.dirtyResident(machine, region) == 600)

        let written = await reclaim.writebackRegion(region, maxPages: 250, context: context)
        #expect(written == 250)
        #expect(reclaim.dirtyPages == 350)
        #expect(ReclaimTest.dirtyResident(machine, region) == 350)
        #expect(reclaim.writebackPages == 0)
        #expect(region.residentPages == 600, "written-back pages stay in the page cache")

        // Reclaim with GFP_KERNEL writes back and frees some of the dirty rest; the count follows.
        _ = await machine.reclaim.tryToFreePages(gfp: .kernel, order: 0, highestZoneIndex: ZoneType.normal.rawValue,
                                                 zonelist: machine.pageAllocator.zonelists.list(node: 0, thisNodeOnly: false),
                                                 context: context)
        #expect(reclaim.dirtyPages == ReclaimTest.dirtyResident(machine, region))

        reclaim.exitTask(task, context: context)
        #expect(reclaim.dirtyPages == 0)
        #expect(machine.checkInvariants().isEmpty)
    }

    @Test func writerAboveItsDirtyRatioIsThrottledAndWritesBack() async throws {
        let machine = try ReclaimTest.machine(writeNanoseconds: 100)
        let reclaim = machine.reclaim
        let pages = 8192
        let (task, region, context) = try Self.writer(machine, pid: 31, pages: pages)
        let ratio = 0.10
        var highest = 0
        for index in 0..<pages {
            #expect(await reclaim.writeFile(region, page: index, context: context))
            if (index + 1) % 32 == 0 { await reclaim.balanceDirtyPages(region, dirtyRatio: ratio, context: context) }
            highest = max(highest, reclaim.dirtyPages + reclaim.writebackPages)
        }
        let limits = reclaim.dirtyLimits(ratio: ratio)
        #expect(limits.threshold > 0 && limits.background == limits.threshold / 2)
        #expect(reclaim.count(.dirtyThrottled) > 0)
        #expect(reclaim.count(.pagesWrittenByDirtier) > 0)
        // Dirty memory stays near the freerun ceiling: one ratelimit period and one chunk above it at most.
        let ceiling = (limits.threshold + limits.background) / 2
        #expect(highest <= ceiling + 32 + PageReclaim.dirtyWritebackChunk, "peak \(highest), ceiling \(ceiling)")
        #expect(reclaim.dirtyPages < pages / 2)
        #expect(reclaim.dirtyPages == ReclaimTest.dirtyResident(machine, region))
        #expect(region.residentPages == pages, "the file fits in memory: throttling wrote pages, reclaim freed none")
        reclaim.exitTask(task, context: context)
        #expect(reclaim.dirtyPages == 0)
    }

    @Test func unthrottledWriterDirtiesItsWholeFile() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let (task, region, context) = try Self.writer(machine, pid: 32, pages: 4096)
        for index in 0..<4096 {
            #expect(await reclaim.writeFile(region, page: index, context: context))
            if (index + 1) % 32 == 0 { await reclaim.balanceDirtyPages(region, dirtyRatio: 1.0, context: context) }
        }
        #expect(reclaim.count(.dirtyThrottled) == 0)
        #expect(reclaim.dirtyPages == 4096)
        reclaim.exitTask(task, context: context)
    }
}
