/// Whether compaction is worth running (mm/compaction.c and mm/vmstat.c, 6.12): `fill_contig_page_info()`,
/// `__fragmentation_index()`, `unusable_free_index()`, `extfrag_for_order()`, `compact_gap()`,
/// `__compaction_suitable()`, `compaction_suitable()`, `compaction_zonelist_suitable()`, and the
/// fragmentation score proactive compaction keeps low.
///
/// The free-area counts are read without the zone lock, as the kernel reads them with `data_race()`.
extension Compaction {
    /// `struct contig_page_info`.
    public struct ContigPageInfo: Equatable, Sendable {
        public var freePages = 0
        public var freeBlocksTotal = 0
        public var freeBlocksSuitable = 0
    }

    /// `fill_contig_page_info()` from each order's `nr_free`.
    public static func contigPageInfo(nrFree: [Int], suitableOrder: Int) -> ContigPageInfo {
        var info = ContigPageInfo()
        for (order, blocks) in nrFree.enumerated() {
            info.freeBlocksTotal += blocks
            info.freePages += blocks << order
            if order >= suitableOrder { info.freeBlocksSuitable += blocks << (order - suitableOrder) }
        }
        return info
    }

    /// `__fragmentation_index()`: in thousandths; -1000 when a block of the order is free, 0 when nothing is
    /// free, towards 0 when a failure would be for lack of memory and towards 1000 for fragmentation.
    public static func fragmentationIndex(order: Int, info: ContigPageInfo) -> Int {
        guard order >= 0 && order <= PageAllocator.maxOrder, info.freeBlocksTotal > 0 else { return 0 }
        if info.freeBlocksSuitable > 0 { return -1000 }
        let requested = 1 << order
        return 1000 - (1000 + info.freePages * 1000 / requested) / info.freeBlocksTotal
    }

    /// `unusable_free_index()`: in thousandths, the share of free memory in blocks too small for `order`.
    public static func unusableFreeIndex(order: Int, info: ContigPageInfo) -> Int {
        guard info.freePages > 0 else { return 1000 }
        return (info.freePages - (info.freeBlocksSuitable << order)) * 1000 / info.freePages
    }

    /// `extfrag_for_order()`: in percent, the share of free memory unusable for `order`.
    public static func extfragForOrder(order: Int, info: ContigPageInfo) -> Int {
        guard info.freePages > 0 else { return 0 }
        return (info.freePages - (info.freeBlocksSuitable << order)) * 100 / info.freePages
    }

    /// The zone's `nr_free` per order.
    static func nrFree(_ zone: Zone) -> [Int] { (0...PageAllocator.maxOrder).map { zone.nrFree[$0] } }

    /// `fragmentation_index(zone, order)`.
    public static func fragmentationIndex(_ zone: Zone, order: Int) -> Int {
        fragmentationIndex(order: order, info: contigPageInfo(nrFree: nrFree(zone), suitableOrder: order))
    }

    /// `compact_gap()`: free pages compaction needs to work with, twice the request (the migration
    /// targets it isolates plus the block it frees).
    public static func compactGap(order: Int) -> Int { 2 << order }

    /// `__compaction_suitable()`: `available` free pages pass the low (costly orders) or min watermark
    /// raised by `compact_gap()`, as an order-0 check.
    func compactionSuitable(_ zone: Zone, order: Int, highestZoneIndex: Int, available: Int) -> Bool {
        let base = order > PageAllocator.costlyOrder ? zone.watermarkLow : zone.watermarkMin
        return zone.watermarkOK(order: 0, mark: base + Self.compactGap(order: order), highestZoneIndex: highestZoneIndex,
                                allocFlags: [], freePages: available)
    }

    /// `compaction_suitable()`: the watermark test, then for costly orders the fragmentation index
    /// against `vm.extfrag_threshold` (an index at or below it means the request would fail for lack of
    /// memory, which compaction cannot fix).
    func compactionSuitable(_ zone: Zone, order: Int, highestZoneIndex: Int) -> Bool {
        guard compactionSuitable(zone, order: order, highestZoneIndex: highestZoneIndex, available: zone.freePages) else {
            return false
        }
        if order > PageAllocator.costlyOrder {
            let index = Self.fragmentationIndex(zone, order: order)
            if index >= 0 && index <= config.extfragThreshold { return false }
        }
        return true
    }

    /// `compaction_suit_allocation_order()`: SUCCESS when the allocation would succeed now, SKIPPED when
    /// compaction is not suitable, else CONTINUE.
    func suitAllocationOrder(_ zone: Zone, order: Int, highestZoneIndex: Int, allocFlags: AllocFlags) -> CompactResult {
        let mark = zone.watermark(allocFlags.watermarkIndex)
        if zone.watermarkOK(order: order, mark: mark, highestZoneIndex: highestZoneIndex, allocFlags: allocFlags) {
            return .success
        }
        return compactionSuitable(zone, order: order, highestZoneIndex: highestZoneIndex) ? .continue : .skipped
    }

    /// `compaction_zonelist_suitable()`: whether reclaim could make some zone suitable, counting its
    /// reclaimable pages divided by the order as available.
    func zonelistSuitable(_ zones: [Zone], order: Int, highestZoneIndex: Int, reclaimable: (Zone) -> Int) -> Bool {
        zones.contains { zone in
            let available = reclaimable(zone) / max(order, 1) + zone.freePages
            return compactionSuitable(zone, order: order, highestZoneIndex: highestZoneIndex, available: available)
        }
    }

    /// `COMPACTION_HPAGE_ORDER`: the order the fragmentation score is computed for.
    static let hpageOrder = PageAllocator.pageblockOrder

    /// `fragmentation_score_zone()`.
    static func fragmentationScore(_ zone: Zone) -> Int {
        extfragForOrder(order: hpageOrder, info: contigPageInfo(nrFree: nrFree(zone), suitableOrder: hpageOrder))
    }

    /// `fragmentation_score_node()`: each populated zone's score weighted by its share of the node's
    /// present pages.
    func fragmentationScore(node: Int) -> Int {
        let zones = ZoneType.allCases.map { allocator.zone(node: node, type: $0) }.filter(\.isPopulated)
        let present = zones.reduce(0) { $0 + $1.presentPages }
        return zones.reduce(0) { $0 + $1.presentPages * Self.fragmentationScore($1) / (present + 1) }
    }

    /// `fragmentation_score_wmark()`: the low mark is 100 - proactiveness (at least 5), the high one 10 more
    /// (at most 100).
    func fragmentationScoreWmark(low: Bool) -> Int {
        let markLow = max(100 - config.proactiveness, 5)
        return low ? markLow : min(markLow + 10, 100)
    }
}
