extension GFPFlags {
    /// `gfp_to_alloc_flags_cma()`: movable requests may use CMA pageblocks (ALLOC_CMA, CONFIG_CMA=y as in
    /// distribution kernels). kmsim never puts pages in CMA blocks, so the flag only mirrors the kernel.
    func addingCMA(to flags: AllocFlags) -> AllocFlags {
        migratetype == .movable ? flags.union(.cma) : flags
    }

    /// The flags of the fast path (`__alloc_pages`): the LOW watermark, for every GFP mask.
    ///
    /// The kernel also adds ALLOC_CPUSET when cpusets are on and ALLOC_NOFRAGMENT per zone
    /// (`alloc_flags_nofragment`); both depend on the machine, not the mask, and are left to the allocator.
    public var fastPathAllocFlags: AllocFlags { addingCMA(to: .wmarkLow) }

    /// The slow path's flags: `gfp_to_alloc_flags()` in mm/page_alloc.c as in 6.12 LTS.
    ///
    /// ALLOC_WMARK_MIN | ALLOC_CPUSET, plus the `__GFP_HIGH` bit as ALLOC_MIN_RESERVE and the
    /// `__GFP_KSWAPD_RECLAIM` bit as ALLOC_KSWAPD (same values, copied by one mask). Without
    /// `__GFP_DIRECT_RECLAIM`: ALLOC_NON_BLOCK unless `__GFP_NOMEMALLOC`, with ALLOC_HIGHATOMIC for
    /// order > 0 only if ALLOC_MIN_RESERVE is set too (commit 6a204d4b14c9, 6.17, backported to 6.12
    /// stable in Oct 2025; 6.12.0 set it for every non-blocking high-order request), and ALLOC_CPUSET is
    /// dropped for non-blocking `__GFP_HIGH`. Then ALLOC_CMA for movable requests. The kernel's extra
    /// ALLOC_MIN_RESERVE for real-time tasks that can block depends on the task and is not included.
    public func allocFlags(order: Int = 0) -> AllocFlags {
        var flags: AllocFlags = [.wmarkMin, .cpuset]
        if contains(.high) { flags.insert(.minReserve) }
        if contains(.kswapdReclaim) { flags.insert(.kswapd) }
        if !contains(.directReclaim) {
            if !contains(.noMemalloc) {
                flags.insert(.nonBlock)
                if order > 0 && flags.contains(.minReserve) {
                    flags.insert(.highAtomic)
                }
            }
            if flags.contains(.minReserve) {
                flags.remove(.cpuset)
            }
        }
        return addingCMA(to: flags)
    }

    /// The flags the slow path retries with once it has woken kswapd and failed at `allocFlags`:
    /// `__gfp_pfmemalloc_flags()` gives ALLOC_NO_WATERMARKS for `__GFP_MEMALLOC` (unless
    /// `__GFP_NOMEMALLOC`), and the kernel then uses `gfp_to_alloc_flags_cma(reserve) | (alloc & ALLOC_KSWAPD)`.
    /// Without such a grant the flags stay `allocFlags`. (PF_MEMALLOC tasks and OOM victims get the same
    /// from the task, not the mask.)
    public func slowPathRetryAllocFlags(order: Int = 0) -> AllocFlags {
        let flags = allocFlags(order: order)
        guard grantsNoWatermarks else { return flags }
        return addingCMA(to: .noWatermarks).union(flags.intersection(.kswapd))
    }
}
