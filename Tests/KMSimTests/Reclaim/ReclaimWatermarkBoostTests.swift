import Testing
@testable import KMSim

/// kswapd and the watermark boost (mm/vmscan.c, mm/page_alloc.c, 6.12): a boosted zone's next
/// ALLOC_KSWAPD allocation wakes kswapd on a balanced node (`rmqueue()`, `wakeup_kswapd()` with
/// `pgdat_watermark_boosted()`), and `balance_pgdat()` reclaims the boost without writeback, then
/// takes it back off the zone.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimWatermarkBoostTests {
    /// 64 MiB, high watermark 384: one fragmenting fallback boosts by a pageblock, min(512, max(512,
    /// mult_frac(384, 15000, 10000) = 576)) = 512. The node stays balanced (free far above 384 + 512),
    /// yet a GFP_NOWAIT allocation wakes kswapd, which reclaims at least the 512 boosted pages of clean
    /// page cache (boosted reclaim stops once `nr_boost_reclaim` reaches 0), and resets the boost to 0.
    /// ZONE_RECLAIM_ACTIVE is set only while it balances.
    @Test func boostWakesKswapdWhichReclaimsAndResetsIt() async throws {
        let machine = try ReclaimTest.machine(kswapd: true)
        let reclaim = machine.reclaim
        let allocator = machine.pageAllocator
        let zone = ReclaimTest.zone(machine)
        let reader = try #require(reclaim.registerTask(pid: 90, comm: "reader"))
        let file = reclaim.mapFile(reader, pages: 4096)
        for index in 0..<4096 { #expect(await reclaim.readFile(file, page: index, context: .task(cpu: 0, pid: 90))) }
        let context = ExecutionContext.task(cpu: 1, pid: 91)
        let probe = try #require(allocator.allocPages(order: 0, gfp: .noWait, context: context))
        allocator.freePages(probe, order: 0, context: context)
        #expect(reclaim.kswapds[0].balanceRuns == 0)

        let boosted: Int? = zone.lock.withLock(cpu: 0) {
            guard let block = zone.rmqueueSmallest(order: PageAllocator.pageblockOrder, migratetype: MigrateType.movable.rawValue) else {
                return nil
            }
            zone.freeOnePage(block, order: 8, migratetype: MigrateType.movable.rawValue)
            guard let page = zone.stealSuitableFallback(order: 0, currentOrder: 8, fromType: MigrateType.movable.rawValue,
                                                        startType: MigrateType.unmovable.rawValue, allocFlags: .kswapd,
                                                        wholeBlock: true) else { return nil }
            zone.freeOnePage(page, order: 0, migratetype: zone.pageblockMigratetype(page))
            zone.freeOnePage(block + 256, order: 8, migratetype: zone.pageblockMigratetype(block))
            return zone.watermarkBoost
        }
        #expect(boosted == 512)
        #expect(zone.testFlag(Zone.boostedWatermarkFlag))
        #expect(reclaim.pgdatBalanced(node: 0, order: 0, highestZoneIndex: ZoneType.normal.rawValue))
        #expect(reclaim.pgdatWatermarkBoosted(node: 0, highestZoneIndex: ZoneType.normal.rawValue))

        let stolenBefore = machine.vmstat.value(.pgstealKswapd)
        let page = try #require(allocator.allocPages(order: 0, gfp: .noWait, context: context))
        #expect(!zone.testFlag(Zone.boostedWatermarkFlag), "rmqueue() clears ZONE_BOOSTED_WATERMARK")
        #expect(await eventually { zone.watermarkBoost == 0 && reclaim.kswapds[0].balanceRuns >= 1 && reclaim.kswapds[0].isSleeping })
        #expect(machine.vmstat.value(.pgstealKswapd) - stolenBefore >= 512)
        #expect(file.residentPages <= 4096 - 512)
        #expect(!zone.testFlag(Zone.reclaimActiveFlag))
        #expect(ProcFS.zoneinfo(machine).contains("\n        boost    0"))
        await machine.shutdown()
        allocator.freePages(page, order: 0, context: context)
        reclaim.exitTask(reader, context: context)
        allocator.drainAllPages(context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// While kswapd balances, its zones carry ZONE_RECLAIM_ACTIVE (`set_reclaim_active()`), and the
    /// per-CPU free path then keeps at most min(batch × 4, high) pages (`nr_pcp_high()`).
    @Test func reclaimActiveLimitsThePCPListsWhileKswapdRuns() throws {
        let machine = try ReclaimTest.machine()
        let zone = ReclaimTest.zone(machine)
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        var pages: [PFN] = []
        for _ in 0..<200 { pages.append(try #require(allocator.allocPages(order: 0, gfp: .highUserMovable, context: context))) }
        zone.drainPages(cpu: 0, lockingCPU: 0)
        zone.setFlag(Zone.reclaimActiveFlag, true)
        for pfn in pages { allocator.freePages(pfn, order: 0, context: context) }
        let pcp = zone.pcpSnapshot(cpu: 0, lockingCPU: 0)
        #expect(pcp.count < pcp.batch * 4 + pcp.batch, "at most batch × 4 stay after each bulk free, got \(pcp.count)")
        zone.setFlag(Zone.reclaimActiveFlag, false)
        allocator.drainAllPages(context: context)
        #expect(machine.checkInvariants().isEmpty)
    }
}
