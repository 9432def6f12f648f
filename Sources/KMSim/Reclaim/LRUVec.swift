/// A node's LRU lists (`struct lruvec` of `pglist_data`, include/linux/mmzone.h): inactive and active
/// lists of anonymous and file pages, linked through `PageFrame.next`/`prev` like the kernel's
/// `folio->lru`, with per-zone page counts (`NR_ZONE_INACTIVE_ANON` ...).
///
/// Synchronisation: the lists and the frames of pages on them (or isolated from them) are guarded by
/// `lruLock` (`&lruvec->lru_lock`). The counts are relaxed atomics written under that lock and read
/// without it, as the kernel reads `lruvec_page_state()`. Storage is immutable after `init` and freed in
/// `deinit`; hence `@unchecked Sendable`.
public final class LRUVec: @unchecked Sendable {
    public let node: Int
    /// `&lruvec->lru_lock`.
    public let lruLock: SpinLock
    let lists: UnsafeMutablePointer<PageList>
    /// `zoneType * 4 + lru`.
    let counts: AtomicCounterArray
    /// `frames[pfn]` is the frame of a global PFN of this node.
    let frames: UnsafeMutablePointer<PageFrame>
    let allocator: PageAllocator

    init(node: Int, allocator: PageAllocator, lockClass: LockClass) {
        self.node = node
        self.allocator = allocator
        self.lruLock = SpinLock(class: lockClass)
        let memory = allocator.nodes[node]
        frames = memory.framesByPFN
        lists = .allocate(capacity: LRUList.allCases.count)
        lists.initialize(repeating: PageList(), count: LRUList.allCases.count)
        counts = AtomicCounterArray(count: ZoneType.allCases.count * LRUList.allCases.count)
    }

    deinit { lists.deallocate() }

    /// `lruvec_page_state(lruvec, NR_LRU_BASE + lru)` summed over zones.
    public func size(_ lru: LRUList) -> Int {
        ZoneType.allCases.reduce(0) { $0 + counts[$1.rawValue * 4 + lru.rawValue] }
    }

    /// `zone_page_state(zone, NR_ZONE_LRU_BASE + lru)`.
    public func zoneSize(_ lru: LRUList, zone: ZoneType) -> Int { counts[zone.rawValue * 4 + lru.rawValue] }

    /// `lruvec_lru_size()` for zones up to `highestZoneIndex`.
    func size(_ lru: LRUList, upTo highestZoneIndex: Int) -> Int {
        (0...highestZoneIndex).reduce(0) { $0 + counts[$1 * 4 + lru.rawValue] }
    }

    /// The zone type of a page of this node.
    @inline(__always)
    func zoneType(_ pfn: PFN) -> ZoneType { allocator.zone(of: pfn)?.type ?? .normal }

    /// `lruvec_add_folio()` at the head: sets PG_lru (and PG_active for an active list). Under `lruLock`.
    func add(_ pfn: PFN, to lru: LRUList) {
        var flags = frames[pfn].flags | PageFlags.lru.rawValue
        if lru.isActive { flags |= PageFlags.active.rawValue } else { flags &= ~PageFlags.active.rawValue }
        frames[pfn].flags = flags
        (lists + lru.rawValue).addHead(pfn, frames)
        counts.addLocked(zoneType(pfn).rawValue * 4 + lru.rawValue, 1)
    }

    /// `lruvec_del_folio()`: unlinks and clears PG_lru (PG_active stays, as the kernel leaves it for
    /// the caller). Under `lruLock`.
    func remove(_ pfn: PFN) {
        let lru = list(of: pfn)
        (lists + lru.rawValue).remove(pfn, frames)
        frames[pfn].flags &= ~PageFlags.lru.rawValue
        counts.addLocked(zoneType(pfn).rawValue * 4 + lru.rawValue, -1)
    }

    /// The list a page on the LRU is on, from its flags (`folio_lru_list()`). Under `lruLock`.
    func list(of pfn: PFN) -> LRUList {
        let flags = frames[pfn].flags
        return LRUList.of(file: flags & PageFlags.swapBacked.rawValue == 0,
                          active: flags & PageFlags.active.rawValue != 0)
    }

    /// The oldest page of a list (`lru_to_folio(&lruvec->lists[lru])`: the tail), nil when empty.
    func tail(_ lru: LRUList) -> PFN? {
        let tail = lists[lru.rawValue].tail
        return tail == PageFrame.none ? nil : Int(tail)
    }

    /// Pages on every list, for invariants.
    public var totalPages: Int { LRUList.allCases.reduce(0) { $0 + size($1) } }
}
