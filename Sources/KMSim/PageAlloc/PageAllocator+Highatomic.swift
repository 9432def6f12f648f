/// Giving the highatomic reserve back (mm/page_alloc.c, 6.12): `unreserve_highatomic_pageblock()`,
/// called by an allocation that is about to fail under pressure. Failed high-order atomic allocations
/// are easier to recover from than an OOM kill. (Reserving is `Zone.reserveHighatomicPageblock`.)
extension PageAllocator {
    /// `unreserve_highatomic_pageblock()`: over the request's zonelist, the first zone with a free
    /// MIGRATE_HIGHATOMIC block gives it back as the request's migratetype: the whole pageblock for
    /// smaller blocks (`move_freepages_block()`), every pageblock of a larger one. Unless `force`, a
    /// zone keeps its last reserved pageblock. True when a block was converted.
    @discardableResult
    func unreserveHighatomicPageblock(_ ac: AllocationContext, force: Bool, cpu: Int) -> Bool {
        for id in ac.zonelist {
            let zone = zones[Int(id)]
            guard zone.type.rawValue <= ac.highestZoneIndex else { continue }
            if zone.unreserveHighatomicPageblock(to: ac.migratetype, force: force, cpu: cpu) { return true }
        }
        return false
    }
}

extension Zone {
    /// One zone of `unreserve_highatomic_pageblock()`, under `&zone->lock`: the lowest order with a free
    /// highatomic block; `nr_reserved_highatomic` drops by max(pageblock, block) (at most what is
    /// reserved) when the block's pageblock is still highatomic, then the block moves to `migratetype`,
    /// its pageblock(s) retyped.
    func unreserveHighatomicPageblock(to migratetype: Int, force: Bool, cpu: Int) -> Bool {
        if !force && reservedHighatomic <= PageAllocator.pageblockPages { return false }
        let highAtomic = MigrateType.highAtomic.rawValue
        return lock.withLock(cpu: cpu) {
            for order in 0...PageAllocator.maxOrder {
                let head = freeList(order: order, migratetype: highAtomic).pointee.head
                guard head != PageFrame.none else { continue }
                let pfn = Int(head)
                if pageblockMigratetype(pfn) == highAtomic {
                    let size = Swift.min(Swift.max(PageAllocator.pageblockPages, 1 << order), reservedHighatomic)
                    state.addLocked(State.reservedHighatomic.rawValue, -size)
                }
                if order < PageAllocator.pageblockOrder {
                    // Reserving the block succeeded, so it does not straddle the zone's edge.
                    guard let (start, _) = prepareMoveFreePagesBlock(pfn) else { continue }
                    if moveFreePagesBlock(start, to: migratetype) > 0 { return true }
                } else {
                    moveToFreeList(pfn, order: order, to: migratetype)
                    changePageblockRange(pfn, order: order, to: migratetype)
                    return true
                }
            }
            return false
        }
    }
}
