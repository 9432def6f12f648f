/// The page allocator's entry point for callers that may sleep: `alloc_pages()` from process context
/// with a mask that allows direct reclaim (GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_USER,
/// GFP_HIGHUSER_MOVABLE ...).
extension PageAllocator {
    /// `alloc_pages()` / `alloc_pages_node()` for a task that may sleep: the same fast path as
    /// `allocPages`, then the full slow path, which may suspend the task in direct reclaim (its I/O and
    /// throttling) and around the OOM killer. Its CPU runs other tasks meanwhile.
    ///
    /// A mask that cannot block, or a caller in atomic context, gets exactly `allocPages` (the
    /// synchronous path, with its `might_alloc()` report for the second case).
    public nonisolated(nonsending) func allocPagesMaySleep(order: Int, gfp: GFPFlags, context: ExecutionContext,
                                   preferredNode: Int? = nil) async -> PFN? {
        guard gfp.allowsBlocking && !context.isAtomic else {
            return allocPages(order: order, gfp: gfp, context: context, preferredNode: preferredNode)
        }
        guard let ac = prepareAllocPages(order: order, gfp: gfp, context: context, preferredNode: preferredNode) else {
            return nil
        }
        let allocFlags = allocFlagsNoFragment(ac).union(gfp.fastPathAllocFlags)
        if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags, context: context) { return pfn }
        return await allocPagesSlowpathMaySleep(ac, context: context)
    }

    /// `might_alloc()` at the top of `__alloc_pages()` (`prepare_alloc_pages()`), for a blocking mask from
    /// atomic context: the machine's might_sleep report, when a reclaim with its checker is attached.
    func mightAllocFromAtomic(gfp: GFPFlags, context: ExecutionContext) {
        reclaimLink.current?.debug.mightAlloc(gfp: gfp, context: context)
    }
}
