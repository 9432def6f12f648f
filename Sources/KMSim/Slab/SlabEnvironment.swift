import Atomics
import Dispatch

/// What every cache of one machine shares: the page allocator its slabs come from, the CPU → node map,
/// the bug report log, the `&n->list_lock` lock class, and the clock used for `jiffies`-style ages in alloc/free
/// tracks.
///
/// Immutable after `init`; its members are themselves thread-safe, and `cacheTable` is only accessed
/// through atomics, hence `@unchecked Sendable`.
final class SlabEnvironment: @unchecked Sendable {
    let pageAllocator: PageAllocator
    let cpuCount: Int
    let nodeCount: Int
    /// The node of each CPU (`cpu_to_mem()`).
    let cpuNode: [Int]
    /// `slub_min_objects=`, `slub_min_order=`, `slub_max_order=` and `cpu_partial` settings.
    let tunables: KernelTunables
    let reporter: SlabReporter
    let listLockClass: LockClass
    /// `failslab`'s hook (`should_failslab()`), nil without fault injection: fixed at boot, so the
    /// allocation path tests it with one predictable branch.
    let faults: FaultInjection?
    /// Host monotonic time at boot, for `jiffies`.
    let bootNanoseconds: UInt64
    /// Cache id → unretained `KMemCache` (0: none), read with relaxed-acquire atomics by `virt_to_cache`;
    /// the registry of the `SlabAllocator` keeps the caches alive.
    let cacheTable: UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>
    /// Entries of `cacheTable`; ids run from 1.
    static let maxCaches = 4096
    /// Each node's frame table offset by its first PFN (`frameBases[n] + pfn` is the frame of a PFN of
    /// node n), so `virt_to_slab()` is arithmetic and one load of this table, with no reference counting,
    /// on the free fast path: the kernel's `pfn_to_page()` over per-node `mem_map`s.
    let frameBases: UnsafeMutablePointer<UnsafeMutablePointer<PageFrame>>
    /// The direct map's first byte and size. The nodes' arenas are its consecutive slices, so an
    /// address's PFN is `(address - base) >> 12` and its page starts at `base + pfn << 12`.
    let directMapBase: UInt
    let directMapBytes: UInt
    /// The page allocator's PFN → node layout (`pfn_to_nid()`), copied so the free path need not
    /// reach it through the allocator.
    let nodeLayout: NodePFNLayout

    init(pageAllocator: PageAllocator, cpuNode: [Int], nodeCount: Int, bugReports: BugReports,
         lockStat: LockStatRegistry, faults: FaultInjection?, tunables: KernelTunables = KernelTunables()) {
        self.pageAllocator = pageAllocator
        self.faults = faults
        self.tunables = tunables
        self.cpuCount = cpuNode.count
        self.cpuNode = cpuNode
        self.nodeCount = nodeCount
        self.reporter = SlabReporter(bugReports: bugReports)
        self.listLockClass = lockStat.lockClass(named: "&n->list_lock")
        self.bootNanoseconds = DispatchTime.now().uptimeNanoseconds
        cacheTable = UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>.allocate(capacity: Self.maxCaches)
        cacheTable.initialize(repeating: UnsafeAtomic<UInt>.Storage(0), count: Self.maxCaches)
        directMapBase = UInt(bitPattern: pageAllocator.directMap.base)
        directMapBytes = UInt(pageAllocator.directMap.bytes)
        nodeLayout = pageAllocator.nodeLayout
        frameBases = .allocate(capacity: max(pageAllocator.nodes.count, 1))
        for (index, memory) in pageAllocator.nodes.enumerated() {
            (frameBases + index).initialize(to: memory.framesByPFN)
        }
    }

    deinit {
        cacheTable.deallocate()
        frameBases.deallocate()
    }

    /// Publishes (or, with nil, withdraws) the cache of `id`.
    func setCache(_ cache: KMemCache?, id: Int) {
        let bits = cache.map { UInt(bitPattern: Unmanaged.passUnretained($0).toOpaque()) } ?? 0
        UnsafeAtomic<UInt>(at: cacheTable + id).store(bits, ordering: .releasing)
    }

    /// `slab->slab_cache`: the cache of id `id`, nil for an id not in use.
    @inline(__always)
    func cache(id: Int) -> Unmanaged<KMemCache>? {
        guard id > 0 && id < Self.maxCaches else { return nil }
        let bits = UnsafeAtomic<UInt>(at: cacheTable + id).load(ordering: .acquiring)
        guard let pointer = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged.fromOpaque(pointer)
    }

    /// What `virt_to_slab()` / `virt_to_folio()` find for an address.
    enum Owner {
        /// A slab object's page: the slab, the address of its first page, and its cache.
        case slab(Slab, base: UInt, Unmanaged<KMemCache>)
        /// The head of a `kmalloc_large` allocation of `order`.
        case large(PFN, order: Int)
        /// Not in the machine's memory, or a page that is neither.
        case none
    }

    /// Marker in `PageFrame.owner` of the head page of a `kmalloc_large` allocation.
    static let kmallocLargeOwner: UInt32 = 0xFFFF_FFFE

    /// `virt_to_slab()`: from an address to its slab (through the compound head) and cache.
    @inline(__always)
    func owner(of address: UnsafeRawPointer) -> Owner {
        let offset = UInt(bitPattern: address) &- directMapBase
        guard offset < directMapBytes else { return .none }
        let pfn = Int(offset >> 12)
        let node = nodeLayout.node(of: pfn)
        let frames = frameBases[node]
        var frame = frames + pfn
        var head = pfn
        if frame.pointee.flags & PageFlags.tail.rawValue != 0 {
            head = Int(frame.pointee.owner)
            guard head >= nodeLayout.startPFN(ofNode: node) && head <= pfn else { return .none }
            frame = frames + head
        }
        let flags = frame.pointee.flags
        if flags & PageFlags.slab.rawValue != 0, let cache = cache(id: Int(frame.pointee.owner)) {
            return .slab(Slab(pfn: head, frame: frame), base: directMapBase &+ UInt(head) &<< 12, cache)
        }
        if flags & PageFlags.head.rawValue != 0 && frame.pointee.owner == Self.kmallocLargeOwner {
            return .large(head, order: Int(frame.pointee.order))
        }
        return .none
    }

    /// `slab_nid()`: the node a PFN belongs to.
    @inline(__always)
    func node(ofPFN pfn: PFN) -> Int { pageAllocator.node(of: pfn) }

    /// `mod_node_page_state(NR_SLAB_(UN)RECLAIMABLE_B)` when a slab (or a kmalloc_large allocation) is
    /// created (`delta` 1) or freed (-1), in pages as /proc/vmstat shows them.
    func accountSlabPages(order: Int, reclaimable: Bool, delta: Int, context: ExecutionContext) {
        pageAllocator.vmstat.count(reclaimable ? .nrSlabReclaimable : .nrSlabUnreclaimable, delta << order, context: context)
    }

    /// `jiffies` with HZ = 1000: milliseconds since the machine booted.
    var jiffies: UInt64 {
        if let clock = VirtualClock.current { return UInt64(max(0, clock.now)) / 1_000_000 }
        return (DispatchTime.now().uptimeNanoseconds - bootNanoseconds) / 1_000_000
    }
}
