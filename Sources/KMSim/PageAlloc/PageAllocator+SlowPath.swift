/// The allocation slow path (`__alloc_pages_slowpath()`, mm/page_alloc.c, 6.12), as far as this issue
/// goes: retry at the MIN watermark with the reserves the GFP mask grants (`gfp_to_alloc_flags()`),
/// then with ALLOC_NO_WATERMARKS / ALLOC_OOM when `__gfp_pfmemalloc_flags()` allows, then fail with the
/// kernel's "page allocation failure" warning. The reclaim issue inserts kswapd wake-ups, direct
/// reclaim, compaction and the OOM killer between these steps.
extension PageAllocator {
    func allocPagesSlowpath(_ ac: AllocationContext) -> PFN? {
        var allocFlags = ac.gfp.allocFlags(order: ac.order)
        if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags) { return pfn }
        let reserve = pfmemallocFlags(ac.gfp, context: ac.context)
        if !reserve.isEmpty {
            allocFlags = reserve.union(allocFlags.intersection(.kswapd))
            if ac.gfp.migratetype == .movable { allocFlags.insert(.cma) }
            if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags) { return pfn }
        }
        if ac.gfp.contains(.noFail) {
            // __alloc_pages_cpuset_fallback(gfp, order, ALLOC_MIN_RESERVE): the kernel then loops
            // forever through reclaim; without reclaim kmsim fails after this last attempt.
            if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags.union(.minReserve)) { return pfn }
        }
        warnAlloc(ac)
        return nil
    }

    /// `__gfp_pfmemalloc_flags()`: `__GFP_MEMALLOC`, or a PF_MEMALLOC task outside interrupts (or in a
    /// softirq it interrupted), may ignore the watermarks; `__GFP_NOMEMALLOC` forbids it.
    func pfmemallocFlags(_ gfp: GFPFlags, context: ExecutionContext) -> AllocFlags {
        if gfp.contains(.noMemalloc) { return [] }
        if gfp.contains(.memalloc) { return .noWatermarks }
        if context.kind == .softirq && context.taskFlags.contains(.memalloc) { return .noWatermarks }
        if context.kind == .task && context.taskFlags.contains(.memalloc) { return .noWatermarks }
        return []
    }

    /// `warn_alloc()`: "<comm>: page allocation failure: order:N, mode:0x..(...), nodemask=(null)" unless
    /// `__GFP_NOWARN`.
    func warnAlloc(_ ac: AllocationContext) {
        guard !ac.gfp.contains(.noWarn) else { return }
        let mode = "0x" + String(ac.gfp.rawValue, radix: 16)
        bugReports.record(.allocFailure, """
            \(Self.comm(ac.context)): page allocation failure: order:\(ac.order), mode:\(mode)(\(ac.gfp)), nodemask=(null)
            CPU: \(ac.context.cpu) PID: \(ac.context.pid) Comm: \(Self.comm(ac.context))

            """)
    }

    /// The `WARN_ON_ONCE` checks of `__alloc_pages()` and kmsim's own argument checks.
    func warnAllocation(_ message: String, gfp: GFPFlags, context: ExecutionContext) {
        bugReports.record(.allocWarning, "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/page_alloc.c __alloc_pages: \(message) (gfp \(gfp))\n")
    }

    /// `current->comm` for a context: interrupts report the idle task of the CPU as the kernel's
    /// `swapper/N`, tasks `kmsim/<pid>`.
    static func comm(_ context: ExecutionContext) -> String {
        context.kind == .task && context.pid != 0 ? "kmsim/\(context.pid)" : "swapper/\(context.cpu)"
    }
}
