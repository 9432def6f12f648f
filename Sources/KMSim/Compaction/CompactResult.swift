/// `enum compact_result` (include/linux/compaction.h), in the kernel's order: callers take the
/// maximum over zones (`try_to_compact_pages()`), so the order matters.
public enum CompactResult: Int, Comparable, Sendable, CaseIterable {
    /// The zone is not worth compacting for this order (fragmentation index at or below the threshold).
    case notSuitableZone
    /// Not enough free pages to compact into (`compaction_suitable()` failed), or not allowed.
    case skipped
    /// Recent failures at this order put the zone's compaction off (`compaction_deferred()`).
    case deferred
    /// `__compact_finished()`: no free block of the order yet; turned into `continue` by its caller.
    case noSuitablePage
    /// Compaction should go on.
    case `continue`
    /// The scanners met over the whole zone without producing a suitable page.
    case complete
    /// The scanners met, but the run started from cached positions (part of the zone was skipped).
    case partialSkipped
    /// A lock was contended in async mode (or the task has a fatal signal).
    case contended
    /// A free block of the requested order exists (or was captured).
    case success

    public static func < (lhs: CompactResult, rhs: CompactResult) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name the kernel's trace events print (`compaction_status_string`).
    public var kernelName: String {
        switch self {
        case .notSuitableZone: "not_suitable_zone"
        case .skipped: "skipped"
        case .deferred: "deferred"
        case .noSuitablePage: "no_suitable_page"
        case .continue: "continue"
        case .complete: "complete"
        case .partialSkipped: "partial_skipped"
        case .contended: "contended"
        case .success: "success"
        }
    }
}

/// `enum compact_priority`: lower is more thorough. `MIN_COMPACT_PRIORITY` is sync-full,
/// `MIN_COMPACT_COSTLY_PRIORITY` and `DEF_COMPACT_PRIORITY` sync-light, `INIT_COMPACT_PRIORITY` async.
public enum CompactPriority: Int, Comparable, Sendable {
    case syncFull = 0
    case syncLight = 1
    case async = 2

    static let minimum = CompactPriority.syncFull
    static let minimumCostly = CompactPriority.syncLight
    static let initial = CompactPriority.async
    static let `default` = CompactPriority.syncLight

    public static func < (lhs: CompactPriority, rhs: CompactPriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// `enum migrate_mode` (include/linux/migrate_mode.h): ASYNC never blocks (and gives up on contended
/// locks), SYNC_LIGHT may block on most things, SYNC on everything.
public enum MigrateMode: Int, Comparable, Sendable {
    case async = 0
    case syncLight = 1
    case sync = 2

    public static func < (lhs: MigrateMode, rhs: MigrateMode) -> Bool { lhs.rawValue < rhs.rawValue }
}
