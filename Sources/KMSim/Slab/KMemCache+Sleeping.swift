/// The slab allocation entry points for callers that may sleep: `kmem_cache_alloc()` with a blocking
/// mask from process context. Everything SLUB does without the page allocator (the per-CPU freelist,
/// the CPU and node partial lists) never sleeps; only a new slab's pages may (`allocate_slab()` with
/// `gfpflags_allow_blocking()`), so these variants run the synchronous path first and, when it needs a
/// new slab the non-sleeping page allocator could not supply, get the slab's pages from
/// `PageAllocator.allocPagesMaySleep` (direct reclaim, OOM), put the new slab on its node's partial
/// list and allocate again.
///
/// They are `nonisolated(nonsending)`: they run on the caller's executor (a task's CPU runqueue) and
/// leave it only where the page allocator really sleeps, as a kernel task in kmalloc stays on its CPU
/// until it sleeps. Plain `nonisolated` async functions hopped off the CPU's actor and back on every
/// call: a job switch per allocation, and the CPU's other jobs ran in between.
extension KMemCache {
    /// Rounds of "new slab, then allocate" before the final attempt; another CPU may take the new slab
    /// from the partial list first.
    static let sleepingRefillRounds = 3

    /// `kmem_cache_alloc()` for a task that may sleep. Non-blocking masks and atomic callers get `alloc`.
    public nonisolated(nonsending) func allocMaySleep(gfp: GFPFlags, context: ExecutionContext,
                                                      caller: StaticString = #function) async -> UnsafeMutableRawPointer? {
        await slabAllocNodeMaySleep(gfp: gfp, node: nil, context: context, caller: caller, origSize: geometry.objectSize)
    }

    /// `kmem_cache_alloc_node()` for a task that may sleep.
    public nonisolated(nonsending) func allocNodeMaySleep(gfp: GFPFlags, node: Int?, context: ExecutionContext,
                                                          caller: StaticString = #function) async -> UnsafeMutableRawPointer? {
        if let node, node < 0 || node >= nodes.count { return nil }
        return await slabAllocNodeMaySleep(gfp: gfp, node: node, context: context, caller: caller,
                                           origSize: geometry.objectSize)
    }

    /// `kmem_cache_zalloc()` for a task that may sleep.
    public nonisolated(nonsending) func zallocMaySleep(gfp: GFPFlags, context: ExecutionContext,
                                                       caller: StaticString = #function) async -> UnsafeMutableRawPointer? {
        await slabAllocNodeMaySleep(gfp: gfp.union(.zero), node: nil, context: context, caller: caller,
                                    origSize: geometry.objectSize)
    }

    nonisolated(nonsending) func slabAllocNodeMaySleep(gfp: GFPFlags, node: Int?, context: ExecutionContext,
                                                       caller: StaticString, origSize: Int) async -> UnsafeMutableRawPointer? {
        guard gfp.allowsBlocking && !context.isAtomic && context.cpu >= 0 && context.cpu < env.cpuCount else {
            return slabAllocNode(gfp: gfp, node: node, context: context, caller: caller, origSize: origSize)
        }
        // slab_pre_alloc_hook() runs once per allocation, as in the kernel; the retries below are inside it.
        guard slabPreAllocHook(gfp: gfp, context: context) else { return nil }
        for _ in 0..<Self.sleepingRefillRounds {
            if let object = slabAllocNodeAfterHook(gfp: gfp.union(.noWarn), node: node, context: context, caller: caller,
                                                   origSize: origSize) {
                return object
            }
            guard let slab = await allocateSlabMaySleep(gfp: gfp, node: node, context: context) else { return nil }
            stats.bump(.allocSlab, context)
            let home = nodes[env.node(ofPFN: slab.pfn)]
            home.listLock.withLock(cpu: context.cpu) { addPartial(home, slab, toTail: false) }
        }
        return slabAllocNodeAfterHook(gfp: gfp, node: node, context: context, caller: caller, origSize: origSize)
    }

    /// `allocate_slab()` with a blocking mask: the preferred order without reclaim (as the synchronous
    /// path), then the minimum order with the caller's flags through the sleeping page allocator.
    nonisolated(nonsending) func allocateSlabMaySleep(gfp: GFPFlags, node: Int?, context: ExecutionContext) async -> Slab? {
        let pageGFP = gfp.intersection(Self.slabPageGFPMask).union(allocFlags)
        let allocator = env.pageAllocator
        if geometry.order > geometry.minOrder {
            let tryFlags = pageGFP.union([.noWarn, .noRetry, .noMemalloc]).subtracting([.noFail, .directReclaim, .kswapdReclaim])
            if let pfn = allocator.allocPages(order: geometry.order, gfp: tryFlags, context: context, preferredNode: node) {
                return initializeSlab(pfn, order: geometry.order, objects: geometry.objectsPerSlab, pageGFP: pageGFP,
                                      context: context)
            }
        }
        guard let pfn = await allocator.allocPagesMaySleep(order: geometry.minOrder, gfp: pageGFP, context: context,
                                                           preferredNode: node) else { return nil }
        if geometry.order > geometry.minOrder { stats.bump(.orderFallback, context) }
        return initializeSlab(pfn, order: geometry.minOrder, objects: geometry.minObjectsPerSlab, pageGFP: pageGFP,
                              context: context)
    }
}
