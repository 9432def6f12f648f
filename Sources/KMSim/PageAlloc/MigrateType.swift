/// Page mobility classes (`enum migratetype`, include/linux/mmzone.h).
///
/// The first three are the per-CPU list types (`MIGRATE_PCPTYPES`); HighAtomic is the reserve kept for
/// high-order atomic allocations. CMA and Isolate exist in the kernel but kmsim never places pages there,
/// so they are listed only for /proc/pagetypeinfo's columns.
public enum MigrateType: Int, CaseIterable, Sendable, Codable {
    case unmovable = 0
    case movable = 1
    case reclaimable = 2
    case highAtomic = 3
    case cma = 4
    case isolate = 5

    /// `MIGRATE_PCPTYPES`: the types that have per-CPU lists.
    public static let pcpTypes = 3

    /// The types the buddy free lists are kept for in kmsim (CMA and Isolate stay empty).
    public static let freeListTypes: [MigrateType] = [.unmovable, .movable, .reclaimable, .highAtomic]

    /// `migratetype_names[]` as /proc/pagetypeinfo prints them.
    public var kernelName: String {
        switch self {
        case .unmovable: return "Unmovable"
        case .movable: return "Movable"
        case .reclaimable: return "Reclaimable"
        case .highAtomic: return "HighAtomic"
        case .cma: return "CMA"
        case .isolate: return "Isolate"
        }
    }

    /// `fallbacks[]` in mm/page_alloc.c: where `__rmqueue_fallback` steals from when this type is empty.
    public var fallbacks: [MigrateType] {
        switch self {
        case .unmovable: return [.reclaimable, .movable]
        case .movable: return [.reclaimable, .unmovable]
        case .reclaimable: return [.unmovable, .movable]
        case .highAtomic, .cma, .isolate: return []
        }
    }
}
