/// `enum numa_stat_item` (include/linux/mmzone.h): per-zone NUMA allocation events, counted by
/// `zone_statistics()` and shown in /proc/zoneinfo, /proc/vmstat and nodeN/numastat.
public enum NUMAStatItem: Int, CaseIterable, Sendable {
    case numaHit
    case numaMiss
    case numaForeign
    case numaInterleaveHit
    case numaLocal
    case numaOther

    /// The vmstat / zoneinfo name.
    public var kernelName: String {
        switch self {
        case .numaHit: return "numa_hit"
        case .numaMiss: return "numa_miss"
        case .numaForeign: return "numa_foreign"
        case .numaInterleaveHit: return "numa_interleave"
        case .numaLocal: return "numa_local"
        case .numaOther: return "numa_other"
        }
    }

    /// The name /sys/devices/system/node/nodeN/numastat uses.
    public var numastatName: String {
        switch self {
        case .numaHit: return "numa_hit"
        case .numaMiss: return "numa_miss"
        case .numaForeign: return "numa_foreign"
        case .numaInterleaveHit: return "interleave_hit"
        case .numaLocal: return "local_node"
        case .numaOther: return "other_node"
        }
    }
}
