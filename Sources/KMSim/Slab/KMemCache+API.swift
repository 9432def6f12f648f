extension KMemCache {
    /// `kmem_cache_alloc()`: one object, nil when no memory could be had (never traps).
    public func alloc(gfp: GFPFlags, context: ExecutionContext, caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        slabAllocNode(gfp: gfp, node: nil, context: context, caller: caller, origSize: geometry.objectSize)
    }

    /// `kmem_cache_alloc_node()`: an object from a slab on `node` (nil: NUMA_NO_NODE, any node, the
    /// CPU's own first).
    public func allocNode(gfp: GFPFlags, node: Int?, context: ExecutionContext,
                          caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        if let node, node < 0 || node >= nodes.count { return nil }
        return slabAllocNode(gfp: gfp, node: node, context: context, caller: caller, origSize: geometry.objectSize)
    }

    /// `kmem_cache_zalloc()`: `kmem_cache_alloc()` with __GFP_ZERO.
    public func zalloc(gfp: GFPFlags, context: ExecutionContext, caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        slabAllocNode(gfp: gfp.union(.zero), node: nil, context: context, caller: caller, origSize: geometry.objectSize)
    }

    /// `kmem_cache_free()`: nil does nothing. The cache is checked against the object's slab
    /// (`cache_from_obj()`): a mismatch is reported ("Wrong slab cache") and the object goes back to
    /// the cache it came from; memory that is no slab object is reported and left alone.
    public func free(_ object: UnsafeMutableRawPointer?, context: ExecutionContext, caller: StaticString = #function) {
        guard let object else { return }
        guard context.cpu >= 0 && context.cpu < env.cpuCount else {
            _ = reportInvalidCPU(context)
            return
        }
        switch env.owner(of: object) {
        case let .slab(slab, base, cache):
            if cache.toOpaque() == Unmanaged.passUnretained(self).toOpaque() {
                slabFree(slab, base: base, object: UInt(bitPattern: object), context: context, caller: caller)
                return
            }
            reportWrongCache(object: object, actual: cache.takeUnretainedValue(), context: context)
            cache._withUnsafeGuaranteedRef {
                $0.slabFree(slab, base: base, object: UInt(bitPattern: object), context: context, caller: caller)
            }
        case .large, .none:
            env.reporter.record(.invalidFree, [
                "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/slab.h virt_to_cache",
                "kmem_cache_free: Object is not a Slab page!",
                "object pointer: \(SlabReporter.pointer(UInt(bitPattern: object))) (cache \(name))",
            ])
        }
    }

    /// `slab_free()`: one object of `slab`. Frees of addresses that are no object start are reported
    /// and ignored here for every cache (the kernel checks them only with sanity checks on, and would
    /// corrupt its freelist otherwise); caches with sanity checks report them from their own checks.
    @inline(__always)
    func slabFree(_ slab: Slab, base: UInt, object: UInt, context: ExecutionContext, caller: StaticString) {
        if !flags.contains(.consistencyChecks) && !isObjectStart(object, base: base, in: slab) {
            report(.invalidObjectPointer, slabError(slab, "Invalid object pointer \(SlabReporter.pointer(object))"))
            return
        }
        doSlabFree(slab, head: object, tail: object, count: 1, context: context, caller: caller)
    }

    /// `kmem_cache_alloc_bulk()`: fills `objects` completely or not at all; returns the count (0 on
    /// failure, after giving back what it had taken).
    public func allocBulk(gfp: GFPFlags, into objects: UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>,
                          context: ExecutionContext, caller: StaticString = #function) -> Int {
        // One slab_pre_alloc_hook() for the whole bulk, as kmem_cache_alloc_bulk_noprof() does.
        guard !objects.isEmpty, slabPreAllocHook(gfp: gfp, context: context) else { return 0 }
        for index in objects.indices {
            guard let object = slabAllocNodeAfterHook(gfp: gfp, node: nil, context: context, caller: caller,
                                                      origSize: geometry.objectSize) else {
                freeBulk(UnsafeMutableBufferPointer(rebasing: objects[..<index]), context: context, caller: caller)
                return 0
            }
            objects[index] = object
        }
        return objects.count
    }

    /// `kmem_cache_free_bulk()` with `build_detached_freelist()`: consecutive objects of one slab are
    /// chained (the last one first, as the kernel builds it) and freed with a single `do_slab_free` (one compare-and-swap for the group). nil entries
    /// are skipped; the buffer is left as it was.
    public func freeBulk(_ objects: UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>, context: ExecutionContext,
                         caller: StaticString = #function) {
        guard context.cpu >= 0 && context.cpu < env.cpuCount else {
            _ = reportInvalidCPU(context)
            return
        }
        var index = 0
        while index < objects.count {
            guard let first = objects[index] else {
                index += 1
                continue
            }
            guard case let .slab(slab, _, cache) = env.owner(of: first),
                  cache.toOpaque() == Unmanaged.passUnretained(self).toOpaque(),
                  !isDebug, isValidPointer(UInt(bitPattern: first), in: slab) else {
                free(first, context: context, caller: caller)
                index += 1
                continue
            }
            let tail = UInt(bitPattern: first)
            var head = tail
            var count = 1
            index += 1
            while index < objects.count, let next = objects[index],
                  case let .slab(nextSlab, _, _) = env.owner(of: next), nextSlab.pfn == slab.pfn,
                  isValidPointer(UInt(bitPattern: next), in: slab), UInt(bitPattern: next) != head {
                setFreePointer(UInt(bitPattern: next), head)
                head = UInt(bitPattern: next)
                count += 1
                index += 1
            }
            doSlabFree(slab, head: head, tail: tail, count: count, context: context, caller: caller)
        }
    }

    /// `cache_from_obj()`'s warning.
    func reportWrongCache(object: UnsafeMutableRawPointer, actual: KMemCache, context: ExecutionContext) {
        var lines = [
            "------------[ cut here ]------------",
            "kmem_cache_free: Wrong slab cache. \(name) but object is from \(actual.name)",
            "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/slab.h cache_from_obj",
        ]
        lines += actual.trackingLines(UInt(bitPattern: object))
        env.reporter.record(.wrongCache, lines)
    }
}
