/// kmalloc for callers that may sleep (process context, blocking mask): the same caches and the same
/// `kmalloc_large` pages as `kmalloc`, through the sleeping entry points (`KMemCache.allocMaySleep`,
/// `PageAllocator.allocPagesMaySleep`), on the caller's executor like them (`nonisolated(nonsending)`,
/// see `KMemCache`'s sleeping entry points).
extension SlabAllocator {
    /// `kmalloc()` for a task that may sleep. Non-blocking masks and atomic callers get `kmalloc`.
    public nonisolated(nonsending) func kmallocMaySleep(_ size: Int, gfp: GFPFlags, context: ExecutionContext,
                                                        caller: StaticString = #function) async -> UnsafeMutableRawPointer? {
        await kmallocNodeMaySleep(size, gfp: gfp, node: nil, context: context, caller: caller)
    }

    /// `kmalloc_node()` for a task that may sleep.
    public nonisolated(nonsending) func kmallocNodeMaySleep(_ size: Int, gfp: GFPFlags, node: Int?,
                                                            context: ExecutionContext,
                                                            caller: StaticString = #function) async -> UnsafeMutableRawPointer? {
        guard gfp.allowsBlocking && !context.isAtomic else {
            return kmallocNode(size, gfp: gfp, node: node, context: context, caller: caller)
        }
        if size > 0 && size <= KmallocSizes.maxCacheSize {
            guard let cache = kmallocCache(size: size, gfp: gfp) else { return nil }
            if let node, node < 0 || node >= env.nodeCount { return nil }
            return await cache.slabAllocNodeMaySleep(gfp: gfp, node: node, context: context, caller: caller, origSize: size)
        }
        if size == 0 { return Self.zeroSizePointer }
        guard let order = kmallocLargeOrder(size, gfp: gfp, node: node, context: context, caller: caller),
              let pfn = await env.pageAllocator.allocPagesMaySleep(order: order, gfp: gfp.union(.comp), context: context,
                                                                   preferredNode: node) else { return nil }
        return finishKmallocLarge(pfn, order: order, context: context)
    }

    /// `kzalloc()` for a task that may sleep.
    public nonisolated(nonsending) func kzallocMaySleep(_ size: Int, gfp: GFPFlags, context: ExecutionContext,
                                                        caller: StaticString = #function) async -> UnsafeMutableRawPointer? {
        await kmallocNodeMaySleep(size, gfp: gfp.union(.zero), node: nil, context: context, caller: caller)
    }
}
