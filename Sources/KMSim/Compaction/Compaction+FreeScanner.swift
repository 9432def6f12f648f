/// The free scanner (mm/compaction.c, 6.12): `isolate_freepages()`, `suitable_migration_target()`,
/// `isolate_freepages_block()`, `update_pageblock_skip()`, and `__isolate_free_page()` of
/// mm/page_alloc.c. Each pageblock is scanned under `&zone->lock`, which guards the buddy bitmap it
/// reads (the kernel takes the lock at the first free page it finds and drops it every 32 PFNs when
/// contended; kmsim holds it for the block).
extension Compaction {
    /// `isolate_freepages()`: from `freePFN` down to the pageblock after the migrate scanner, isolates
    /// free pages from suitable blocks until there are as many as pages to migrate. In async mode a
    /// block that yields nothing doubles the stride over the next (up to COMPACT_CLUSTER_MAX).
    func isolateFreepages(_ cc: inout CompactControl) {
        fastIsolateFreepages(&cc)
        if cc.nrFreepages > 0 { return }
        let zone = cc.zone
        let state = state(zone)
        var isolateStart = cc.freePFN
        var blockStart = pageblockStartPFN(isolateStart)
        var blockEnd = min(blockStart + PageAllocator.pageblockPages, state.endPFN)
        let lowPFN = pageblockEndPFN(cc.migratePFN)
        var stride = cc.mode == .async ? compactClusterMax : 1
        while blockStart >= lowPFN && blockStart >= zone.startPFN {
            if suitableMigrationTarget(cc, blockStart) && (cc.ignoreSkipHint || !state.pageblockSkip(blockStart)) {
                let isolated = isolateFreepagesBlock(&cc, start: &isolateStart, end: blockEnd, stride: stride)
                if isolateStart == blockEnd {
                    // update_pageblock_skip()
                    state.setPageblockSkip(blockStart)
                    let next = blockStart - PageAllocator.pageblockPages
                    if next < state.cachedFreePFN.load(ordering: .relaxed) { state.cachedFreePFN.store(next, ordering: .relaxed) }
                }
                if cc.nrFreepages >= cc.nrMigratepages {
                    if isolateStart >= blockEnd { isolateStart = blockStart - PageAllocator.pageblockPages }
                    break
                } else if isolateStart < blockEnd {
                    break
                }
                stride = isolated > 0 ? 1 : min(compactClusterMax, stride << 1)
            }
            blockEnd = blockStart
            blockStart -= PageAllocator.pageblockPages
            isolateStart = blockStart
        }
        cc.freePFN = isolateStart
    }

    /// `suitable_migration_target()`: not a block that is already one large free block (of the
    /// requested order, or a whole pageblock for whole-zone runs); a movable pageblock unless the run
    /// ignores block types. The first frame is read racily, as `buddy_order_unsafe()` does.
    func suitableMigrationTarget(_ cc: CompactControl, _ blockStart: PFN) -> Bool {
        if Self.peekFlags(cc.zone, blockStart) & PageFlags.buddy.rawValue != 0 {
            let order = cc.order > 0 ? cc.order : PageAllocator.pageblockOrder
            if Self.peekOrder(cc.zone, blockStart) >= order { return false }
        }
        if cc.ignoreBlockSuitable { return true }
        return cc.zone.pageblockMigratetype(blockStart) == MigrateType.movable.rawValue
    }

    /// `isolate_freepages_block()`: takes every free block found in `[start, end)` (every `stride`
    /// PFNs) off the free lists, until the run has targets for all its isolated pages. Returns the pages
    /// isolated; `start` ends where the scan stopped.
    @discardableResult
    func isolateFreepagesBlock(_ cc: inout CompactControl, start: inout PFN, end: PFN, stride: Int) -> Int {
        let zone = cc.zone
        var pfn = start
        var scanned = 0
        var total = 0
        lockCompact(zone.lock, &cc)
        while pfn < end {
            scanned += 1
            guard zone.isBuddyHead(pfn) else {
                pfn += stride
                continue
            }
            let order = Int(zone.frames[pfn].order)
            guard isolateFreePage(zone, pfn, order: order) else { break }
            let pages = 1 << order
            scanned += pages - 1
            total += pages
            cc.freepages[order].append(pfn)
            cc.nrFreepages += pages
            if cc.nrMigratepages <= cc.nrFreepages {
                pfn += pages
                break
            }
            pfn += pages - 1 + stride
        }
        zone.lock.unlock(cpu: cc.context.cpu)
        zone.charge(.buddyAllocFree, times: max(1, scanned / 64))
        start = min(pfn, end)
        cc.totalFreeScanned += scanned
        if total > 0 { vmstat.count(.compactIsolated, total, context: cc.context) }
        return total
    }

    /// `__isolate_free_page()`: takes a free block off its list if the zone stays above its (unboosted)
    /// min watermark plus the block, as if it were allocated; a block of at least half a pageblock turns
    /// its pageblocks movable. Under `&zone->lock`. The block's head is marked allocated at its order, so
    /// the page-conservation check counts it while the run holds it.
    func isolateFreePage(_ zone: Zone, _ pfn: PFN, order: Int) -> Bool {
        let mark = zone.state[Zone.State.watermarkMin.rawValue] + (1 << order)
        guard zone.watermarkOK(order: 0, mark: mark, highestZoneIndex: 0, allocFlags: []) else { return false }
        let migratetype = Int(zone.frames[pfn].migratetype)
        zone.deleteFromFreeList(pfn, order: order)
        zone.accountFreePages(-(1 << order), migratetype)
        zone.frames[pfn].flags = PageFlags.allocated.rawValue
        zone.frames[pfn].order = UInt8(truncatingIfNeeded: order)
        if order >= PageAllocator.pageblockOrder - 1 {
            var block = pfn
            while block < pfn + (1 << order) {
                let type = zone.pageblockMigratetype(block)
                if Zone.isMergeable(type) && type != MigrateType.movable.rawValue,
                   let (start, _) = zone.prepareMoveFreePagesBlock(block) {
                    zone.moveFreePagesBlock(start, to: MigrateType.movable.rawValue)
                }
                block += PageAllocator.pageblockPages
            }
        }
        return true
    }

    /// `compaction_alloc()`: a migration target, the first free page of the smallest order isolated,
    /// the rest of a larger block split back into the run's lists; isolates more (once) when none is
    /// left. Nil when the free scanner finds nothing (`-ENOMEM`).
    func compactionAlloc(_ cc: inout CompactControl) -> PFN? {
        var isolatedMore = false
        while true {
            if let order = cc.freepages.firstIndex(where: { !$0.isEmpty }), let pfn = cc.freepages[order].popLast() {
                if order > 0 {
                    // Split under the zone lock, so a page-conservation check never sees half a split.
                    cc.zone.lock.lock(cpu: cc.context.cpu)
                    var current = order
                    while current > 0 {
                        current -= 1
                        let half = pfn + (1 << current)
                        cc.zone.frames[half].flags = PageFlags.allocated.rawValue
                        cc.zone.frames[half].order = UInt8(truncatingIfNeeded: current)
                        cc.freepages[current].append(half)
                    }
                    cc.zone.frames[pfn].order = 0
                    cc.zone.lock.unlock(cpu: cc.context.cpu)
                }
                cc.nrFreepages -= 1
                return pfn
            }
            if isolatedMore { return nil }
            isolateFreepages(&cc)
            isolatedMore = true
        }
    }

    /// `release_free_list()`: the isolated free pages the run did not use go back to the buddy lists;
    /// returns the highest PFN released (0 if none).
    func releaseFreeList(_ cc: inout CompactControl) -> PFN {
        var highest = 0
        let zone = cc.zone
        var pages = 0
        zone.lock.lock(cpu: cc.context.cpu)
        for order in 0...PageAllocator.maxOrder {
            for pfn in cc.freepages[order] {
                zone.freeOnePage(pfn, order: order, migratetype: zone.pageblockMigratetype(pfn))
                highest = max(highest, pfn)
                pages += 1 << order
            }
            cc.freepages[order].removeAll()
        }
        zone.lock.unlock(cpu: cc.context.cpu)
        cc.nrFreepages = 0
        if pages > 0 { vmstat.count(.pgfree, pages, context: cc.context) }
        return highest
    }
}
