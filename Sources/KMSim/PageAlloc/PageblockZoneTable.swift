/// `page_zone()` in one load: the zone id of every pageblock that lies wholly inside one zone.
///
/// The kernel keeps a page's zone in the ZONES_PGSHIFT bits of `page->flags`, written for every page
/// by `memmap_init()`. kmsim's frames are committed lazily (a 1 TiB machine's memory map is 8 GiB that
/// boot must not touch), so the same answer is kept per pageblock instead: 2 bytes per 2 MiB. A block
/// that straddles a zone or node boundary (zones sized by `zoneSizes` need not be pageblock aligned)
/// holds `straddling`, and its PFNs are looked up by walking the node's zones. Immutable after `init`.
struct PageblockZoneTable {
    /// The entry of a block no single zone spans.
    static let straddling: Int16 = -1

    private let ids: UnsafeMutablePointer<Int16>
    private let blocks: UInt

    /// A table for `totalPages` PFNs from 0, with each zone's span `(id, startPFN, pages)` entered.
    init(totalPages: Int, zones: [(id: Int, startPFN: PFN, pages: Int)]) {
        let blocks = (totalPages + PageAllocator.pageblockPages - 1) >> PageAllocator.pageblockOrder
        ids = .allocate(capacity: max(blocks, 1))
        ids.initialize(repeating: Self.straddling, count: max(blocks, 1))
        self.blocks = UInt(blocks)
        for zone in zones where zone.pages > 0 {
            let firstWhole = (zone.startPFN + PageAllocator.pageblockPages - 1) >> PageAllocator.pageblockOrder
            let endWhole = (zone.startPFN + zone.pages) >> PageAllocator.pageblockOrder
            for block in firstWhole..<max(firstWhole, endWhole) { ids[block] = Int16(zone.id) }
        }
    }

    /// The id of the zone spanning all of `pfn`'s pageblock, or `straddling` (also for a PFN outside the
    /// table, including a negative one).
    @inline(__always)
    func zoneID(of pfn: PFN) -> Int {
        let block = UInt(bitPattern: pfn) &>> UInt(PageAllocator.pageblockOrder)
        guard block < blocks else { return Int(Self.straddling) }
        return Int(ids[Int(bitPattern: block)])
    }

    func deallocate() { ids.deallocate() }
}
