/// The migrate scanner (mm/compaction.c, 6.12): `isolate_migratepages()`, `suitable_migration_source()`,
/// `isolate_migratepages_block()`, `update_cached_migrate()`, and `putback_movable_pages()`.
///
/// The scanner reads the flags and order of frames it does not own without a lock, as the kernel tests
/// `PageBuddy()`/`PageLRU()`/`compound_order()` racily (`data_race()`); kmsim does those reads as raw
/// loads (`peekFlags`), and only a page whose PG_lru it sees again under the node's `lru_lock` is taken.
extension Compaction {
    /// `isolate_migrate_t` without ISOLATE_ABORT (kmsim's tasks get no fatal signals).
    enum IsolateResult { case none, success }

    /// A frame's flags read racily (the kernel's `data_race()` reads of page flags).
    @inline(__always)
    static func peekFlags(_ zone: Zone, _ pfn: PFN) -> UInt16 {
        UnsafeRawPointer(zone.frames + pfn).load(as: UInt16.self)
    }

    /// A frame's order byte read racily (`buddy_order_unsafe()`, `compound_order()`).
    @inline(__always)
    static func peekOrder(_ zone: Zone, _ pfn: PFN) -> Int {
        Int(UnsafeRawPointer(zone.frames + pfn).load(fromByteOffset: 2, as: UInt8.self) & 0x0F)
    }

    /// `isolate_migratepages()`: from `migratePFN`, the first pageblock below the free scanner that is
    /// not marked skip and is a suitable source; isolates up to COMPACT_CLUSTER_MAX pages from it.
    func isolateMigratepages(_ cc: inout CompactControl) -> IsolateResult {
        let state = state(cc.zone)
        var lowPFN = cc.migratePFN
        var blockEnd = pageblockEndPFN(lowPFN)
        while blockEnd <= cc.freePFN {
            let blockStart = max(pageblockStartPFN(lowPFN), cc.zone.startPFN)
            let end = min(blockEnd, state.endPFN)
            let aligned = lowPFN & (PageAllocator.pageblockPages - 1) == 0
            if aligned && !cc.ignoreSkipHint && state.pageblockSkip(blockStart) {
                // isolation_suitable(): the block was found useless recently.
            } else if !suitableMigrationSource(cc, blockStart) {
                updateCachedMigrate(cc, blockEnd)
            } else {
                isolateMigratepagesBlock(&cc, from: lowPFN, to: end, blockStart: blockStart)
                return cc.nrMigratepages > 0 ? .success : .none
            }
            lowPFN = blockEnd
            cc.migratePFN = lowPFN
            blockEnd += PageAllocator.pageblockPages
        }
        return cc.nrMigratepages > 0 ? .success : .none
    }

    /// `suitable_migration_source()`: an async direct compactor only scans pageblocks of its own mobility
    /// (any movable block for a movable request); everyone else scans every block.
    func suitableMigrationSource(_ cc: CompactControl, _ blockStart: PFN) -> Bool {
        if cc.mode != .async || !cc.directCompaction { return true }
        let type = cc.zone.pageblockMigratetype(blockStart)
        if cc.migratetype == MigrateType.movable.rawValue { return type == MigrateType.movable.rawValue }
        return type == cc.migratetype
    }

    /// `update_cached_migrate()`: where the next async and sync runs start.
    func updateCachedMigrate(_ cc: CompactControl, _ pfn: PFN) {
        let state = state(cc.zone)
        let end = pageblockEndPFN(pfn - 1)
        if end > state.cachedMigratePFNAsync.load(ordering: .relaxed) {
            state.cachedMigratePFNAsync.store(end, ordering: .relaxed)
        }
        if cc.mode != .async && end > state.cachedMigratePFNSync.load(ordering: .relaxed) {
            state.cachedMigratePFNSync.store(end, ordering: .relaxed)
        }
    }

    /// `isolate_migratepages_block()`: walks `[start, end)`; free blocks and compound pages are skipped by
    /// their order, LRU pages are taken off their list under `lru_lock`, the workload's registered
    /// movable pages are isolated through `MovablePages`, anything else fails. An async
    /// direct compactor gives up on an order-aligned block at its first failure (`skip_on_failure`),
    /// returning what it isolated there. Stops after COMPACT_CLUSTER_MAX pages unless finishing the block.
    /// A block scanned to its end without isolating anything gets its skip bit.
    func isolateMigratepagesBlock(_ cc: inout CompactControl, from start: PFN, to end: PFN, blockStart: PFN) {
        let zone = cc.zone
        let lruvec = lruvecs[zone.node]
        var lowPFN = start
        var scanned = 0
        var isolated = 0
        let skipOnFailure = cc.directCompaction && cc.mode == .async && cc.order > 0
        var nextSkipPFN = skipOnFailure ? blockEndPFN(lowPFN, order: cc.order) : 0
        while lowPFN < end {
            if skipOnFailure && lowPFN >= nextSkipPFN {
                if isolated > 0 { break }
                nextSkipPFN = blockEndPFN(lowPFN, order: cc.order)
            }
            scanned += 1
            let flags = Self.peekFlags(zone, lowPFN)
            if flags & PageFlags.buddy.rawValue != 0 {
                let order = Self.peekOrder(zone, lowPFN)
                if order > 0 { lowPFN += (1 << order) - 1; scanned += (1 << order) - 1 }
                lowPFN += 1
                continue
            }
            var taken = false
            if flags & PageFlags.lru.rawValue != 0 {
                taken = isolateLRUPage(&cc, lruvec, lowPFN)
            } else if flags == PageFlags.allocated.rawValue, let handle = movablePages.isolate(lowPFN) {
                // A non-LRU movable page (`__PageMovable()`): `isolate_movable_page()`.
                cc.migratepages.append(IsolatedPage(pfn: lowPFN, region: nil, index: handle))
                taken = true
            } else if flags & (PageFlags.head.rawValue | PageFlags.allocated.rawValue) != 0 {
                let order = Self.peekOrder(zone, lowPFN)
                if order > 0 && lowPFN + (1 << order) <= end { lowPFN += (1 << order) - 1; scanned += (1 << order) - 1 }
            }
            if taken {
                isolated += 1
                lowPFN += 1
                if cc.nrMigratepages >= compactClusterMax && !cc.finishPageblock && !cc.contended { break }
                continue
            }
            // isolate_fail:
            if skipOnFailure {
                if isolated > 0 {
                    putbackMovablePages(&cc)
                    isolated = 0
                }
                if lowPFN < nextSkipPFN {
                    lowPFN = nextSkipPFN - 1
                    nextSkipPFN += 1 << cc.order
                }
            }
            lowPFN += 1
        }
        if lowPFN > end { lowPFN = end }
        if lowPFN == end && (isolated == 0 || cc.finishPageblock) {
            state(zone).setPageblockSkip(blockStart)
            updateCachedMigrate(cc, lowPFN)
        }
        cc.totalMigrateScanned += scanned
        if isolated > 0 { vmstat.count(.compactIsolated, isolated, context: cc.context) }
        cc.migratePFN = lowPFN
    }

    /// The LRU part of `isolate_migratepages_block()`: under the node's `lru_lock` (tried first in
    /// async mode, which notes contention), a page still on its LRU is taken off it
    /// (`lruvec_del_folio()`), keeping PG_active, and its region is retained.
    func isolateLRUPage(_ cc: inout CompactControl, _ lruvec: LRUVec, _ pfn: PFN) -> Bool {
        lockCompact(lruvec.lruLock, &cc)
        defer { lruvec.lruLock.unlock(cpu: cc.context.cpu) }
        guard Self.peekFlags(cc.zone, pfn) & PageFlags.lru.rawValue != 0 else { return false }
        let frame = lruvec.frames + pfn
        lruvec.remove(pfn)
        let region = MemoryRegion.from(frame.pointee.slabFreelist).retain()
        cc.migratepages.append(IsolatedPage(pfn: pfn, region: region, index: Int(frame.pointee.slabCounters)))
        return true
    }

    /// `compact_lock_irqsave()`: async runs try the lock first and note contention, then every run takes it.
    func lockCompact(_ lock: SpinLock, _ cc: inout CompactControl) {
        if cc.mode == .async && !cc.contended {
            if lock.tryLock(cpu: cc.context.cpu) { return }
            cc.contended = true
        }
        lock.lock(cpu: cc.context.cpu)
    }

    /// `putback_movable_pages()`: isolated pages go back to their LRU list, or to their task
    /// (`movable_operations.putback_page`); a page whose task unmapped or freed it while it was isolated
    /// (its slot no longer points at it, its handle is no longer live) is freed instead.
    func putbackMovablePages(_ cc: inout CompactControl) {
        guard !cc.migratepages.isEmpty else { return }
        let lruvec = lruvecs[cc.zone.node]
        var toFree: [PFN] = []
        for page in cc.migratepages where page.region == nil {
            if !movablePages.putback(page.index, at: page.pfn) { toFree.append(page.pfn) }
        }
        lruvec.lruLock.withLock(cpu: cc.context.cpu) {
            for page in cc.migratepages {
                guard let region = page.region?.takeUnretainedValue() else { continue }
                if region.slot(page.index).load(ordering: .sequentiallyConsistent) == MemoryRegion.resident(page.pfn) {
                    lruvec.add(page.pfn, to: lruvec.list(of: page.pfn))
                } else {
                    toFree.append(page.pfn)
                }
            }
        }
        for page in cc.migratepages { page.region?.release() }
        cc.migratepages.removeAll(keepingCapacity: true)
        for pfn in toFree { freeUnmappedPage(pfn, &cc) }
    }
}
