/// A page the migrate scanner isolated. An LRU page: its region retained so it cannot go away while the
/// page is isolated, and its slot in the region (`folio->mapping`, `folio->index`). A workload's
/// movable page (`MovablePages`, the kernel's `movable_operations` pages): no region, and `index` is
/// its handle.
struct IsolatedPage {
    var pfn: PFN
    var region: Unmanaged<MemoryRegion>?
    var index: Int
}

/// `struct compact_control` (mm/internal.h): one compaction run over one zone. The isolated free pages
/// (`freepages[order]`, the migration targets) and LRU pages (`migratepages`, the sources) are the
/// run's own until it ends; the scanners' positions start from the zone's cached ones.
struct CompactControl {
    let zone: Zone
    /// The requested order; -1 for a whole-zone run (`is_via_compact_memory()`: /proc/sys/vm/compact_memory
    /// and proactive compaction).
    let order: Int
    let gfp: GFPFlags
    /// `gfp_migratetype(gfp_mask)`.
    let migratetype: Int
    let mode: MigrateMode
    let allocFlags: AllocFlags
    let highestZoneIndex: Int
    /// The context the run charges and counts in (a compacting task, or kcompactd).
    let context: ExecutionContext
    var directCompaction = false
    var proactiveCompaction = false
    var wholeZone = false
    var ignoreSkipHint = false
    var ignoreBlockSuitable = false
    /// `finish_pageblock`: scan the rest of the current pageblock even past COMPACT_CLUSTER_MAX.
    var finishPageblock = false
    /// A lock was contended in async mode.
    var contended = false
    /// `capture_control`: a direct compactor takes the first block of its order its frees complete.
    var captureRequested = false
    var captured: PFN?
    /// The free scanner's position (`free_pfn`), moving down a pageblock at a time.
    var freePFN: PFN = 0
    /// `search_order` and `fast_search_fail` of `fast_isolate_freepages()`.
    var searchOrder: Int
    var fastSearchFail = 0
    /// The migrate scanner's position (`migrate_pfn`), moving up.
    var migratePFN: PFN = 0
    /// `freepages[NR_PAGE_ORDERS]`: isolated free blocks by order.
    var freepages: [[PFN]] = Array(repeating: [], count: PageAllocator.maxOrder + 1)
    var nrFreepages = 0
    var migratepages: [IsolatedPage] = []
    var totalMigrateScanned = 0
    var totalFreeScanned = 0
    /// Pages migrated and pages that failed to, over the run.
    var migrated = 0
    var failed = 0

    init(zone: Zone, order: Int, gfp: GFPFlags, mode: MigrateMode, allocFlags: AllocFlags = [],
         highestZoneIndex: Int, context: ExecutionContext) {
        self.zone = zone
        self.order = order
        self.gfp = gfp
        var migratetype = gfp.migratetype.rawValue
        if migratetype >= MigrateType.pcpTypes { migratetype = MigrateType.movable.rawValue }
        self.migratetype = migratetype
        self.mode = mode
        self.allocFlags = allocFlags
        self.highestZoneIndex = highestZoneIndex
        self.context = context
        searchOrder = order
    }

    var nrMigratepages: Int { migratepages.count }

    /// `is_via_compact_memory()`.
    var isViaCompactMemory: Bool { order < 0 }

    /// `compact_scanners_met()`: the two scanners are in the same pageblock or have crossed.
    var scannersMet: Bool {
        freePFN >> PageAllocator.pageblockOrder <= migratePFN >> PageAllocator.pageblockOrder
    }
}

/// `COMPACT_CLUSTER_MAX` (= SWAP_CLUSTER_MAX): pages isolated for migration per batch.
let compactClusterMax = 32

/// `pageblock_start_pfn()`.
@inline(__always)
func pageblockStartPFN(_ pfn: PFN) -> PFN { pfn & ~(PageAllocator.pageblockPages - 1) }

/// `pageblock_end_pfn()`: the first PFN of the next pageblock.
@inline(__always)
func pageblockEndPFN(_ pfn: PFN) -> PFN { pageblockStartPFN(pfn) + PageAllocator.pageblockPages }

/// `block_end_pfn(pfn, order)`: the end of the `1 << order` aligned block holding `pfn`.
@inline(__always)
func blockEndPFN(_ pfn: PFN, order: Int) -> PFN {
    let size = 1 << max(order, 0)
    return (pfn & ~(size - 1)) + size
}
