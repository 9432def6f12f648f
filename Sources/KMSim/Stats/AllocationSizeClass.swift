/// The size class of an allocation for latency statistics: which allocator API served it and a
/// power-of-two bucket of its size.
public struct AllocationSizeClass: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The allocator entry point.
    public enum API: Int, Sendable, CaseIterable, Codable {
        /// `alloc_pages()`: the bucket is the order.
        case pages
        /// `kmalloc()` / `kmem_cache_alloc()` served by a slab: the bucket is ceil(log2(size)).
        case slab
        /// `kmalloc_large()` (above `KMALLOC_MAX_CACHE_SIZE`, straight from the page allocator): order.
        case kmallocLarge
        /// `vmalloc()`: ceil(log2(pages)).
        case vmalloc

        public var name: String {
            switch self {
            case .pages: "alloc_pages"
            case .slab: "kmalloc"
            case .kmallocLarge: "kmalloc_large"
            case .vmalloc: "vmalloc"
            }
        }
    }

    /// Buckets per API (0...31).
    public static let bucketCount = 32

    public let api: API
    /// The power-of-two bucket, clamped to 0...31.
    public let bucket: Int

    public init(api: API, bucket: Int) {
        self.api = api
        self.bucket = min(max(bucket, 0), Self.bucketCount - 1)
    }

    /// A page allocation of `order`.
    public static func pages(order: Int) -> AllocationSizeClass { .init(api: .pages, bucket: order) }

    /// A slab object of `size` bytes, bucketed by ceil(log2(size)) (8 → 3, 96 → 7, 4096 → 12).
    public static func slab(size: Int) -> AllocationSizeClass { .init(api: .slab, bucket: ceilLog2(size)) }

    /// A `kmalloc_large()` of `order`.
    public static func kmallocLarge(order: Int) -> AllocationSizeClass { .init(api: .kmallocLarge, bucket: order) }

    /// A vmalloc of `pages` pages, bucketed by ceil(log2(pages)).
    public static func vmalloc(pages: Int) -> AllocationSizeClass { .init(api: .vmalloc, bucket: ceilLog2(pages)) }

    @inline(__always)
    static func ceilLog2(_ value: Int) -> Int {
        value <= 1 ? 0 : Int.bitWidth - (value - 1).leadingZeroBitCount
    }

    /// Dense index: `api * 32 + bucket`.
    var index: Int { api.rawValue * Self.bucketCount + bucket }

    static let indexCount = API.allCases.count * bucketCount

    init(index: Int) {
        self.init(api: API(rawValue: index / Self.bucketCount) ?? .pages, bucket: index % Self.bucketCount)
    }

    public var description: String {
        switch api {
        case .pages, .kmallocLarge: "\(api.name) order-\(bucket)"
        case .slab: "\(api.name) \(bucket == 0 ? 1 : 1 << bucket)B"
        case .vmalloc: "\(api.name) \(1 << bucket)p"
        }
    }
}
