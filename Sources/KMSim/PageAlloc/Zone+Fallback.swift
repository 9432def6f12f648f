/// Stealing from other migratetypes and the highatomic reserve (mm/page_alloc.c, 6.12):
/// `__rmqueue()`, `__rmqueue_fallback()`, `find_suitable_fallback()`, `steal_suitable_fallback()`,
/// `move_freepages_block()`, `reserve_highatomic_pageblock()`. All under `&zone->lock`.
extension Zone {
    /// `__rmqueue()`: the request's own lists first, then a fallback type (kmsim has no CMA).
    @inline(__always)
    func rmqueue(order: Int, migratetype: Int, allocFlags: AllocFlags) -> PFN? {
        if let pfn = rmqueueSmallest(order: order, migratetype: migratetype) { return pfn }
        return rmqueueFallback(order: order, startType: migratetype, allocFlags: allocFlags)
    }

    /// `can_steal_fallback()`: whole pageblocks may be claimed for orders of at least half a block and
    /// for every unmovable or reclaimable request.
    static func canStealFallback(order: Int, startType: Int) -> Bool {
        order >= PageAllocator.pageblockOrder / 2
            || startType == MigrateType.reclaimable.rawValue
            || startType == MigrateType.unmovable.rawValue
    }

    /// `find_suitable_fallback()`: the first type in `fallbacks[startType]` with a free block of `order`.
    func findSuitableFallback(order: Int, startType: Int) -> (type: Int, canSteal: Bool)? {
        guard nrFree[order] > 0, let start = MigrateType(rawValue: startType) else { return nil }
        for fallback in start.fallbacks where !freeList(order: order, migratetype: fallback.rawValue).pointee.isEmpty {
            return (fallback.rawValue, Self.canStealFallback(order: order, startType: startType))
        }
        return nil
    }

    /// `__rmqueue_fallback()`: take the largest block of a fallback type (approximating the pageblock with
    /// most free pages); under ALLOC_NOFRAGMENT only whole pageblocks; a movable request that may not
    /// claim the block takes the smallest block instead.
    func rmqueueFallback(order: Int, startType: Int, allocFlags: AllocFlags) -> PFN? {
        let minOrder = order < PageAllocator.pageblockOrder && allocFlags.contains(.noFragment)
            ? PageAllocator.pageblockOrder : order
        var current = PageAllocator.maxOrder
        while current >= minOrder {
            if let (type, canSteal) = findSuitableFallback(order: current, startType: startType) {
                if !canSteal && startType == MigrateType.movable.rawValue && current > order {
                    for smallest in order...PageAllocator.maxOrder {
                        if let (smallType, smallSteal) = findSuitableFallback(order: smallest, startType: startType) {
                            return stealSuitableFallback(order: order, currentOrder: smallest, fromType: smallType,
                                                         startType: startType, wholeBlock: smallSteal)
                        }
                    }
                    return nil
                }
                return stealSuitableFallback(order: order, currentOrder: current, fromType: type,
                                             startType: startType, wholeBlock: canSteal)
            }
            current -= 1
        }
        return nil
    }

    /// `steal_suitable_fallback()`: claims whole pageblocks for blocks of pageblock order or more; else
    /// claims the block when at least half of it is free or compatible; else takes just the block.
    ///
    /// kmsim counts the block's free pages exactly; it treats no allocated page as movable (the kernel
    /// counts PageLRU/__PageMovable pages, which need the LRU of the reclaim issue).
    func stealSuitableFallback(order: Int, currentOrder: Int, fromType: Int, startType: Int, wholeBlock: Bool) -> PFN? {
        let head = freeList(order: currentOrder, migratetype: fromType).pointee.head
        guard head != PageFrame.none else { return nil }
        let pfn = Int(head)
        let blockType = memory.pageblockMigratetype(pfn).rawValue
        if blockType != MigrateType.highAtomic.rawValue {
            if currentOrder >= PageAllocator.pageblockOrder {
                deleteFromFreeList(pfn, order: currentOrder)
                accountFreePages(-(1 << currentOrder), fromType)
                changePageblockRange(pfn, order: currentOrder, to: startType)
                let added = expand(pfn, low: order, high: currentOrder, migratetype: startType)
                accountFreePages(added, startType)
                return pfn
            }
            if wholeBlock, let (blockStart, freeCount) = prepareMoveFreePagesBlock(pfn) {
                let movable = 0
                let alike: Int
                if startType == MigrateType.movable.rawValue {
                    alike = movable
                } else {
                    alike = blockType == MigrateType.movable.rawValue
                        ? PageAllocator.pageblockPages - (freeCount + movable) : 0
                }
                if freeCount + alike >= 1 << (PageAllocator.pageblockOrder - 1) {
                    moveFreePagesBlock(blockStart, to: startType)
                    return rmqueueSmallest(order: order, migratetype: startType)
                }
            }
        }
        deleteAndExpand(pfn, low: order, high: currentOrder, migratetype: blockType)
        return pfn
    }

    /// `prep_move_freepages_block()`: the block's first PFN and its free pages, nil when the block
    /// straddles the zone's edge.
    func prepareMoveFreePagesBlock(_ pfn: PFN) -> (start: PFN, free: Int)? {
        let start = pfn & ~(PageAllocator.pageblockPages - 1)
        let end = start + PageAllocator.pageblockPages
        guard spans(start), spans(end - 1) else { return nil }
        var free = 0
        var cursor = start
        while cursor < end {
            if let order = buddyOrder(cursor) {
                let pages = 1 << order
                free += pages
                cursor += pages
            } else {
                cursor += 1
            }
        }
        return (start, free)
    }

    /// `__move_freepages_block()`: moves every free block of the pageblock to `newType`'s lists and
    /// retypes the block; returns the pages moved.
    @discardableResult
    func moveFreePagesBlock(_ start: PFN, to newType: Int) -> Int {
        let end = start + PageAllocator.pageblockPages
        var moved = 0
        var cursor = start
        while cursor < end {
            guard let order = buddyOrder(cursor) else { cursor += 1; continue }
            moveToFreeList(cursor, order: order, to: newType)
            cursor += 1 << order
            moved += 1 << order
        }
        memory.setPageblockMigratetype(start, MigrateType(rawValue: newType) ?? .movable)
        return moved
    }

    /// `change_pageblock_range()`: retypes every pageblock of a block of `order` ≥ pageblock order.
    func changePageblockRange(_ pfn: PFN, order: Int, to type: Int) {
        let blocks = max(1, 1 << (order - PageAllocator.pageblockOrder))
        let migratetype = MigrateType(rawValue: type) ?? .movable
        for block in 0..<blocks {
            memory.setPageblockMigratetype(pfn + block * PageAllocator.pageblockPages, migratetype)
        }
    }

    /// `reserve_highatomic_pageblock()`: after a high-order atomic allocation, turn its pageblock into a
    /// MIGRATE_HIGHATOMIC reserve, up to about 1 % of the zone (at least a pageblock, none if 1 % is less).
    func reserveHighatomicPageblock(_ pfn: PFN, order: Int, cpu: Int) {
        let onePercent = managedPages / 100
        guard onePercent >= PageAllocator.pageblockPages else { return }
        let maxManaged = (onePercent + PageAllocator.pageblockPages - 1) & ~(PageAllocator.pageblockPages - 1)
        guard reservedHighatomic < maxManaged else { return }
        lock.withLock(cpu: cpu) {
            guard reservedHighatomic < maxManaged else { return }
            let type = memory.pageblockMigratetype(pfn).rawValue
            guard Self.isMergeable(type) else { return }
            if order < PageAllocator.pageblockOrder {
                guard let (start, _) = prepareMoveFreePagesBlock(pfn) else { return }
                moveFreePagesBlock(start, to: MigrateType.highAtomic.rawValue)
                state.addLocked(State.reservedHighatomic.rawValue, PageAllocator.pageblockPages)
            } else {
                changePageblockRange(pfn, order: order, to: MigrateType.highAtomic.rawValue)
                state.addLocked(State.reservedHighatomic.rawValue, 1 << order)
            }
        }
    }
}
