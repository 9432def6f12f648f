/// The class of a GFP mask for latency statistics: what the allocation may do to get memory, named after
/// the `GFP_*` combination that has exactly those powers.
///
/// The class is taken after `current_gfp_context()`, so a GFP_KERNEL allocation in a `memalloc_nofs_save()`
/// scope counts as GFP_NOFS. Zone, mobility and retry modifiers do not change the class.
public enum GFPClass: Int, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// No direct reclaim, may use the `__GFP_HIGH` reserve (GFP_ATOMIC).
    case atomic
    /// No direct reclaim, no reserve (GFP_NOWAIT and plain kswapd-only masks).
    case noWait
    /// Direct reclaim without I/O (GFP_NOIO).
    case noIO
    /// Direct reclaim with I/O but without filesystem recursion (GFP_NOFS).
    case noFS
    /// Full reclaim (GFP_KERNEL and its variants).
    case kernel
    /// Full reclaim under cpuset hardwall: user pages (GFP_USER, GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE).
    case user

    public init(_ gfp: GFPFlags) {
        if !gfp.allowsBlocking {
            self = gfp.contains(.high) ? .atomic : .noWait
        } else if !gfp.mayIO {
            self = .noIO
        } else if !gfp.mayFS {
            self = .noFS
        } else {
            self = gfp.contains(.hardwall) ? .user : .kernel
        }
    }

    public var description: String {
        switch self {
        case .atomic: "GFP_ATOMIC"
        case .noWait: "GFP_NOWAIT"
        case .noIO: "GFP_NOIO"
        case .noFS: "GFP_NOFS"
        case .kernel: "GFP_KERNEL"
        case .user: "GFP_USER"
        }
    }
}
