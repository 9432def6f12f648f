/// The kinds of memory zone, in the kernel's order (`enum zone_type`, include/linux/mmzone.h).
///
/// The raw value is the zone index the kernel uses in zonelists, `lowmem_reserve[]` and
/// `GFP_ZONE_TABLE`: a zonelist for a request falls back from its zone towards lower indices.
public enum ZoneType: Int, CaseIterable, Sendable, Comparable, Codable {
    case dma = 0
    case dma32 = 1
    case normal = 2
    case highMem = 3
    case movable = 4

    /// The name /proc/zoneinfo and /proc/buddyinfo print (`zone_names[]` in mm/page_alloc.c).
    public var kernelName: String {
        switch self {
        case .dma: return "DMA"
        case .dma32: return "DMA32"
        case .normal: return "Normal"
        case .highMem: return "HighMem"
        case .movable: return "Movable"
        }
    }

    /// The lowercase suffix vmstat uses in `pgalloc_<zone>` and `allocstall_<zone>`.
    public var vmstatSuffix: String { kernelName.lowercased() }

    /// `sysctl_lowmem_reserve_ratio[]` defaults: DMA 256, DMA32 256, Normal 32, HighMem 0, Movable 0.
    public var lowmemReserveRatio: Int {
        switch self {
        case .dma, .dma32: return 256
        case .normal: return 32
        case .highMem, .movable: return 0
        }
    }

    /// Lowmem zones share `min_free_kbytes`; HighMem and Movable get a small fixed minimum instead.
    public var isLowmem: Bool { self <= .normal }

    public static func < (lhs: ZoneType, rhs: ZoneType) -> Bool { lhs.rawValue < rhs.rawValue }
}
