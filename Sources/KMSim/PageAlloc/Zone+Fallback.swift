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
                                                         startType: startType, allocFlags: allocFlags, wholeBlock: smallSteal)
                        }
                    }
                    return nil
                }
                return stealSuitableFallback(order: order, currentOrder: current, fromType: type,
                                             startType: startType, allocFlags: allocFlags, wholeBlock: canSteal)
            }
            current -= 1
        }
        return nil
    }

    /// `steal_suitable_fallback()`: claims whole pageblocks for blocks of pageblock order or more. Below
    /// that, a fragmenting fallback boosts the zone's watermarks (`boost_watermark()`) and, for an
    /// ALLOC_KSWAPD request, sets ZONE_BOOSTED_WATERMARK so the allocation wakes kswapd; then, when it may
    /// steal the whole block, claims it if its free pages plus the pages "alike" the request reach half
    /// a pageblock: for a movable request the block's movable pages (on an LRU), for the others in a
    /// Movable block every page neither free nor movable, else none. Otherwise it takes just the block.
    func stealSuitableFallback(order: Int, currentOrder: Int, fromType: Int, startType: Int, allocFlags: AllocFlags,
                               wholeBlock: Bool) -> PFN? {
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
            if boostWatermark() && allocFlags.contains(.kswapd) { setFlag(Self.boostedWatermarkFlag, true) }
            if wholeBlock, let block = prepareMoveFreePagesBlockCounting(pfn) {
                let alike: Int
                if startType == MigrateType.movable.rawValue {
                    alike = block.movable
                } else {
                    alike = blockType == MigrateType.movable.rawValue
                        ? PageAllocator.pageblockPages - (block.free + block.movable) : 0
                }
                if block.free + alike >= 1 << (PageAllocator.pageblockOrder - 1) {
                    moveFreePagesBlock(block.start, to: startType)
                    return rmqueueSmallest(order: order, migratetype: startType)
                }
            }
        }
        deleteAndExpand(pfn, low: order, high: currentOrder, migratetype: blockType)
        return pfn
    }

    /// `boost_watermark()`: raises `watermark_boost` by a pageblock, up to `watermark_boost_factor` /
    /// 10000 of the high watermark (`mult_frac()`) and at least a pageblock. Nothing when the factor is 0,
    /// the zone is under four pageblocks, or its high watermark is still 0. Under `&zone->lock`.
    @discardableResult
    func boostWatermark() -> Bool {
        guard watermarkBoostFactor != 0, PageAllocator.pageblockPages * 4 <= managedPages else { return false }
        let high = state[State.watermarkHigh.rawValue]
        let scale = 10000
        var maxBoost = (high / scale) * watermarkBoostFactor + (high % scale) * watermarkBoostFactor / scale
        guard maxBoost != 0 else { return false }
        maxBoost = Swift.max(PageAllocator.pageblockPages, maxBoost)
        let boost = state[State.watermarkBoost.rawValue]
        state[State.watermarkBoost.rawValue] = Swift.min(boost + PageAllocator.pageblockPages, maxBoost)
        return true
    }

    /// kswapd's share of `balance_pgdat()`'s end: takes back the `boost` it found when it started
    /// (allocations may have raised it since), under `&zone->lock`.
    func reduceWatermarkBoost(by boost: Int, cpu: Int) {
        lock.withLock(cpu: cpu) {
            let current = state[State.watermarkBoost.rawValue]
            state.addLocked(State.watermarkBoost.rawValue, -Swift.min(current, boost))
        }
    }

    /// `prep_move_freepages_block()`: the block's first PFN and its free pages, nil when the block
    /// straddles the zone's edge.
    func prepareMoveFreePagesBlock(_ pfn: PFN) -> (start: PFN, free: Int)? {
        prepareMoveFreePagesBlockCounting(pfn).map { ($0.start, $0.free) }
    }

    /// `prep_move_freepages_block()` with its counts: the block's first PFN, its free pages (buddy
    /// blocks) and its movable pages, nil when the block straddles the zone's edge. Like the kernel it
    /// assumes every page that could be isolated for migration is movable without trying: a page on an
    /// LRU list (`PageLRU()`, which a compound tail answers from its head); kmsim has no `__PageMovable`
    /// pages (movable_ops). Frames of pages in use are read racily, as the kernel reads them.
    func prepareMoveFreePagesBlockCounting(_ pfn: PFN) -> (start: PFN, free: Int, movable: Int)? {
        let start = pfn & ~(PageAllocator.pageblockPages - 1)
        let end = start + PageAllocator.pageblockPages
        guard spans(start), spans(end - 1) else { return nil }
        var free = 0
        var movable = 0
        var cursor = start
        while cursor < end {
            if let order = buddyOrder(cursor) {
                let pages = 1 << order
                free += pages
                cursor += pages
                continue
            }
            if isOnLRU(cursor) { movable += 1 }
            cursor += 1
        }
        return (start, free, movable)
    }

    /// Byte offset of `PageFrame.owner` (a tail's head PFN), for raw loads; a test checks it.
    static let frameOwnerOffset = 12

    /// `PageLRU()` read racily (`data_race()`): raw loads of the frame's flags and, for a compound
    /// tail, its head's (the flag's PF_HEAD policy).
    @inline(__always)
    func isOnLRU(_ pfn: PFN) -> Bool {
        let raw = UnsafeRawPointer(frames + pfn)
        var flags = raw.load(as: UInt16.self)
        if flags & PageFlags.tail.rawValue != 0 {
            let head = Int(raw.load(fromByteOffset: Self.frameOwnerOffset, as: UInt32.self))
            guard spans(head) else { return false }
            flags = UnsafeRawPointer(frames + head).load(as: UInt16.self)
        }
        return flags & PageFlags.lru.rawValue != 0
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
