extension GFPFlags {
    /// The `AllocationOutcome`s an order-0 allocation with this mask can end in, following
    /// `__alloc_pages_slowpath()` (mm/page_alloc.c, 6.12), in the slow path's order: `fast` and
    /// `afterKswapdWakeup` always; `reserve` with `__GFP_HIGH` (ALLOC_MIN_RESERVE); `noWatermarks` with
    /// `__GFP_MEMALLOC` (a PF_MEMALLOC task reaches it with any mask); with direct reclaim and outside
    /// atomic context, `afterDirectReclaim`, `afterOOMKill` (not with `__GFP_NORETRY`,
    /// `__GFP_RETRY_MAYFAIL`, `__GFP_THISNODE`, a zone below Normal or without `__GFP_FS`, for which
    /// `__alloc_pages_may_oom()` and `out_of_memory()` kill nothing) and
    /// `afterRetries` (not with `__GFP_NORETRY` unless `__GFP_NOFAIL`); `failed` unless a blocking
    /// `__GFP_NOFAIL`. Above order 0, a blocking mask with `__GFP_IO` can also end `afterCompaction`
    /// (`__alloc_pages_direct_compact()` returns at once for order 0, and `try_to_compact_pages()`
    /// without `__GFP_IO`).
    public func reachableOutcomes(atomicContext: Bool = false, order: Int = 0) -> [AllocationOutcome] {
        var outcomes: [AllocationOutcome] = [.fast, .afterKswapdWakeup]
        if !allocFlags().isDisjoint(with: [.minReserve, .highAtomic, .oom]) { outcomes.append(.reserve) }
        if grantsNoWatermarks { outcomes.append(.noWatermarks) }
        let blocks = allowsBlocking && !atomicContext
        if blocks {
            outcomes.append(.afterDirectReclaim)
            if order > 0 && mayIO { outcomes.append(.afterCompaction) }
            let zoneAllowsOOM = ((try? zone()) ?? .normal) >= .normal
            if !isNoRetry && !isRetryMayFail && !contains(.thisNode) && mayFS && zoneAllowsOOM { outcomes.append(.afterOOMKill) }
            if !isNoRetry || isNoFail { outcomes.append(.afterRetries) }
        }
        if !(blocks && isNoFail) { outcomes.append(.failed) }
        return outcomes
    }
}
