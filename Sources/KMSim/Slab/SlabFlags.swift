/// A cache's `slab_flags_t` (include/linux/slab.h): the `slub_debug=` letters plus the flags that pick
/// where a cache's slab pages come from and how they are accounted.
///
/// The debug letters are the kernel's: `F` sanity checks (SLAB_CONSISTENCY_CHECKS), `Z` red zones
/// (SLAB_RED_ZONE), `P` poisoning (SLAB_POISON), `U` alloc/free tracking (SLAB_STORE_USER). Any of them
/// makes `kmem_cache_debug(s)` true, which sends every allocation and free through the node partial lists
/// under `n->list_lock` (no per-CPU fast path and no CPU partial list, as in the kernel).
public struct SlabFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `F`, SLAB_CONSISTENCY_CHECKS: check slab and object metadata on every alloc and free.
    public static let consistencyChecks = SlabFlags(rawValue: 0x0000_0100)
    /// `Z`, SLAB_RED_ZONE: guard bytes left and right of each object.
    public static let redZone = SlabFlags(rawValue: 0x0000_0400)
    /// `P`, SLAB_POISON: fill free objects with 0x6b (last byte 0xa5), padding with 0x5a.
    public static let poison = SlabFlags(rawValue: 0x0000_0800)
    /// `U`, SLAB_STORE_USER: record who allocated and freed each object.
    public static let storeUser = SlabFlags(rawValue: 0x0001_0000)
    /// SLAB_HWCACHE_ALIGN: align objects to the cache line.
    public static let hwcacheAlign = SlabFlags(rawValue: 0x0000_2000)
    /// SLAB_CACHE_DMA: slab pages from ZONE_DMA (`dma-kmalloc-N`).
    public static let cacheDMA = SlabFlags(rawValue: 0x0000_4000)
    /// SLAB_RECLAIM_ACCOUNT: slab pages are __GFP_RECLAIMABLE and count in nr_slab_reclaimable.
    public static let reclaimAccount = SlabFlags(rawValue: 0x0002_0000)
    /// SLAB_ACCOUNT: objects are charged to the memory cgroup (`kmalloc-cg-N`).
    public static let account = SlabFlags(rawValue: 0x0400_0000)
    /// SLAB_FAILSLAB: `failslab` may fail this cache's allocations under `cache-filter`
    /// (`/sys/kernel/slab/<cache>/failslab`, a workload's `faults.failslab.caches`).
    public static let failslab = SlabFlags(rawValue: 0x0200_0000)
    /// SLAB_KMALLOC: one of the kmalloc caches.
    public static let kmalloc = SlabFlags(rawValue: 0x1000_0000)

    /// `slub_debug=FZPU`: every debug feature.
    public static let debugAll: SlabFlags = [.consistencyChecks, .redZone, .poison, .storeUser]
    /// The flags that make `kmem_cache_debug(s)` true (SLAB_DEBUG_FLAGS).
    public static let debugFlags: SlabFlags = debugAll

    /// Reads a `slub_debug=` option string: the letters F, Z, P, U (either case); `-` turns debugging off
    /// and an empty string means all of them, as `slub_debug` alone does. Returns nil for any other letter
    /// (the kernel's T, A and O are not modelled).
    public static func parseDebug(_ text: String) -> SlabFlags? {
        var flags: SlabFlags = []
        for character in text {
            switch character {
            case "F", "f": flags.insert(.consistencyChecks)
            case "Z", "z": flags.insert(.redZone)
            case "P", "p": flags.insert(.poison)
            case "U", "u": flags.insert(.storeUser)
            case "-": return []
            default: return nil
            }
        }
        return text.isEmpty ? .debugAll : flags
    }

    /// The debug letters, as `/sys/kernel/slab/<cache>/` and the kernel's boot messages spell them.
    public var description: String {
        var letters = ""
        if contains(.consistencyChecks) { letters += "F" }
        if contains(.redZone) { letters += "Z" }
        if contains(.poison) { letters += "P" }
        if contains(.storeUser) { letters += "U" }
        return letters.isEmpty ? "-" : letters
    }
}
