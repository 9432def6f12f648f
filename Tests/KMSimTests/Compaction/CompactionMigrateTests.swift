import Testing
@testable import KMSim

/// Scanners, skip bits and migration (`compact_zone()`, `isolate_migratepages_block()`,
/// `isolate_freepages_block()`, `migrate_pages()`).
@Suite(TestTime.limit(minutes: 5)) struct CompactionMigrateTests {
    /// One page cache page and one anonymous page move with their contents, flags, slot and LRU list;
    /// the sources go back to the free lists.
    @Test func migrationMovesPageCacheAndAnonymousPagesIntact() async throws {
        let machine = try CompactionTest.machine()
        let reclaim = machine.reclaim
        let compaction = reclaim.compaction
        let zone = ReclaimTest.zone(machine)
        let task = try #require(reclaim.registerTask(pid: 50, comm: "mover"))
        let file = reclaim.mapFile(task, pages: 1)
        let anon = reclaim.mapAnonymous(task, pages: 1)
        let context = ExecutionContext.task(cpu: 0, pid: 50)
        #expect(await reclaim.writeFile(file, page: 0, context: context))
        #expect(await reclaim.touchAnonymous(anon, page: 0, context: context))
        CompactionTest.stamp(machine, file, salt: 11)
        CompactionTest.stamp(machine, anon, salt: 22)
        let lruvec = reclaim.lruvecs[0]
        let sizesBefore: [Int] = LRUList.allCases.map { lruvec.size($0) }
        let sources = [file, anon].compactMap { MemoryRegion.pfn($0.slot(0).load(ordering: .relaxed)) }
        #expect(sources.count == 2)

        var cc = CompactControl(zone: zone, order: -1, gfp: .kernel, mode: .sync, highestZoneIndex: ZoneType.normal.rawValue,
                                context: context)
        cc.freePFN = pageblockStartPFN(zone.endPFN - 1)
        for pfn in sources { #expect(compaction.isolateLRUPage(&cc, lruvec, pfn)) }
        let totalBefore: Int = sizesBefore.reduce(0, +)
        #expect(lruvec.totalPages == totalBefore - 2)
        let freeBefore = zone.freePages
        #expect(compaction.migratePages(&cc))
        #expect(cc.migrated == 2 && cc.migratepages.isEmpty)
        _ = compaction.releaseFreeList(&cc)

        let targets = [file, anon].compactMap { MemoryRegion.pfn($0.slot(0).load(ordering: .relaxed)) }
        #expect(targets.count == 2)
        #expect(Set(targets).isDisjoint(with: sources))
        #expect(CompactionTest.badStamps(machine, file, salt: 11) == 0)
        #expect(CompactionTest.badStamps(machine, anon, salt: 22) == 0)
        #expect(CompactionTest.badMappings(machine, file) == 0 && CompactionTest.badMappings(machine, anon) == 0)
        let sizesAfter: [Int] = LRUList.allCases.map { lruvec.size($0) }
        #expect(sizesAfter == sizesBefore)
        #expect(lruvec.frames[targets[0]].flags & PageFlags.dirty.rawValue != 0)
        #expect(lruvec.frames[targets[1]].flags & PageFlags.swapBacked.rawValue != 0)
        // The two sources are free again; the two targets are in use.
        #expect(zone.freePages == freeBefore)
        #expect(machine.vmstat.value(.pgmigrateSuccess) == 2)
        #expect(machine.checkInvariants().isEmpty)
        // The task still reaches its pages through the slots.
        #expect(await reclaim.readFile(file, page: 0, context: context))
        reclaim.exitTask(task, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// A whole-zone run over interleaved page cache: the scanners meet (COMPLETE), pages move with their
    /// contents, free huge-page blocks appear, and every page is accounted for.
    @Test func wholeZoneRunMeetsInTheMiddleAndMakesHugeBlocks() async throws {
        let machine = try CompactionTest.machine()
        let (task, file) = try await CompactionTest.fragmentWithPageCache(machine)
        CompactionTest.stamp(machine, file, salt: 5)
        let zone = ReclaimTest.zone(machine)
        let resident = file.residentPages
        let before = CompactionTest.hugeBlocks(zone)
        let context = ExecutionContext.task(cpu: 0, pid: 7)
        var cc = CompactControl(zone: zone, order: -1, gfp: .kernel, mode: .sync, highestZoneIndex: ZoneType.normal.rawValue,
                                context: context)
        cc.wholeZone = true
        cc.ignoreSkipHint = true
        let result = await machine.reclaim.compaction.compactZone(&cc)
        #expect(result == .complete)
        #expect(cc.scannersMet)
        #expect(cc.migrated > 0)
        // At most the one page that found no target when the scanners met (`-ENOMEM`).
        #expect(cc.failed <= 1 && machine.vmstat.value(.pgmigrateFail) == cc.failed)
        #expect(CompactionTest.hugeBlocks(zone) >= before + 4)
        #expect(file.residentPages == resident)
        #expect(CompactionTest.badStamps(machine, file, salt: 5) == 0)
        #expect(CompactionTest.badMappings(machine, file) == 0)
        #expect(machine.vmstat.value(.compactMigrateScanned) > 0 && machine.vmstat.value(.compactFreeScanned) > 0)
        #expect(machine.vmstat.value(.pgmigrateSuccess) == cc.migrated)
        #expect(machine.checkInvariants().isEmpty)
        machine.reclaim.exitTask(task, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Nothing movable (the test holds every page directly): a run scans, isolates nothing, marks the
    /// blocks it scanned to skip, and the next run skips them; clearing the bits restores the scan.
    @Test func skipBitsSpareTheNextRunUntilReset() async throws {
        let machine = try CompactionTest.machine()
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let kept = stride(from: 0, to: held.count, by: 2).map { held[$0] }
        ReclaimTest.free(machine, stride(from: 1, to: held.count, by: 2).map { held[$0] })
        machine.pageAllocator.drainAllPages(context: .task(cpu: 0, pid: 999))
        let zone = ReclaimTest.zone(machine)
        let compaction = machine.reclaim.compaction
        let state = compaction.state(zone)
        let context = ExecutionContext.task(cpu: 0, pid: 7)
        func run() async -> (CompactResult, Int) {
            var cc = CompactControl(zone: zone, order: 9, gfp: .highUserMovable, mode: .syncLight,
                                    highestZoneIndex: ZoneType.normal.rawValue, context: context)
            let result = await compaction.compactZone(&cc)
            return (result, cc.totalMigrateScanned)
        }
        #expect(state.skippedPageblocks == 0)
        let (first, scannedFirst) = await run()
        #expect(first == .complete)
        #expect(scannedFirst > 0)
        #expect(state.skippedPageblocks > 0)
        // Scanners met: the cached positions are back at the zone's ends.
        #expect(state.cachedMigratePFNSync.load(ordering: .relaxed) == zone.startPFN)
        #expect(state.cachedFreePFN.load(ordering: .relaxed) == pageblockStartPFN(zone.endPFN - 1))
        let (second, scannedSecond) = await run()
        #expect(second == .complete)
        #expect(scannedSecond < scannedFirst)
        state.resetIsolationSuitable()
        #expect(state.skippedPageblocks == 0)
        let (_, scannedThird) = await run()
        #expect(scannedThird == scannedFirst)
        #expect(machine.vmstat.value(.pgmigrateSuccess) == 0)
        ReclaimTest.free(machine, kept)
        #expect(machine.checkInvariants().isEmpty)
    }
}
