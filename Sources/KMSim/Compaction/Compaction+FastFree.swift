/// The free scanner's free-list search (mm/compaction.c, 6.12): `fast_isolate_freepages()`,
/// `next_search_order()`, `move_freelist_head()` and `fast_isolate_around()`. Before scanning
/// pageblocks linearly, a run with a requested order looks on the Movable free lists of smaller orders
/// for a block in the top quarter (or, failing that, the top half) of the range still to scan.
extension Compaction {
    /// `freelist_scan_limit()`: fewer entries after each failed search.
    static func freelistScanLimit(_ cc: CompactControl) -> Int {
        (compactClusterMax >> min(cc.fastSearchFail, 63)) + 1
    }

    /// `next_search_order()`.
    static func nextSearchOrder(_ cc: inout CompactControl, _ order: Int) -> Int {
        var order = order - 1
        if order < 0 { order = cc.order - 1 }
        if order == cc.searchOrder {
            cc.searchOrder -= 1
            if cc.searchOrder < 0 { cc.searchOrder = cc.order - 1 }
            return -1
        }
        return order
    }

    /// `fast_isolate_freepages()`.
    func fastIsolateFreepages(_ cc: inout CompactControl) {
        guard cc.order > 0 else { return }
        let zone = cc.zone
        let state = state(zone)
        var limit = max(1, Self.freelistScanLimit(cc) >> 1)
        var scanStart = false
        if cc.freePFN >= state.initFreePFN {
            limit = PageAllocator.pageblockPages >> 1
            scanStart = true
        }
        let distance = cc.freePFN - cc.migratePFN
        var lowPFN = pageblockStartPFN(cc.freePFN - (distance >> 2))
        let minPFN = pageblockStartPFN(cc.freePFN - (distance >> 1))
        if minPFN > lowPFN { lowPFN = minPFN }
        cc.searchOrder = min(cc.order - 1, cc.searchOrder)
        var found: PFN?
        var highest = 0
        var scanned = 0
        var order = cc.searchOrder
        let movable = MigrateType.movable.rawValue
        while found == nil && order >= 0 {
            defer { if found == nil { order = Self.nextSearchOrder(&cc, order) } }
            guard zone.nrFree[order] > 0 else { continue }
            lockCompact(zone.lock, &cc)
            let list = zone.freeList(order: order, migratetype: movable)
            var cursor = list.pointee.tail
            var last = PageFrame.none
            var orderScanned = 0
            var highPFN = 0
            while cursor != PageFrame.none {
                let pfn = Int(cursor)
                last = cursor
                orderScanned += 1
                scanned += 1
                if pfn >= highest { highest = max(pageblockStartPFN(pfn), zone.startPFN) }
                if pfn >= lowPFN {
                    cc.fastSearchFail = 0
                    cc.searchOrder = order
                    found = pfn
                    break
                }
                if pfn >= minPFN && pfn > highPFN {
                    highPFN = pfn
                    limit >>= 1
                }
                if orderScanned >= limit { break }
                cursor = zone.frames[pfn].prev
            }
            if found == nil && highPFN > 0 { found = highPFN; last = UInt32(truncatingIfNeeded: highPFN) }
            if last != PageFrame.none { Self.moveFreelistHead(list, Int(last), zone.frames) }
            if let pfn = found {
                if isolateFreePage(zone, pfn, order: order) {
                    cc.freepages[order].append(pfn)
                    cc.nrFreepages += 1 << order
                    scanned += (1 << order) - 1
                    vmstat.count(.compactIsolated, 1 << order, context: cc.context)
                } else {
                    // Isolation failed (the watermark): the search ends.
                    found = nil
                    order = cc.searchOrder + 1
                }
            }
            zone.lock.unlock(cpu: cc.context.cpu)
            if cc.nrFreepages >= cc.nrMigratepages { break }
        }
        cc.totalFreeScanned += scanned
        if found == nil {
            cc.fastSearchFail += 1
            if scanStart {
                if highest >= minPFN {
                    cc.freePFN = highest
                } else if cc.directCompaction {
                    cc.freePFN = minPFN
                }
            }
        }
        if highest > 0 && highest >= state.cachedFreePFN.load(ordering: .relaxed) {
            state.cachedFreePFN.store(highest - PageAllocator.pageblockPages, ordering: .relaxed)
        }
        if let pfn = found { fastIsolateAround(&cc, pfn) }
    }

    /// `move_freelist_head()`: the entries before `pfn` move to the tail, so `pfn` heads the list and the
    /// next search starts past the pages just looked at. Under `&zone->lock`.
    static func moveFreelistHead(_ list: UnsafeMutablePointer<PageList>, _ pfn: PFN, _ frames: UnsafeMutablePointer<PageFrame>) {
        let entry = UInt32(truncatingIfNeeded: pfn)
        let oldHead = list.pointee.head
        let oldTail = list.pointee.tail
        guard oldHead != entry, oldHead != PageFrame.none, oldTail != PageFrame.none else { return }
        let beforeLast = frames[pfn].prev
        frames[Int(oldTail)].next = oldHead
        frames[Int(oldHead)].prev = oldTail
        frames[Int(beforeLast)].next = PageFrame.none
        frames[pfn].prev = PageFrame.none
        list.pointee.head = entry
        list.pointee.tail = beforeLast
    }

    /// `fast_isolate_around()`: the rest of the found block's pageblock, scanned one PFN at a time, unless
    /// enough pages are isolated or the run is an async direct one; a pageblock scanned to its end is
    /// marked skip.
    func fastIsolateAround(_ cc: inout CompactControl, _ pfn: PFN) {
        if cc.nrFreepages >= cc.nrMigratepages { return }
        if cc.directCompaction && cc.mode == .async { return }
        let state = state(cc.zone)
        var start = max(pageblockStartPFN(pfn), cc.zone.startPFN)
        let end = min(pageblockEndPFN(pfn), state.endPFN)
        isolateFreepagesBlock(&cc, start: &start, end: end, stride: 1)
        if start == end { state.setPageblockSkip(pageblockStartPFN(pfn)) }
    }
}
