extension SlabAllocator {
    /// `ZERO_SIZE_PTR`: what kmalloc(0) returns; kfree and ksize accept it.
    public static var zeroSizePointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 16).unsafelyUnwrapped }

    /// `kmalloc_slab()`: the cache serving `size` bytes (1...8192) for `gfp`'s kmalloc type.
    public func kmallocCache(size: Int, gfp: GFPFlags) -> KMemCache? {
        guard size > 0 && size <= KmallocSizes.maxCacheSize else { return nil }
        return kmallocCaches[KmallocType(gfp: gfp).rawValue * Self.indexCount + KmallocSizes.index(forSize: size)]?
            .takeUnretainedValue()
    }

    /// `kmalloc()`: `size` bytes from the kmalloc cache of its class and `gfp`'s type, or from the page
    /// allocator above 8 KiB (`kmalloc_large`). kmalloc(0) is `zeroSizePointer`; failure is nil.
    public func kmalloc(_ size: Int, gfp: GFPFlags, context: ExecutionContext,
                        caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        if size > 0 && size <= KmallocSizes.maxCacheSize,
           let cache = kmallocCaches[KmallocType(gfp: gfp).rawValue * Self.indexCount + KmallocSizes.index(forSize: size)] {
            // A transparent local function rather than a closure literal, so that the cache's fast path
            // is inlined here instead of becoming an outlined closure call.
            @_transparent func allocate(_ cache: KMemCache) -> UnsafeMutableRawPointer? {
                cache.slabAllocNode(gfp: gfp, node: nil, context: context, caller: caller, origSize: size)
            }
            return cache._withUnsafeGuaranteedRef(allocate)
        }
        return kmallocNode(size, gfp: gfp, node: nil, context: context, caller: caller)
    }

    /// `kmalloc_node()`: as `kmalloc` with objects (or pages) from `node` (nil: any).
    public func kmallocNode(_ size: Int, gfp: GFPFlags, node: Int?, context: ExecutionContext,
                            caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        if size > 0 && size <= KmallocSizes.maxCacheSize {
            guard let cache = kmallocCaches[KmallocType(gfp: gfp).rawValue * Self.indexCount + KmallocSizes.index(forSize: size)]
            else { return nil }
            if let node, node < 0 || node >= env.nodeCount { return nil }
            return cache._withUnsafeGuaranteedRef {
                $0.slabAllocNode(gfp: gfp, node: node, context: context, caller: caller, origSize: size)
            }
        }
        if size == 0 { return Self.zeroSizePointer }
        return kmallocLarge(size, gfp: gfp, node: node, context: context, caller: caller)
    }

    /// `__kmalloc_large_node()`: a compound page block of `get_order(size)` pages, accounted as
    /// unreclaimable slab memory. Above KMALLOC_MAX_SIZE (4 MiB) the page allocator's order check fires:
    /// a warning (unless __GFP_NOWARN) and nil.
    func kmallocLarge(_ size: Int, gfp: GFPFlags, node: Int?, context: ExecutionContext,
                      caller: StaticString) -> UnsafeMutableRawPointer? {
        guard let order = kmallocLargeOrder(size, gfp: gfp, node: node, context: context, caller: caller),
              let pfn = env.pageAllocator.allocPages(order: order, gfp: gfp.union(.comp), context: context,
                                                     preferredNode: node) else { return nil }
        return finishKmallocLarge(pfn, order: order, context: context)
    }

    /// `__kmalloc_large_node()`'s checks: the order of a large kmalloc, nil (reported unless
    /// __GFP_NOWARN) above KMALLOC_MAX_SIZE or for an unknown CPU or node.
    func kmallocLargeOrder(_ size: Int, gfp: GFPFlags, node: Int?, context: ExecutionContext,
                           caller: StaticString) -> Int? {
        guard size > 0 && size <= KmallocSizes.maxSize else {
            if !gfp.contains(.noWarn) {
                env.reporter.record(.allocationTooLarge, [
                    "------------[ cut here ]------------",
                    "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/page_alloc.c __alloc_pages_noprof",
                    "__alloc_pages_noprof: order > MAX_PAGE_ORDER (kmalloc of \(size) bytes from \(caller), gfp: \(gfp))",
                ])
            }
            return nil
        }
        guard context.cpu >= 0 && context.cpu < env.cpuCount else { return nil }
        if let node, node < 0 || node >= env.nodeCount { return nil }
        return SlabGeometry.getOrder(size)
    }

    /// Marks a large kmalloc's pages and accounts them as unreclaimable slab memory.
    func finishKmallocLarge(_ pfn: PFN, order: Int, context: ExecutionContext) -> UnsafeMutableRawPointer {
        let frame = env.pageAllocator.frame(pfn)
        frame.pointee.owner = SlabEnvironment.kmallocLargeOwner
        frame.pointee.order = UInt8(order)
        env.accountSlabPages(order: order, reclaimable: false, delta: 1, context: context)
        return env.pageAllocator.pageAddress(pfn)
    }

    /// `kfree()`: nil and `zeroSizePointer` do nothing; a slab object goes back to its cache, a
    /// kmalloc_large block to the page allocator; anything else is reported and left alone.
    public func kfree(_ pointer: UnsafeMutableRawPointer?, context: ExecutionContext, caller: StaticString = #function) {
        guard let pointer, pointer != Self.zeroSizePointer else { return }
        guard context.cpu >= 0 && context.cpu < env.cpuCount else { return }
        switch env.owner(of: pointer) {
        case let .slab(slab, base, cache):
            // A transparent local function rather than a closure literal: the free fast path stays inside
            // kfree instead of becoming an outlined closure called with eight arguments.
            @_transparent func free(_ cache: KMemCache) {
                cache.slabFree(slab, base: base, object: UInt(bitPattern: pointer), context: context, caller: caller)
            }
            cache._withUnsafeGuaranteedRef(free)
        case let .large(pfn, order):
            guard pointer == env.pageAllocator.pageAddress(pfn) else {
                reportInvalidFree(pointer, context: context, caller: caller)
                return
            }
            env.pageAllocator.frame(pfn).pointee.owner = 0
            env.accountSlabPages(order: order, reclaimable: false, delta: -1, context: context)
            env.pageAllocator.freePages(pfn, order: order, context: context)
        case .none:
            reportInvalidFree(pointer, context: context, caller: caller)
        }
    }

    func reportInvalidFree(_ pointer: UnsafeMutableRawPointer, context: ExecutionContext, caller: StaticString) {
        env.reporter.record(.invalidFree, [
            "------------[ cut here ]------------",
            "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/slub.c free_large_kmalloc",
            "kfree: object pointer: \(SlabReporter.pointer(UInt(bitPattern: pointer))) is neither a slab object nor a kmalloc_large allocation (from \(caller)); not freed",
        ])
    }

    /// `kzalloc()`.
    public func kzalloc(_ size: Int, gfp: GFPFlags, context: ExecutionContext,
                        caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        kmallocNode(size, gfp: gfp.union(.zero), node: nil, context: context, caller: caller)
    }

    /// `kmalloc_array()`: nil when `count * size` overflows (`check_mul_overflow`).
    public func kmallocArray(count: Int, size: Int, gfp: GFPFlags, context: ExecutionContext,
                             caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        guard count >= 0, size >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else { return nil }
        return kmallocNode(bytes, gfp: gfp, node: nil, context: context, caller: caller)
    }

    /// `kcalloc()`: `kmalloc_array()` with __GFP_ZERO.
    public func kcalloc(count: Int, size: Int, gfp: GFPFlags, context: ExecutionContext,
                        caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        kmallocArray(count: count, size: size, gfp: gfp.union(.zero), context: context, caller: caller)
    }

    /// `ksize()`: the usable size of an allocation (`slab_ksize()` for slab objects, the block size for
    /// kmalloc_large); 0 for nil, `zeroSizePointer` and memory that is neither.
    public func ksize(_ pointer: UnsafeRawPointer?) -> Int {
        guard let pointer, pointer != UnsafeRawPointer(Self.zeroSizePointer) else { return 0 }
        switch env.owner(of: pointer) {
        case let .slab(_, _, cache): return cache._withUnsafeGuaranteedRef { $0.ksize }
        case let .large(_, order): return SlabGeometry.pageSize << order
        case .none: return 0
        }
    }

    /// `krealloc()`: grows or shrinks an allocation, keeping its contents; the same pointer when it
    /// still fits (spare bytes zeroed for __GFP_ZERO); new size 0 frees and returns `zeroSizePointer`.
    /// On failure nil, and the old allocation is left untouched.
    public func krealloc(_ pointer: UnsafeMutableRawPointer?, newSize: Int, gfp: GFPFlags, context: ExecutionContext,
                         caller: StaticString = #function) -> UnsafeMutableRawPointer? {
        if newSize == 0 {
            kfree(pointer, context: context, caller: caller)
            return Self.zeroSizePointer
        }
        var oldSize = 0
        if let pointer, pointer != Self.zeroSizePointer {
            oldSize = ksize(pointer)
            guard oldSize > 0 else {
                reportInvalidFree(pointer, context: context, caller: caller)
                return nil
            }
            if oldSize >= newSize {
                if gfp.contains(.zero) {
                    (pointer + newSize).initializeMemory(as: UInt8.self, repeating: 0, count: oldSize - newSize)
                }
                return pointer
            }
        }
        guard let new = kmallocNode(newSize, gfp: gfp, node: nil, context: context, caller: caller) else { return nil }
        if let pointer, oldSize > 0 {
            new.copyMemory(from: pointer, byteCount: oldSize)
            kfree(pointer, context: context, caller: caller)
        }
        return new
    }
}

extension KMemCache {
    /// `slab_ksize()`: the bytes a caller may use.
    var ksize: Int {
        if !flags.isDisjoint(with: [.redZone, .poison]) { return geometry.objectSize }
        if flags.contains(.storeUser) { return geometry.inuse }
        return geometry.size
    }
}
