import Atomics
import Synchronization

/// `struct kmem_cache` (include/linux/slub_def.h, Linux 6.12): one SLUB cache.
///
/// Objects live in real slab pages from the machine's page allocator; a cache is found from an object's
/// page through `PageFrame.owner` (its `id`), as `virt_to_slab()` finds `slab->slab_cache`. The per-CPU
/// state is a `KMemCacheCPUArea` (see `KMemCacheCPU` for who may change what), the per-node partial lists
/// are `KMemCacheNode`s under their `&n->list_lock`.
///
/// Synchronisation: every stored property is immutable after `init` except the atomics (`destroyed`)
/// and memory reached through the per-CPU area, the node structures and the slab pages, each of which
/// documents its own rules. That is why the class is `@unchecked Sendable`.
public final class KMemCache: @unchecked Sendable {
    /// `s->name`.
    public let name: String
    /// The small integer stored in `PageFrame.owner` of the cache's slab pages.
    public let id: Int
    /// Object and slab layout (`s->size`, `s->offset`, `s->oo`...).
    public let geometry: SlabGeometry
    /// `s->flags`.
    public let flags: SlabFlags
    /// `s->ctor`: run on each object when its slab is created, never again.
    let constructor: (@Sendable (UnsafeMutableRawPointer) -> Void)?
    /// `s->random`: the per-cache key of the hardened free pointers.
    let random: UInt
    /// `s->min_partial`.
    public let minPartial: Int
    /// `s->cpu_partial` (objects) and `s->cpu_partial_slabs` (`slub_set_cpu_partial()`: DIV_ROUND_UP(objects × 2, objects per slab)).
    public let cpuPartialObjects: Int
    public let cpuPartialSlabs: Int
    /// `kmem_cache_debug(s)`: any of F, Z, P, U.
    public let isDebug: Bool
    /// `s->allocflags`: __GFP_COMP plus __GFP_DMA / __GFP_RECLAIMABLE for DMA and reclaimable caches.
    let allocFlags: GFPFlags
    /// `size - 1` when `size` is a power of two, else 0 (the free path's object-start check).
    let sizeMask: UInt
    let env: SlabEnvironment
    let pageAllocator: PageAllocator
    let cpus: KMemCacheCPUArea
    let nodes: [KMemCacheNode]
    let stats: SlabStatCounters
    let destroyed = Atomic<Bool>(false)

    init?(name: String, id: Int, size: Int, align: Int, flags: SlabFlags,
          constructor: (@Sendable (UnsafeMutableRawPointer) -> Void)?, env: SlabEnvironment) {
        guard let geometry = SlabGeometry(objectSize: size, align: align, flags: flags,
                                          hasConstructor: constructor != nil, cpuCount: env.cpuCount,
                                          tunables: env.tunables)
        else { return nil }
        self.name = name
        self.id = id
        self.geometry = geometry
        self.flags = flags
        self.constructor = constructor
        self.random = UInt.random(in: 1 ... .max)
        self.env = env
        self.pageAllocator = env.pageAllocator
        let log2Size = Int.bitWidth - 1 - geometry.size.leadingZeroBitCount
        self.minPartial = min(max(log2Size / 2, 5), 10)
        self.isDebug = !flags.isDisjoint(with: .debugFlags)
        let objects = isDebug ? 0 : env.tunables.cpuPartial(forCache: name) ?? Self.defaultCPUPartial(size: geometry.size)
        self.cpuPartialObjects = objects
        self.cpuPartialSlabs = (objects * 2 + geometry.objectsPerSlab - 1) / geometry.objectsPerSlab
        var allocFlags: GFPFlags = .comp
        if flags.contains(.cacheDMA) { allocFlags.insert(.dma) }
        if flags.contains(.reclaimAccount) { allocFlags.insert(.reclaimable) }
        self.allocFlags = allocFlags
        self.sizeMask = geometry.size & (geometry.size - 1) == 0 ? UInt(geometry.size - 1) : 0
        self.cpus = KMemCacheCPUArea(cpuCount: env.cpuCount, directMapBase: env.directMapBase,
                                     irqMask: VirtualClock.booting == nil ? env.listLockClass.irqMask : nil)
        self.nodes = (0..<env.nodeCount).map { KMemCacheNode(node: $0, listLock: SpinLock(class: env.listLockClass)) }
        self.stats = SlabStatCounters(cpuCount: env.pageAllocator.spec.cpuCount, kernelThreadCPUs: env.pageAllocator.spec.kernelThreadCPUs)
    }

    /// `set_cpu_partial()`'s default `cpu_partial` for a cache of slot size `size`: fewer objects for
    /// larger ones. (A debug cache has none: `kmem_cache_has_cpu_partial()` is false, and the kernel
    /// refuses a non-zero `cpu_partial` for it; a workload's setting is ignored there.)
    static func defaultCPUPartial(size: Int) -> Int {
        if size >= SlabGeometry.pageSize { return 6 }
        if size >= 1024 { return 24 }
        if size >= 256 { return 52 }
        return 120
    }

    deinit {
        cpus.deallocate()
    }

    /// `s->object_size`.
    public var objectSize: Int { geometry.objectSize }
    /// `s->size`.
    public var size: Int { geometry.size }

    /// The `Slab` view of head PFN `pfn`.
    @inline(__always)
    func slab(_ pfn: PFN) -> Slab { Slab(pfn: pfn, frame: pageAllocator.frame(pfn)) }

    /// `slab_address()` as an integer.
    @inline(__always)
    func slabBase(_ slab: Slab) -> UInt { UInt(bitPattern: pageAllocator.pageAddress(slab.pfn)) }

    /// The address of object `index` of a slab (`fixup_red_left(s, start + index * s->size)`).
    @inline(__always)
    func objectAddress(base: UInt, index: Int) -> UInt {
        base + UInt(index * geometry.size + geometry.redLeftPad)
    }

    /// The summed `stat()` counter `item`.
    public func statistic(_ item: SlabStat) -> UInt64 { stats.sum(item) }

    /// `stat()` counter `item` of one CPU (both of its sides).
    public func statistic(_ item: SlabStat, cpu: Int) -> UInt64 { stats.value(item, cpu: cpu) }
}
