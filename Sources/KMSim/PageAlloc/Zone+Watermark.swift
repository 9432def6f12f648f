/// Watermark checks (mm/page_alloc.c, 6.12): `__zone_watermark_unusable_free()`,
/// `__zone_watermark_ok()`, `zone_watermark_fast()`. Read without the zone lock, as the kernel does.
extension Zone {
    /// `__zone_watermark_unusable_free()`: pages the request may not count: all but one page of its
    /// block, and the free highatomic reserve unless it may use reserves (kmsim has no CMA pages).
    @inline(__always)
    func unusableFree(order: Int, allocFlags: AllocFlags) -> Int {
        var unusable = (1 << order) - 1
        if allocFlags.isDisjoint(with: AllocFlags.reserves) {
            unusable &+= freeHighatomic
        }
        return unusable
    }

    /// `__zone_watermark_ok()`: free pages (less the unusable ones) must stay above `mark`, discounted by
    /// the reserves the ALLOC flags grant, plus `lowmem_reserve[highestZoneIndex]`; for order > 0 a free
    /// block of at least that order must exist on a list the request may use.
    func watermarkOK(order: Int, mark: Int, highestZoneIndex: Int, allocFlags: AllocFlags, freePages: Int) -> Bool {
        let free = freePages - unusableFree(order: order, allocFlags: allocFlags)
        var minimum = mark
        if !allocFlags.isDisjoint(with: AllocFlags.reserves) {
            if allocFlags.contains(.minReserve) {
                minimum -= minimum / 2
                if allocFlags.contains(.nonBlock) { minimum -= minimum / 4 }
            }
            if allocFlags.contains(.oom) { minimum -= minimum / 2 }
        }
        if free <= minimum + lowmemReserve(highestZoneIndex) { return false }
        if order == 0 { return true }
        for current in order...PageAllocator.maxOrder where nrFree[current] > 0 {
            for type in 0..<MigrateType.pcpTypes where freeListCounts[current * Self.freeListTypes + type] > 0 {
                return true
            }
            if !allocFlags.isDisjoint(with: [.highAtomic, .oom])
                && freeListCounts[current * Self.freeListTypes + MigrateType.highAtomic.rawValue] > 0 {
                return true
            }
        }
        return false
    }

    /// `zone_watermark_ok()`.
    public func watermarkOK(order: Int, mark: Int, highestZoneIndex: Int, allocFlags: AllocFlags) -> Bool {
        watermarkOK(order: order, mark: mark, highestZoneIndex: highestZoneIndex, allocFlags: allocFlags,
                    freePages: freePages)
    }

    /// `zone_watermark_fast()`: an order-0 shortcut before the full check. An order-0 request with
    /// ALLOC_MIN_RESERVE (`__GFP_HIGH`) checked at the MIN watermark ignores a watermark boost: it tries
    /// once more against the unboosted `_watermark[WMARK_MIN]`.
    @inline(__always)
    func watermarkFast(order: Int, mark: Int, highestZoneIndex: Int, allocFlags: AllocFlags) -> Bool {
        let free = freePages
        if order == 0 {
            let reserved = unusableFree(order: 0, allocFlags: allocFlags)
            let usable = free - Swift.min(free, reserved)
            if usable > mark &+ lowmemReserve(highestZoneIndex) { return true }
        }
        if watermarkOK(order: order, mark: mark, highestZoneIndex: highestZoneIndex, allocFlags: allocFlags,
                       freePages: free) {
            return true
        }
        if order == 0 && allocFlags.contains(.minReserve) && allocFlags.watermarkIndex == 0 && watermarkBoost != 0 {
            return watermarkOK(order: 0, mark: state[State.watermarkMin.rawValue], highestZoneIndex: highestZoneIndex,
                               allocFlags: allocFlags, freePages: free)
        }
        return false
    }
}

extension PageAllocator {
    /// `totalreserve_pages` (`calculate_totalreserve_pages()`): over every populated zone, its high
    /// watermark plus its largest `lowmem_reserve`, at most its managed pages. Memory the allocator keeps
    /// back from user space, which `si_mem_available()` and `global_dirtyable_memory()` subtract.
    public var totalReservePages: Int {
        populatedZones.reduce(0) { $0 + min($1.watermarkHigh + ($1.lowmemReserve.max() ?? 0), $1.managedPages) }
    }
}
