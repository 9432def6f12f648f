extension KMemCache {
    /// GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK (mm/internal.h): the caller's bits a slab page inherits.
    static let slabPageGFPMask: GFPFlags = [
        .directReclaim, .kswapdReclaim, .high, .io, .fs, .write, .noWarn, .retryMayFail, .noFail,
        .noRetry, .memalloc, .noMemalloc, .hardwall, .thisNode,
    ]

    /// `allocate_slab()`: a slab of the preferred order without warning or retrying (and without direct
    /// reclaim when that order is above the minimum), then the minimum order with the caller's flags
    /// (ORDER_FALLBACK). Builds the freelist through every object (`setup_object`: debug init, then the
    /// constructor) and counts the slab on its node (`inc_slabs_node`). Returns the slab unfrozen with all
    /// objects free, or nil.
    func allocateSlab(gfp: GFPFlags, node: Int?, context: ExecutionContext) -> Slab? {
        let pageGFP = gfp.intersection(Self.slabPageGFPMask).union(allocFlags)
        var tryFlags = pageGFP.union([.noWarn, .noRetry]).subtracting(.noFail)
        if tryFlags.contains(.directReclaim) && geometry.order > geometry.minOrder {
            tryFlags = tryFlags.union(.noMemalloc).subtracting([.directReclaim, .kswapdReclaim])
        }
        var order = geometry.order
        var objects = geometry.objectsPerSlab
        var pfn = pageAllocator.allocPages(order: order, gfp: tryFlags, context: context, preferredNode: node)
        if pfn == nil && geometry.minOrder < order {
            order = geometry.minOrder
            objects = geometry.minObjectsPerSlab
            pfn = pageAllocator.allocPages(order: order, gfp: pageGFP, context: context, preferredNode: node)
            if pfn != nil { stats.bump(.orderFallback, context) }
        }
        guard let pfn else { return nil }
        return initializeSlab(pfn, order: order, objects: objects, pageGFP: pageGFP, context: context)
    }

    /// The second half of `allocate_slab()`: turns freshly allocated pages into an unfrozen slab with
    /// every object on its freelist (debug init and constructor per object) and counts it on its node.
    func initializeSlab(_ pfn: PFN, order: Int, objects: Int, pageGFP: GFPFlags, context: ExecutionContext) -> Slab {
        let slab = slab(pfn)
        slab.frame.pointee.flags |= PageFlags.slab.rawValue
        slab.frame.pointee.owner = UInt32(id)
        slab.next = KMemCacheCPU.noSlab
        slab.prev = KMemCacheCPU.noSlab

        let base = slabBase(slab)
        if flags.contains(.poison) {
            UnsafeMutableRawPointer(bitPattern: base).unsafelyUnwrapped
                .initializeMemory(as: UInt8.self, repeating: SlabPoison.inUse, count: SlabGeometry.pageSize << order)
        }
        var next: UInt = 0
        for index in stride(from: objects - 1, through: 0, by: -1) {
            let object = objectAddress(base: base, index: index)
            setupObject(object)
            setFreePointer(object, next)
            next = object
        }
        slab.set(freelist: next, counters: SlabCounters(inuse: 0, objects: objects, frozen: false))
        let node = nodes[env.node(ofPFN: pfn)]
        node.nrSlabs.add(1, ordering: .relaxed)
        node.totalObjects.add(objects, ordering: .relaxed)
        env.accountSlabPages(order: order, reclaimable: pageGFP.contains(.reclaimable), delta: 1, context: context)
        return slab
    }

    /// `setup_object()`: debug initialisation of a new object, then the constructor.
    func setupObject(_ object: UInt) {
        if isDebug { initDebugObject(object, redValue: SlabPoison.redInactive, fresh: true) }
        if let constructor { constructor(UnsafeMutableRawPointer(bitPattern: object).unsafelyUnwrapped) }
    }

    /// The order of a slab with `objects` objects (the preferred order, or the fallback).
    func slabOrder(objects: Int) -> Int {
        objects == geometry.objectsPerSlab ? geometry.order : geometry.minOrder
    }

    /// `discard_slab()`: uncount the slab on its node, check its objects when the cache does sanity
    /// checks (`free_slab()`), and give the pages back (`__free_slab()`).
    func discardSlab(_ slab: Slab, context: ExecutionContext) {
        let objects = slab.counters.objects
        let node = nodes[env.node(ofPFN: slab.pfn)]
        node.nrSlabs.subtract(1, ordering: .relaxed)
        node.totalObjects.subtract(objects, ordering: .relaxed)
        if flags.contains(.consistencyChecks) { checkFreeSlab(slab) }
        let order = slabOrder(objects: objects)
        env.accountSlabPages(order: order, reclaimable: allocFlags.contains(.reclaimable), delta: -1, context: context)
        slab.frame.pointee.flags &= ~PageFlags.slab.rawValue
        slab.frame.pointee.owner = 0
        slab.set(freelist: 0, counters: SlabCounters(rawValue: 0))
        pageAllocator.freePages(slab.pfn, order: order, context: context)
        stats.bump(.freeSlab, context)
    }
}

/// The byte patterns of include/linux/poison.h.
enum SlabPoison {
    /// POISON_INUSE: slab padding and, with poisoning, never-used bytes.
    static let inUse: UInt8 = 0x5a
    /// POISON_FREE: a free object's bytes.
    static let free: UInt8 = 0x6b
    /// POISON_END: the last byte of a free object.
    static let end: UInt8 = 0xa5
    /// SLUB_RED_INACTIVE: red zones around a free object.
    static let redInactive: UInt8 = 0xbb
    /// SLUB_RED_ACTIVE: red zones around an allocated object.
    static let redActive: UInt8 = 0xcc
}
