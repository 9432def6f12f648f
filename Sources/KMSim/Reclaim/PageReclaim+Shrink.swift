/// The reclaim core (mm/vmscan.c, 6.12): `shrink_node()` → `shrink_lruvec()` (scan counts from
/// `get_scan_count()`) → `shrink_active_list()` / `shrink_inactive_list()` → `shrink_folio_list()`,
/// and `shrink_slab()` → `do_shrink_slab()`.
///
/// A page's fate in `shrink_folio_list()` follows the scan's GFP mask: clean page cache is freed at
/// once; dirty page cache needs `__GFP_FS` and is written back; anonymous pages need `__GFP_IO` and
/// swap space and are swapped out. The kernel hands dirty file pages to the flusher threads and the
/// reclaimer waits in `reclaim_throttle()`; kmsim has the reclaimer pay the write itself, which costs
/// the same sleep. Writes are paid by sleeping (`simulatedSleep`), with the lru_lock released.
extension PageReclaim {
    /// A page taken off the LRU for I/O, with its region kept alive until the I/O is done.
    struct PendingWrite {
        var pfn: PFN
        var region: Unmanaged<MemoryRegion>
        var index: Int
        var anonymous: Bool
    }

    /// `shrink_node()`: the node's LRU lists, then the shrinkers. Returns pages reclaimed.
    @discardableResult
    nonisolated(nonsending)
    func shrinkNode(_ node: Int, _ sc: inout ScanControl, context: ExecutionContext) async -> Int {
        let before = sc.nrReclaimed
        await shrinkLRUVec(lruvecs[node], &sc, context: context)
        shrinkSlab(&sc, context: context)
        let reclaimed = sc.nrReclaimed - before
        if reclaimed > 0 { nodeStates[node].kswapdFailures.store(0, ordering: .relaxed) }
        if !sc.isKswapd && sc.nrDirtyKept > 0 && nodeStates[node].writebackInFlight.load(ordering: .relaxed) > 0 {
            await reclaimThrottle(node: node, reason: .writeback, context: context)
        }
        return reclaimed
    }

    /// `get_scan_count()` + `shrink_lruvec()`, with its `cond_resched()` after each round over the lists.
    nonisolated(nonsending)
    func shrinkLRUVec(_ lruvec: LRUVec, _ sc: inout ScanControl, context: ExecutionContext) async {
        var nr = scanCounts(lruvec, sc)
        let order: [LRUList] = [.inactiveAnon, .activeAnon, .inactiveFile, .activeFile]
        while nr[LRUList.inactiveAnon.rawValue] > 0 || nr[LRUList.activeFile.rawValue] > 0
                || nr[LRUList.inactiveFile.rawValue] > 0 {
            for lru in order where nr[lru.rawValue] > 0 {
                let batch = min(nr[lru.rawValue], ScanControl.swapClusterMax)
                nr[lru.rawValue] -= batch
                if lru.isActive {
                    if inactiveIsLow(lruvec, lru == .activeFile ? .inactiveFile : .inactiveAnon, sc) {
                        shrinkActiveList(lruvec, lru, count: batch, sc, context: context)
                    }
                } else {
                    await shrinkInactiveList(lruvec, lru, count: batch, &sc, context: context)
                }
            }
            if !sc.isKswapd && sc.nrReclaimed >= sc.nrToReclaim { break }
            await Task.yield()
        }
        if sc.maySwap && swap.freePages > 0 && inactiveIsLow(lruvec, .inactiveAnon, sc) {
            shrinkActiveList(lruvec, .activeAnon, count: ScanControl.swapClusterMax, sc, context: context)
        }
    }

    /// `get_scan_count()`: `size >> priority` of each list, file only when anon cannot be reclaimed
    /// (no swap, or `!may_swap`) or in cache-trim mode (enough inactive file), else split by
    /// `vm.swappiness` (anon : file = swappiness : 200 - swappiness).
    func scanCounts(_ lruvec: LRUVec, _ sc: ScanControl) -> [Int] {
        var nr = [0, 0, 0, 0]
        let index = sc.reclaimIndex
        let inactiveFile = lruvec.size(.inactiveFile, upTo: index)
        let activeFile = lruvec.size(.activeFile, upTo: index)
        let fileOnly = !sc.maySwap || swap.freePages == 0
            || (inactiveFile >> sc.priority > 0 && inactiveFile >= activeFile)
        for lru in LRUList.allCases {
            var scan = lruvec.size(lru, upTo: index) >> sc.priority
            if sc.priority == 0 { scan = lruvec.size(lru, upTo: index) }
            if !lru.isFile {
                scan = fileOnly ? 0 : scan * config.swappiness / 200
            } else if !fileOnly {
                scan = scan * (200 - config.swappiness) / 200
            }
            nr[lru.rawValue] = scan
        }
        return nr
    }

    /// `inactive_is_low()`: inactive × `inactive_ratio` < active, the ratio being `int_sqrt(10 × GB)`
    /// of the two lists (1 below 1 GiB).
    func inactiveIsLow(_ lruvec: LRUVec, _ inactive: LRUList, _ sc: ScanControl) -> Bool {
        let active: LRUList = inactive == .inactiveFile ? .activeFile : .activeAnon
        let inactivePages = lruvec.size(inactive, upTo: sc.reclaimIndex)
        let activePages = lruvec.size(active, upTo: sc.reclaimIndex)
        let gigabytes = (inactivePages + activePages) >> (30 - MachineSpec.pageShift)
        let ratio = gigabytes > 0 ? Int(Double(10 * gigabytes).squareRoot()) : 1
        return inactivePages * ratio < activePages
    }

    /// `shrink_active_list()`: moves up to `count` pages from the tail of an active list to the head of
    /// its inactive list, clearing PG_referenced (their next touch must come before reclaim reaches them).
    func shrinkActiveList(_ lruvec: LRUVec, _ lru: LRUList, count: Int, _ sc: ScanControl, context: ExecutionContext) {
        let inactive: LRUList = lru == .activeFile ? .inactiveFile : .inactiveAnon
        lruvec.lruLock.withLock(cpu: context.cpu) {
            var moved = 0
            var skipped = 0
            while moved + skipped < count, let pfn = lruvec.tail(lru) {
                lruvec.remove(pfn)
                if lruvec.zoneType(pfn).rawValue > sc.reclaimIndex {
                    lruvec.add(pfn, to: lru)
                    skipped += 1
                    continue
                }
                lruvec.frames[pfn].flags &= ~PageFlags.referenced.rawValue
                lruvec.add(pfn, to: inactive)
                moved += 1
            }
        }
    }

    /// `shrink_inactive_list()` → `isolate_lru_folios()` + `shrink_folio_list()` + `move_folios_to_lru()`.
    nonisolated(nonsending)
    func shrinkInactiveList(_ lruvec: LRUVec, _ lru: LRUList, count: Int, _ sc: inout ScanControl,
                            context: ExecutionContext) async {
        var toFree: [PFN] = []
        var pending: [PendingWrite] = []
        var scanned = 0
        let mayWriteFile = sc.mayWriteFile
        let maySwapOut = sc.maySwapOut
        var dirtyKept = 0
        lruvec.lruLock.withLock(cpu: context.cpu) {
            var rotated: [PFN] = []
            while scanned + rotated.count < count, let pfn = lruvec.tail(lru) {
                lruvec.remove(pfn)
                if lruvec.zoneType(pfn).rawValue > sc.reclaimIndex {
                    rotated.append(pfn)
                    continue
                }
                scanned += 1
                switch folioFate(lruvec, pfn, mayWriteFile: mayWriteFile, maySwapOut: maySwapOut) {
                case .activate:
                    lruvec.frames[pfn].flags &= ~PageFlags.referenced.rawValue
                    lruvec.add(pfn, to: lru == .inactiveFile ? .activeFile : .activeAnon)
                case .keep(let dirty):
                    if dirty { dirtyKept += 1 }
                    rotated.append(pfn)
                case .free:
                    unmapLocked(lruvec, pfn)
                    toFree.append(pfn)
                case .write(let write):
                    pending.append(write)
                }
            }
            for pfn in rotated { lruvec.add(pfn, to: lru) }
        }
        sc.nrScanned += scanned
        sc.nrDirtyKept += dirtyKept
        let file = lru.isFile
        vmstat.count(sc.isKswapd ? .pgscanKswapd : .pgscanDirect, scanned, context: context)
        vmstat.count(file ? .pgscanFile : .pgscanAnon, scanned, context: context)
        freeReclaimed(toFree, context: context)
        var reclaimed = toFree.count
        if !pending.isEmpty {
            reclaimed += await completeWrites(lruvec, pending, context: context)
        }
        sc.nrReclaimed += reclaimed
        vmstat.count(sc.isKswapd ? .pgstealKswapd : .pgstealDirect, reclaimed, context: context)
        vmstat.count(file ? .pgstealFile : .pgstealAnon, reclaimed, context: context)
    }

    enum FolioFate {
        case activate
        case keep(dirty: Bool)
        case free
        case write(PendingWrite)
    }

    /// `shrink_folio_list()`'s decision for one isolated page, under `lru_lock`. Anonymous pages touched
    /// since the last scan are activated (`folio_check_references()`: referenced ptes of a swap-backed
    /// folio); unmapped page cache is reclaimed even when referenced (its activation comes from the
    /// second `folio_mark_accessed()`). Pages chosen for I/O get PG_writeback and lose PG_dirty
    /// (`folio_clear_dirty_for_io()`); their region is retained until the I/O completes.
    func folioFate(_ lruvec: LRUVec, _ pfn: PFN, mayWriteFile: Bool, maySwapOut: Bool) -> FolioFate {
        let frame = lruvec.frames + pfn
        let flags = frame.pointee.flags
        let anonymous = flags & PageFlags.swapBacked.rawValue != 0
        // Under a throttled writer's writeback: kept, and counted like a dirty page so a direct
        // reclaimer waits for writeback to progress.
        if flags & PageFlags.writeback.rawValue != 0 { return .keep(dirty: true) }
        if anonymous {
            if flags & PageFlags.referenced.rawValue != 0 { return .activate }
            guard maySwapOut else { return .keep(dirty: false) }
            guard swap.reserve() else { return .activate }
        } else if flags & PageFlags.dirty.rawValue != 0 {
            guard mayWriteFile else { return .keep(dirty: true) }
            nodeStates[lruvec.node].dirty.subtract(1, ordering: .relaxed)
        } else {
            return .free
        }
        frame.pointee.flags = (flags & ~PageFlags.dirty.rawValue) | PageFlags.writeback.rawValue
        let region = MemoryRegion.from(frame.pointee.slabFreelist).retain()
        return .write(PendingWrite(pfn: pfn, region: region, index: Int(frame.pointee.slabCounters), anonymous: anonymous))
    }

    /// Unmaps a clean page cache page reclaim is freeing: its slot empties and its task's file-rss
    /// drops. Under `lru_lock`, with the page isolated.
    func unmapLocked(_ lruvec: LRUVec, _ pfn: PFN) {
        let region = MemoryRegion.from(lruvec.frames[pfn].slabFreelist).takeUnretainedValue()
        let index = Int(lruvec.frames[pfn].slabCounters)
        region.slot(index).store(MemoryRegion.empty, ordering: .sequentiallyConsistent)
        tasks.add(.fileRSS, -1, slot: region.taskSlot)
    }

    /// Writes back or swaps out `pending` (one sleep for the batch, `writeNanosecondsPerPage` each),
    /// then finishes each page under `lru_lock`: a page dirtied again meanwhile goes back to the LRU
    /// (`folio_putback`), the others are unmapped (a swapped anonymous page's slot records the swap
    /// entry) and freed. Returns the pages freed.
    nonisolated(nonsending)
    func completeWrites(_ lruvec: LRUVec, _ pending: [PendingWrite], context: ExecutionContext) async -> Int {
        nodeStates[lruvec.node].writebackInFlight.add(pending.count, ordering: .relaxed)
        await simulatedSleep(nanoseconds: config.writeNanosecondsPerPage * UInt64(pending.count), context: context,
                             debug: debug)
        var toFree: [PFN] = []
        var swappedOut = 0
        var written = 0
        lruvec.lruLock.withLock(cpu: context.cpu) {
            for write in pending {
                let region = write.region.takeUnretainedValue()
                let frame = lruvec.frames + write.pfn
                frame.pointee.flags &= ~PageFlags.writeback.rawValue
                let mapped = region.slot(write.index).load(ordering: .sequentiallyConsistent) == MemoryRegion.resident(write.pfn)
                if write.anonymous { swappedOut += 1 } else { written += 1 }
                if mapped && frame.pointee.flags & PageFlags.dirty.rawValue != 0 {
                    if write.anonymous { swap.release() }
                    lruvec.add(write.pfn, to: write.anonymous ? .activeAnon : .activeFile)
                    continue
                }
                if mapped {
                    if write.anonymous {
                        region.slot(write.index).store(MemoryRegion.swapped, ordering: .sequentiallyConsistent)
                        tasks.add(.anonRSS, -1, slot: region.taskSlot)
                        tasks.add(.swapEntries, 1, slot: region.taskSlot)
                    } else {
                        region.slot(write.index).store(MemoryRegion.empty, ordering: .sequentiallyConsistent)
                        tasks.add(.fileRSS, -1, slot: region.taskSlot)
                    }
                } else if write.anonymous {
                    swap.release()
                }
                toFree.append(write.pfn)
            }
        }
        for write in pending { write.region.release() }
        count(.pagesWritten, written, cpu: context.cpu)
        count(.pagesSwappedOut, swappedOut, cpu: context.cpu)
        endWriteback(node: lruvec.node, pages: pending.count)
        freeReclaimed(toFree, context: context)
        return toFree.count
    }

    /// `folio_end_writeback()` accounting for `pages` of `node`: they leave `NR_WRITEBACK` and count as
    /// written (`NR_THROTTLED_WRITTEN`); once SWAP_CLUSTER_MAX pages have been written since the first
    /// writeback-throttled reclaimer began waiting, the waiters are woken (`__acct_reclaim_writeback()`).
    func endWriteback(node: Int, pages: Int) {
        let state = nodeStates[node]
        state.writebackInFlight.subtract(pages, ordering: .relaxed)
        let total = state.written.add(pages, ordering: .relaxed).newValue
        if state.writebackThrottled.load(ordering: .relaxed) > 0
            && total - state.reclaimStart.load(ordering: .relaxed) >= ScanControl.swapClusterMax {
            state.writebackWait.wakeAll()
        }
    }

    /// Gives reclaimed pages back to the page allocator (`free_unref_folios()`), each frame cleared of
    /// reclaim's flags and back-references first; a page freed dirty (its task exited) leaves
    /// `NR_FILE_DIRTY`.
    func freeReclaimed(_ pfns: [PFN], context: ExecutionContext) {
        for pfn in pfns {
            let frame = allocator.frame(pfn)
            if frame.pointee.flags & PageFlags.dirty.rawValue != 0 {
                nodeStates[allocator.node(of: pfn)].dirty.subtract(1, ordering: .relaxed)
            }
            frame.pointee.flags = PageFlags.allocated.rawValue
            frame.pointee.owner = 0
            frame.pointee.slabFreelist = 0
            frame.pointee.slabCounters = 0
            allocator.freePages(pfn, order: 0, context: context)
        }
    }

    /// `shrink_slab()` → `do_shrink_slab()`: each shrinker is asked to scan
    /// `(freeable >> priority) × 4 / seeks` objects (at most twice the freeable count) in batches of
    /// SHRINK_BATCH; filesystem shrinkers only with `__GFP_FS`. `slabs_scanned` counts the objects
    /// scanned. (The kernel also adds the slab pages the shrinkers freed to `nr_reclaimed` through
    /// `reclaim_state`; kmsim cannot tell which pages a shrinker's frees released, so they show up as
    /// free memory only.)
    func shrinkSlab(_ sc: inout ScanControl, context: ExecutionContext) {
        for shrinker in shrinkers.all {
            if shrinker.needsFS && !sc.gfp.contains(.fs) { continue }
            let freeable = shrinker.countObjects(context)
            guard freeable > 0 else { continue }
            var total = (freeable >> sc.priority) * 4 / shrinker.seeks
            total = min(total, freeable * 2)
            var scanned = 0
            while total >= Shrinker.batch || (total > 0 && total >= freeable) {
                let batch = min(total, Shrinker.batch)
                guard shrinker.scanObjects(batch, context) != nil else { break }
                scanned += batch
                total -= batch
            }
            vmstat.count(.slabsScanned, scanned, context: context)
        }
    }
}
