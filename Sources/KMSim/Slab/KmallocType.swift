/// `enum kmalloc_cache_type` (include/linux/slab.h, Linux 6.12 without random kmalloc caches): which
/// array of kmalloc caches a request goes to.
public enum KmallocType: Int, Sendable, CaseIterable {
    /// KMALLOC_NORMAL: `kmalloc-N`.
    case normal
    /// KMALLOC_RECLAIM: `kmalloc-rcl-N`, slab pages are __GFP_RECLAIMABLE.
    case reclaim
    /// KMALLOC_DMA: `dma-kmalloc-N`, slab pages from ZONE_DMA.
    case dma
    /// KMALLOC_CGROUP: `kmalloc-cg-N`, objects charged to the memory cgroup.
    case cgroup

    /// `kmalloc_type()`: DMA wins over RECLAIMABLE, which wins over ACCOUNT; no such bit → normal.
    @inline(__always)
    public init(gfp: GFPFlags) {
        let notNormal: GFPFlags = [.reclaimable, .dma, .account]
        if gfp.isDisjoint(with: notNormal) {
            self = .normal
        } else if gfp.contains(.dma) {
            self = .dma
        } else if gfp.contains(.reclaimable) {
            self = .reclaim
        } else {
            self = .cgroup
        }
    }

    /// The cache name for a size class: `kmalloc_info[]`'s `kmalloc-N`, `kmalloc-rcl-N`, `kmalloc-cg-N`,
    /// `dma-kmalloc-N`, with sizes from 1024 written `1k`, `2k`...
    public func cacheName(size: Int) -> String {
        let sizeName = size >= 1024 ? "\(size / 1024)k" : "\(size)"
        switch self {
        case .normal: return "kmalloc-\(sizeName)"
        case .reclaim: return "kmalloc-rcl-\(sizeName)"
        case .dma: return "dma-kmalloc-\(sizeName)"
        case .cgroup: return "kmalloc-cg-\(sizeName)"
        }
    }

    /// The `SlabFlags` the kernel's `new_kmalloc_cache()` gives this kind.
    var slabFlags: SlabFlags {
        switch self {
        case .normal: return .kmalloc
        case .reclaim: return [.kmalloc, .reclaimAccount]
        case .dma: return [.kmalloc, .cacheDMA]
        case .cgroup: return [.kmalloc, .account]
        }
    }
}

/// The kmalloc size classes and `kmalloc_slab()`'s index computation (mm/slab_common.c).
public enum KmallocSizes {
    /// KMALLOC_SHIFT_LOW on x86-64 (KMALLOC_MIN_SIZE 8).
    static let shiftLow = 3
    /// KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1: the largest cache is 8 KiB.
    static let shiftHigh = 13
    /// KMALLOC_MAX_CACHE_SIZE: above this, kmalloc goes to the page allocator (`kmalloc_large`).
    public static let maxCacheSize = 1 << shiftHigh
    /// KMALLOC_MAX_SIZE = 1 << (MAX_PAGE_ORDER + PAGE_SHIFT): 4 MiB.
    public static let maxSize = 1 << (10 + 12)

    /// `kmalloc_size_index[]` for sizes up to 192, written as comparisons: 1...8 → 3 (kmalloc-8),
    /// ...16 → 4, ...32 → 5, ...64 → 6, ...96 → 1 (kmalloc-96), ...128 → 7, ...192 → 2 (kmalloc-192).
    @inline(__always)
    static func smallSizeIndex(_ size: Int) -> Int {
        if size <= 64 {
            return size <= 8 ? 3 : size <= 16 ? 4 : size <= 32 ? 5 : 6
        }
        return size <= 96 ? 1 : size <= 128 ? 7 : 2
    }

    /// The size of the cache at kmalloc index `index` (`kmalloc_size()`).
    public static func size(ofIndex index: Int) -> Int {
        switch index {
        case 1: return 96
        case 2: return 192
        default: return 1 << index
        }
    }

    /// Every index with a cache, in the kernel's creation order of sizes.
    public static let indices: [Int] = Array(shiftLow...shiftHigh) + [1, 2]

    /// `kmalloc_index()` via `kmalloc_slab()`: the cache index serving `size` bytes (1...8192).
    @inline(__always)
    public static func index(forSize size: Int) -> Int {
        if size <= 192 {
            return smallSizeIndex(size)
        }
        return Int.bitWidth - (size - 1).leadingZeroBitCount
    }
}
