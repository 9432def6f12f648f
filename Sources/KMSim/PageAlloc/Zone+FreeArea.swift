/// The buddy free areas (mm/page_alloc.c): adding, removing and moving free blocks, `expand()`,
/// `__rmqueue_smallest()` and `__free_one_page()`. Every function here runs under `&zone->lock`.
extension Zone {
    @inline(__always)
    func freeList(order: Int, migratetype: Int) -> UnsafeMutablePointer<PageList> {
        freeLists + (order &* Self.freeListTypes &+ migratetype)
    }

    /// `account_freepages()`: NR_FREE_PAGES and `nr_free_highatomic`.
    @inline(__always)
    func accountFreePages(_ pages: Int, _ migratetype: Int) {
        state.addLocked(State.freePages.rawValue, pages)
        if migratetype == MigrateType.highAtomic.rawValue {
            state.addLocked(State.freeHighatomic.rawValue, pages)
        }
    }

    /// `__add_to_free_list()` + `set_buddy_order()`: the page becomes the head of a free block.
    @inline(__always)
    func addToFreeList(_ pfn: PFN, order: Int, migratetype: Int, toTail: Bool) {
        let frame = frames + pfn
        frame.pointee.flags = PageFlags.buddy.rawValue
        frame.pointee.order = UInt8(truncatingIfNeeded: order)
        frame.pointee.migratetype = UInt8(truncatingIfNeeded: migratetype)
        frame.pointee.owner = 0
        setBuddyHead(pfn, true)
        let list = freeList(order: order, migratetype: migratetype)
        if toTail { list.addTail(pfn, frames) } else { list.addHead(pfn, frames) }
        freeListCounts.addLocked(order &* Self.freeListTypes &+ migratetype, 1)
        nrFree.addLocked(order, 1)
    }

    /// `__del_page_from_free_list()`: unlinks a free block (from the list its frame says it is on).
    @inline(__always)
    func deleteFromFreeList(_ pfn: PFN, order: Int) {
        let frame = frames + pfn
        let migratetype = Int(frame.pointee.migratetype)
        freeList(order: order, migratetype: migratetype).remove(pfn, frames)
        setBuddyHead(pfn, false)
        frame.pointee.flags = 0
        freeListCounts.addLocked(order &* Self.freeListTypes &+ migratetype, -1)
        nrFree.addLocked(order, -1)
    }

    /// `move_to_free_list()`: moves a free block to the tail of another migratetype's list.
    func moveToFreeList(_ pfn: PFN, order: Int, to newType: Int) {
        let oldType = Int(frames[pfn].migratetype)
        guard oldType != newType else { return }
        deleteFromFreeList(pfn, order: order)
        addToFreeList(pfn, order: order, migratetype: newType, toTail: true)
        accountFreePages(-(1 << order), oldType)
        accountFreePages(1 << order, newType)
    }

    /// `expand()`: splits a block of `high` order down to `low`, putting the upper halves back on the
    /// free lists; returns the pages it put back.
    @inline(__always)
    func expand(_ pfn: PFN, low: Int, high: Int, migratetype: Int) -> Int {
        var high = high
        var size = 1 << high
        var added = 0
        charge(.buddySplitMergePerOrder, times: high - low)
        while high > low {
            high -= 1
            size >>= 1
            addToFreeList(pfn &+ size, order: high, migratetype: migratetype, toTail: false)
            added &+= size
        }
        return added
    }

    /// `page_del_and_expand()`.
    @inline(__always)
    func deleteAndExpand(_ pfn: PFN, low: Int, high: Int, migratetype: Int) {
        deleteFromFreeList(pfn, order: high)
        let kept = (1 << high) - expand(pfn, low: low, high: high, migratetype: migratetype)
        accountFreePages(-kept, migratetype)
    }

    /// `__rmqueue_smallest()`: the smallest free block of `migratetype` of at least `order`, split down.
    @inline(__always)
    func rmqueueSmallest(order: Int, migratetype: Int) -> PFN? {
        var current = order
        while current <= PageAllocator.maxOrder {
            let head = freeList(order: current, migratetype: migratetype).pointee.head
            if head != PageFrame.none {
                let pfn = Int(head)
                deleteAndExpand(pfn, low: order, high: current, migratetype: migratetype)
                return pfn
            }
            current &+= 1
        }
        return nil
    }

    /// `find_buddy_page_pfn()`: the buddy of `pfn` at `order` if it heads a free block of that order in
    /// this zone (`page_is_buddy()`), else nil.
    @inline(__always)
    func freeBuddy(of pfn: PFN, order: Int) -> PFN? {
        let buddy = pfn ^ (1 << order)
        guard spans(buddy) else { return nil }
        return isBuddyHead(buddy) && Int(frames[buddy].order) == order ? buddy : nil
    }

    /// `__free_one_page()`: returns a block to the buddy lists, merging with its buddy (pfn ^ (1 << order))
    /// while the buddy is free, up to MAX_PAGE_ORDER. Blocks of pageblock order or more merge across
    /// pageblocks only when both types are mergeable (`migratetype_is_mergeable`: never a HighAtomic
    /// block with a normal one).
    func freeOnePage(_ pfn: PFN, order: Int, migratetype: Int, toTail forceTail: Bool = false) {
        var pfn = pfn
        var order = order
        var buddyPFN = 0
        accountFreePages(1 << order, migratetype)
        while order < PageAllocator.maxOrder {
            buddyPFN = pfn ^ (1 << order)
            guard let buddy = freeBuddy(of: pfn, order: order) else { break }
            if order >= PageAllocator.pageblockOrder {
                let buddyType = memory.pageblockMigratetype(buddy).rawValue
                if migratetype != buddyType && (!Self.isMergeable(migratetype) || !Self.isMergeable(buddyType)) {
                    break
                }
                if buddyType != migratetype {
                    // Match the buddy's block to ours so a later expand() files the halves correctly.
                    memory.setPageblockMigratetype(buddy, MigrateType(rawValue: migratetype) ?? .movable)
                }
            }
            deleteFromFreeList(buddy, order: order)
            charge(.buddySplitMergePerOrder)
            pfn &= buddy
            order += 1
        }
        let toTail = forceTail || buddyMergeLikely(pfn, buddyPFN: buddyPFN, order: order)
        addToFreeList(pfn, order: order, migratetype: migratetype, toTail: toTail)
    }

    /// `buddy_merge_likely()`: put the block at the tail if its parent's buddy is free, so the pair is
    /// less likely to be split again before it can merge.
    @inline(__always)
    func buddyMergeLikely(_ pfn: PFN, buddyPFN: PFN, order: Int) -> Bool {
        guard order < PageAllocator.maxOrder - 1 else { return false }
        return freeBuddy(of: buddyPFN & pfn, order: order + 1) != nil
    }

    /// `migratetype_is_mergeable()`: types below MIGRATE_PCPTYPES.
    @inline(__always)
    static func isMergeable(_ migratetype: Int) -> Bool { migratetype < MigrateType.pcpTypes }

    /// Frees the zone's whole span into the buddy lists at boot (`memblock_free_pages` →
    /// `__free_pages_core`): the largest aligned blocks that fit, all pageblocks MIGRATE_MOVABLE.
    func freeSpanAtBoot(managed: Int) {
        lock.withLock(cpu: 0) {
            var pfn = startPFN
            let end = startPFN + managed
            while pfn < end {
                var order = PageAllocator.maxOrder
                while order > 0 && (pfn & ((1 << order) - 1) != 0 || pfn + (1 << order) > end) { order -= 1 }
                freeOnePage(pfn, order: order, migratetype: MigrateType.movable.rawValue, toTail: true)
                pfn += 1 << order
            }
        }
    }
}
