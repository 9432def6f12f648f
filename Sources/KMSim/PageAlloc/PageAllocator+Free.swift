/// The free paths (mm/page_alloc.c, 6.12): `__free_pages()` → `free_unref_page()` for orders ≤ 3
/// (the per-CPU lists) or `__free_pages_ok()` → `free_one_page()` for larger ones.
///
/// `free_pages_prepare()`'s checks run under the lock the free takes (the pcp lock, or the zone lock);
/// a bad free is reported as "BUG: Bad page state" and the page is left alone.
extension PageAllocator {
    /// `__free_pages(page, order)` / `free_pages()` by PFN.
    public func freePages(_ pfn: PFN, order: Int, context: ExecutionContext) {
        let cpu = context.cpu
        guard cpu >= 0 && cpu < cpuCount else {
            warnAllocation("free on CPU \(cpu), which does not exist", gfp: [], context: context)
            return
        }
        guard order >= 0 && order <= Self.maxOrder, pfn & ((1 << order) - 1) == 0,
              let unmanaged = zoneUnretained(of: pfn),
              unmanaged._withUnsafeGuaranteedRef({ pfn &- $0.startPFN < $0.managedPages }) else {
            reportBadFree(pfn, order: order, context: context, reason: Self.badRangeReason(pfn: pfn, order: order),
                          frame: nil, zone: nil)
            return
        }
        // The zone's part of the free, `@_transparent` (as `free_unref_page_commit()` under it) so that
        // the mandatory inliner puts it here: marked `@inline(__always)`, the optimiser kept it a
        // function of its own, entered by a tail jump, and the commit another (callgrind: 62 instructions
        // of calls, spills and reloads per order-0 free).
        @_transparent func free(_ zone: Zone) {
            if order <= Self.costlyOrder {
                freeUnrefPage(pfn, order: order, zone: zone, context: context)
            } else {
                freeOnePage(pfn, order: order, zone: zone, context: context)
            }
        }
        unmanaged._withUnsafeGuaranteedRef(free)
    }

    /// `free_unref_page()`: onto this CPU's list under a trylock; to the zone if the lock is busy.
    /// HighAtomic pages go on the Movable list, as the kernel files them.
    @inline(__always)
    func freeUnrefPage(_ pfn: PFN, order: Int, zone: Zone, context: ExecutionContext) {
        let cpu = context.cpu
        var migratetype = zone.pageblockMigratetype(pfn)
        if migratetype >= MigrateType.pcpTypes { migratetype = MigrateType.movable.rawValue }
        guard zone.pcpTrylock(cpu) else {
            freeOnePage(pfn, order: order, zone: zone, context: context)
            return
        }
        if let reason = freePagesPrepare(pfn, order: order, zone: zone) {
            let snapshot = zone.frames[pfn]
            zone.pcpUnlock(cpu)
            reportBadFree(pfn, order: order, context: context, reason: reason, frame: snapshot, zone: zone)
            return
        }
        zone.freeUnrefPageCommit(pfn, order: order, migratetype: migratetype, cpu: cpu)
        zone.pcpUnlock(cpu)
        vmstat.count(.pgfree, 1 << order, context: context)
    }

    /// `free_one_page()` → `split_large_buddy()`: straight to the buddy lists under `&zone->lock`, a
    /// pageblock at a time for blocks larger than one, each with its block's migratetype.
    func freeOnePage(_ pfn: PFN, order: Int, zone: Zone, context: ExecutionContext) {
        let cpu = context.cpu
        zone.lock.lock(cpu: cpu)
        if let reason = freePagesPrepare(pfn, order: order, zone: zone) {
            let snapshot = zone.frames[pfn]
            zone.lock.unlock(cpu: cpu)
            reportBadFree(pfn, order: order, context: context, reason: reason, frame: snapshot, zone: zone)
            return
        }
        zone.charge(.buddyAllocFree)
        let chunkOrder = min(order, Self.pageblockOrder)
        var chunk = pfn
        while chunk < pfn + (1 << order) {
            zone.freeOnePage(chunk, order: chunkOrder, migratetype: zone.pageblockMigratetype(chunk))
            chunk += 1 << chunkOrder
        }
        zone.lock.unlock(cpu: cpu)
        vmstat.count(.pgfree, 1 << order, context: context)
    }

    /// `free_pages_prepare()`'s checks; nil when the free is good, else the reason `bad_page()` prints.
    /// On success the head's allocator flags are cleared and a compound page's tails are dissolved.
    /// The caller holds the lock the free goes through.
    @inline(__always)
    func freePagesPrepare(_ pfn: PFN, order: Int, zone: Zone) -> String? {
        let frame = zone.frames + pfn
        let flags = frame.pointee.flags
        if flags & PageFlags.allocated.rawValue == 0 || flags & PageFlags.tail.rawValue != 0 {
            return "VM_BUG_ON_PAGE(page_ref_count(page) == 0)"
        }
        if Int(frame.pointee.order) != order {
            return flags & PageFlags.head.rawValue != 0
                ? "VM_BUG_ON_PAGE(compound && compound_order(page) != order)"
                : "freed with order \(order), allocated with order \(frame.pointee.order)"
        }
        if flags & Self.flagsCheckAtFree != 0 {
            return "PAGE_FLAGS_CHECK_AT_FREE flag set"
        }
        if flags & PageFlags.head.rawValue != 0 {
            for tail in 1..<(1 << order) {
                (frame + tail).pointee.flags = 0
                (frame + tail).pointee.owner = 0
            }
        }
        frame.pointee.flags = 0
        return nil
    }

    /// `PAGE_FLAGS_CHECK_AT_FREE`, the subset kmsim tracks: a page still in use by slab, the LRU, a page
    /// table or vmalloc must not reach the allocator.
    static let flagsCheckAtFree: UInt16 = PageFlags([.slab, .lru, .active, .dirty, .pageTable, .vmalloc, .reserved]).rawValue

    static func badRangeReason(pfn: PFN, order: Int) -> String {
        if order < 0 || order > maxOrder { return "free order \(order) outside 0...\(maxOrder)" }
        if pfn & ((1 << order) - 1) != 0 { return "VM_BUG_ON_PAGE(pfn & ((1 << order) - 1))" }
        return "VM_BUG_ON_PAGE(bad_range(zone, page))"
    }

    /// `__free_pages()` for the block that holds `address` (`free_pages(addr, order)`).
    public func freePages(address: UnsafeRawPointer, order: Int, context: ExecutionContext) {
        guard let pfn = pfn(of: address) else {
            bugReports.record(.badPageState, "BUG: Bad page state in process \(Self.comm(context))  address:\(address)\npage dumped because: VM_BUG_ON(!virt_addr_valid(addr))\n")
            return
        }
        freePages(pfn, order: order, context: context)
    }
}
