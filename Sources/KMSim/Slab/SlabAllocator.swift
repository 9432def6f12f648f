import Synchronization

/// The machine's slab allocator: the list of caches (`slab_caches` under `slab_mutex`), the kmalloc
/// caches (`kmalloc_caches[type][index]`), and `slub_debug=` given at boot.
///
/// Synchronisation: `registry` is a `Mutex` (the kernel's `slab_mutex`), taken only to create, destroy
/// and list caches; the object paths find caches without it, through the atomic id table of
/// `SlabEnvironment` (for frees) or `kmallocCaches`, written once in `init` and read-only after. Hence
/// `@unchecked Sendable`.
public final class SlabAllocator: @unchecked Sendable {
    let env: SlabEnvironment
    /// `slub_debug=` flags and the caches they apply to (empty: every cache).
    public let debugFlags: SlabFlags
    public let debugCaches: Set<String>
    private let registry: OrderedMutex<Registry>
    /// `kmalloc_caches[type][index]` flattened as `type * indexCount + index`, unretained (the registry
    /// keeps them alive, and kmalloc caches are never destroyed) so the kmalloc fast path does no
    /// reference counting.
    let kmallocCaches: UnsafeMutablePointer<Unmanaged<KMemCache>?>
    static let indexCount = KmallocSizes.shiftHigh + 1

    struct Registry {
        /// Live caches, oldest first.
        var caches: [KMemCache] = []
        var nextID = 1
        var freeIDs: [Int] = []
    }

    /// Boots SLUB over `pageAllocator` (`kmem_cache_init()` + `create_kmalloc_caches()`): `cpuNodes[i]`
    /// is the node of CPU i, one entry for each CPU of `pageAllocator`'s machine. `debug` is `slub_debug=`'s letters, for the caches named in `debugCaches`
    /// or, when that is empty, for all of them. `faults` installs `failslab`'s hook when it has one (and
    /// marks the caches its `cache-filter` list names with SLAB_FAILSLAB). `tunables` are the `slub_*=`
    /// boot parameters and `cpu_partial` settings.
    public init(pageAllocator: PageAllocator, cpuNodes: [Int], nodeCount: Int, lockStat: LockStatRegistry,
                bugReports: BugReports, debug: SlabFlags = [], debugCaches: Set<String> = [],
                faults: FaultInjection? = nil, tunables: KernelTunables = KernelTunables()) {
        let faults = faults?.hooksSlab == true ? faults : nil
        let env = SlabEnvironment(pageAllocator: pageAllocator, cpuNode: cpuNodes, nodeCount: nodeCount,
                                  bugReports: bugReports, lockStat: lockStat, faults: faults, tunables: tunables)
        self.env = env
        self.debugFlags = debug.intersection(.debugFlags)
        self.debugCaches = debugCaches
        var registry = Registry()
        let slots = KmallocType.allCases.count * Self.indexCount
        let kmalloc = UnsafeMutablePointer<Unmanaged<KMemCache>?>.allocate(capacity: slots)
        kmalloc.initialize(repeating: nil, count: slots)
        for type in KmallocType.allCases {
            for index in KmallocSizes.indices {
                let size = KmallocSizes.size(ofIndex: index)
                let name = type.cacheName(size: size)
                let align = size & (size - 1) == 0 ? size : 8
                var flags = type.slabFlags
                if debugCaches.isEmpty || debugCaches.contains(name) { flags.formUnion(debug.intersection(.debugFlags)) }
                if faults?.marksFailslab(name) == true { flags.insert(.failslab) }
                if let cache = KMemCache(name: name, id: registry.nextID, size: size, align: align, flags: flags,
                                         constructor: nil, env: env) {
                    env.setCache(cache, id: registry.nextID)
                    registry.nextID += 1
                    registry.caches.append(cache)
                    kmalloc[type.rawValue * Self.indexCount + index] = Unmanaged.passUnretained(cache)
                }
            }
        }
        self.kmallocCaches = kmalloc
        self.registry = OrderedMutex(registry)
    }

    deinit { kmallocCaches.deallocate() }

    /// `kmem_cache_create()`: a cache of `size`-byte objects aligned to `align` (0: a word), with
    /// `flags` and an optional constructor run once per object when its slab is made. Returns nil for a
    /// size or alignment SLUB cannot lay out, or when all cache ids are in use.
    public func kmemCacheCreate(name: String, size: Int, align: Int = 0, flags: SlabFlags = [],
                                constructor: (@Sendable (UnsafeMutableRawPointer) -> Void)? = nil) -> KMemCache? {
        var cacheFlags = flags.subtracting(.kmalloc)
        if debugCaches.isEmpty || debugCaches.contains(name) { cacheFlags.formUnion(debugFlags) }
        if env.faults?.marksFailslab(name) == true { cacheFlags.insert(.failslab) }
        return registry.withLock { registry -> KMemCache? in
            let id = registry.freeIDs.popLast() ?? registry.nextID
            guard id < SlabEnvironment.maxCaches,
                  let cache = KMemCache(name: name, id: id, size: size, align: align, flags: cacheFlags,
                                        constructor: constructor, env: env) else { return nil }
            if id == registry.nextID { registry.nextID += 1 }
            env.setCache(cache, id: id)
            registry.caches.append(cache)
            return cache
        }
    }

    /// `kmem_cache_destroy()`: flushes every CPU's slabs of the cache, frees its empty slabs, and removes
    /// it. If objects remain, reports them as `__kmem_cache_shutdown()` does ("Objects remaining in <cache>
    /// on __kmem_cache_shutdown()" and the leftover objects of each partial slab), warns that the cache
    /// still has objects, keeps it, and returns false. The caller must have stopped using the cache.
    @discardableResult
    public func kmemCacheDestroy(_ cache: KMemCache, context: ExecutionContext, caller: StaticString = #function) -> Bool {
        guard context.cpu >= 0 && context.cpu < env.cpuCount else { return false }
        if cache.shutdown(context: context) {
            cache.reportStillHasObjects(context: context, caller: caller)
            return false
        }
        registry.withLock { registry in
            guard let position = registry.caches.firstIndex(where: { $0 === cache }) else { return }
            env.setCache(nil, id: cache.id)
            registry.caches.remove(at: position)
            registry.freeIDs.append(cache.id)
        }
        return true
    }

    /// Every live cache, newest first (the order of `slab_caches` and of /proc/slabinfo).
    public var caches: [KMemCache] { registry.withLock { Array($0.caches.reversed()) } }

    /// The cache named `name`, if any (the newest of that name).
    public func cache(named name: String) -> KMemCache? { caches.first { $0.name == name } }

    /// Every cache's census problems, plus the slab pages vmstat counts against the pages the caches
    /// hold (kmalloc_large pages included on both sides). Call while the machine is quiet.
    public func checkInvariants(pfnCount: Int) -> [String] {
        let caches = self.caches
        var indexOfID = [Int](repeating: -1, count: SlabEnvironment.maxCaches)
        for (index, cache) in caches.enumerated() where cache.id < indexOfID.count { indexOfID[cache.id] = index }
        var censuses = [SlabCensus](repeating: SlabCensus(), count: caches.count)
        var slabPages = 0
        SlabFrameWalk.visit(env.pageAllocator, pfnCount: pfnCount) { pfn, frame in
            let flags = frame.pointee.flags
            let owner = frame.pointee.owner
            if flags & PageFlags.slab.rawValue != 0 {
                let index = Int(owner) < indexOfID.count ? indexOfID[Int(owner)] : -1
                if index >= 0 { caches[index].countSlab(pfn: pfn, frame: frame, into: &censuses[index]) }
            } else if flags & PageFlags.head.rawValue != 0 && owner == SlabEnvironment.kmallocLargeOwner {
                slabPages += 1 << Int(frame.pointee.order)
            }
        }
        var problems: [String] = []
        for (index, cache) in caches.enumerated() {
            cache.finishCensus(&censuses[index], pfnCount: pfnCount)
            problems += censuses[index].problems
            slabPages += censuses[index].pages
        }
        let vmstat = env.pageAllocator.vmstat
        let counted = vmstat.value(.nrSlabReclaimable) + vmstat.value(.nrSlabUnreclaimable)
        if counted != slabPages {
            problems.append("slab: vmstat counts \(counted) slab pages, the caches and kmalloc_large hold \(slabPages)")
        }
        return problems
    }

    /// The bug report counts of slab kinds.
    public func reportCount(_ kind: SlabBugKind) -> Int { env.reporter.bugReports.count(kind.bugKind) }
}
