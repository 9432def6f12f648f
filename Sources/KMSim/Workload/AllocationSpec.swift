/// The allocation interfaces a workload calls, by the kernel function they stand for.
public enum AllocationAPI: String, Sendable, Equatable, CaseIterable {
    /// `kmalloc(size, gfp)`: the kmalloc-N caches, or the page allocator above 8 KiB.
    case kmalloc
    /// `kmem_cache_alloc(cache, gfp)` on a named cache of fixed object size.
    case kmemCache
    /// `alloc_pages(gfp, order)`: 2^order contiguous pages from the buddy allocator.
    case allocPages
    /// `vmalloc(size)`: virtually contiguous pages (blocking masks only).
    case vmalloc
    /// `kvmalloc(size, gfp)`: kmalloc first, vmalloc if that fails and the mask allows blocking.
    case kvmalloc

    /// The C function name, for reports.
    public var kernelName: String {
        switch self {
        case .kmalloc: return "kmalloc"
        case .kmemCache: return "kmem_cache_alloc"
        case .allocPages: return "alloc_pages"
        case .vmalloc: return "vmalloc"
        case .kvmalloc: return "kvmalloc"
        }
    }

    /// Whether a hard or soft interrupt handler may call it: vmalloc maps pages and takes sleeping
    /// locks (`might_sleep()` in `__vmalloc_area_node`), and kvmalloc falls back to it.
    public var isAllowedInInterrupt: Bool { self != .vmalloc && self != .kvmalloc }
}

/// A slab cache made with `kmem_cache_create(name, objectSize, ...)`.
public struct KmemCacheSpec: Sendable, Equatable {
    /// The name /proc/slabinfo shows (`dentry`, `skbuff_head_cache`).
    public var name: String
    public var objectSize: UInt64

    public init(name: String, objectSize: UInt64) {
        self.name = name
        self.objectSize = objectSize
    }
}

/// One kind of allocation: which API, how large, with which GFP mask.
public struct AllocationSpec: Sendable, Equatable {
    public var api: AllocationAPI
    /// Bytes, or the page order for `allocPages`; for `kmemCache`, fixed at the cache's object size.
    public var size: SizeDistribution
    /// The cache for `kmemCache`; nil for the other APIs.
    public var cache: KmemCacheSpec?
    public var gfp: GFPSpec

    public init(api: AllocationAPI, size: SizeDistribution, cache: KmemCacheSpec? = nil, gfp: GFPSpec) {
        self.api = api
        self.size = size
        self.cache = cache
        self.gfp = gfp
    }

    /// `KMALLOC_MAX_SIZE`: 1 << (MAX_PAGE_ORDER + PAGE_SHIFT) = 4 MiB, the largest kmalloc.
    public static let kmallocMaxSize: UInt64 = 1 << (maxPageOrder + 12)
    /// `MAX_PAGE_ORDER` (10 on x86-64): the largest alloc_pages order.
    public static let maxPageOrder: UInt64 = 10
    /// kvmalloc refuses more than `INT_MAX` bytes ("Don't even allow crazy sizes", mm/util.c).
    public static let kvmallocMaxSize: UInt64 = UInt64(Int32.max)
}
