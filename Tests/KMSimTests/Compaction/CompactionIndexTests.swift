import Testing
@testable import KMSim

/// The fragmentation and unusable indices, `compaction_suitable()` and the fragmentation score, against
/// the kernel's formulas (mm/vmstat.c `__fragmentation_index()`, `unusable_free_index()`,
/// `extfrag_for_order()`; mm/compaction.c `__compaction_suitable()`).
@Suite(TestTime.limit(minutes: 3)) struct CompactionIndexTests {
    /// 10 free order-0 pages and 3 free order-2 blocks: free pages 22 in 13 blocks.
    static let nrFree = [10, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]

    @Test func contigPageInfoCountsPagesBlocksAndSuitableBlocks() {
        let info = Compaction.contigPageInfo(nrFree: Self.nrFree, suitableOrder: 1)
        #expect(info.freePages == 10 + 3 * 4)
        #expect(info.freeBlocksTotal == 13)
        #expect(info.freeBlocksSuitable == 3 * 2)  // each order-2 block holds two order-1 blocks
    }

    @Test func fragmentationIndexFollowsTheKernelFormula() {
        // A suitable block exists: -1000.
        #expect(Compaction.fragmentationIndex(order: 2, info: Compaction.contigPageInfo(nrFree: Self.nrFree, suitableOrder: 2)) == -1000)
        // Order 3, none suitable: 1000 - (1000 + 22 * 1000 / 8) / 13 = 1000 - 3750 / 13 = 1000 - 288.
        #expect(Compaction.fragmentationIndex(order: 3, info: Compaction.contigPageInfo(nrFree: Self.nrFree, suitableOrder: 3)) == 712)
        // Order 9: 1000 - (1000 + 22 * 1000 / 512) / 13 = 1000 - 1042 / 13 = 1000 - 80.
        #expect(Compaction.fragmentationIndex(order: 9, info: Compaction.contigPageInfo(nrFree: Self.nrFree, suitableOrder: 9)) == 920)
        // Nothing free: 0.
        #expect(Compaction.fragmentationIndex(order: 3, info: Compaction.ContigPageInfo()) == 0)
        // Few large free blocks, none large enough: the failure is for lack of memory (index near 0).
        var lacking = Array(repeating: 0, count: 11)
        lacking[8] = 1
        #expect(Compaction.fragmentationIndex(order: 9, info: Compaction.contigPageInfo(nrFree: lacking, suitableOrder: 9)) == 1000 - (1000 + 256 * 1000 / 512))
    }

    @Test func unusableIndexAndExtfragForOrderFollowTheKernelFormula() {
        let order3 = Compaction.contigPageInfo(nrFree: Self.nrFree, suitableOrder: 3)
        #expect(Compaction.unusableFreeIndex(order: 3, info: order3) == 1000)
        let order2 = Compaction.contigPageInfo(nrFree: Self.nrFree, suitableOrder: 2)
        // (22 - 3 * 4) * 1000 / 22 = 454.
        #expect(Compaction.unusableFreeIndex(order: 2, info: order2) == 454)
        #expect(Compaction.extfragForOrder(order: 2, info: order2) == 45)
        #expect(Compaction.unusableFreeIndex(order: 0, info: Compaction.ContigPageInfo()) == 1000)
    }

    /// On a real zone: the index read from the zone's free lists equals the formula applied to its
    /// `nr_free`, and `compaction_suitable()` answers by watermark plus `compact_gap()` and, for a costly
    /// order, by the index against `vm.extfrag_threshold`.
    @Test func suitabilityOnAFragmentedZone() async throws {
        let machine = try CompactionTest.machine()
        _ = try await CompactionTest.fragmentWithPageCache(machine)
        let zone = ReclaimTest.zone(machine)
        let compaction = machine.reclaim.compaction
        let nrFree = (0...PageAllocator.maxOrder).map { zone.nrFree[$0] }
        let index = Compaction.fragmentationIndex(zone, order: 9)
        #expect(index == Compaction.fragmentationIndex(order: 9, info: Compaction.contigPageInfo(nrFree: nrFree, suitableOrder: 9)))
        let enoughFree = zone.freePages - 511 > zone.watermarkLow + Compaction.compactGap(order: 9)
        #expect(enoughFree)
        #expect(compaction.compactionSuitable(zone, order: 9, highestZoneIndex: ZoneType.normal.rawValue)
                == (index < 0 || index > compaction.config.extfragThreshold))
        // Too few free pages for the gap: not suitable whatever the index.
        #expect(!compaction.compactionSuitable(zone, order: 9, highestZoneIndex: ZoneType.normal.rawValue,
                                               available: zone.watermarkLow + Compaction.compactGap(order: 9)))
        // A threshold of 1000 makes every costly order unsuitable unless a block is already free.
        let strict = try CompactionTest.machine(config: CompactionConfig(extfragThreshold: 1000))
        _ = try await CompactionTest.fragmentWithPageCache(strict)
        let strictZone = ReclaimTest.zone(strict)
        if Compaction.fragmentationIndex(strictZone, order: 9) >= 0 {
            #expect(!strict.reclaim.compaction.compactionSuitable(strictZone, order: 9, highestZoneIndex: ZoneType.normal.rawValue))
        }
    }

    @Test func fragmentationScoreMarksFollowProactiveness() throws {
        for (proactiveness, low, high) in [(20, 80, 90), (0, 100, 100), (100, 5, 15), (97, 5, 15)] {
            let machine = try CompactionTest.machine(config: CompactionConfig(proactiveness: proactiveness))
            #expect(machine.reclaim.compaction.fragmentationScoreWmark(low: true) == low)
            #expect(machine.reclaim.compaction.fragmentationScoreWmark(low: false) == high)
        }
    }
}
