extension GFPFlags {
    /// `GFP_MOVABLE_SHIFT`: the mobility bits sit right above the three low zone bits.
    static let movableShift: UInt32 = 3

    /// The free-list type the pages come from: `gfp_migratetype()` (include/linux/gfp.h), i.e.
    /// `(flags & (__GFP_RECLAIMABLE|__GFP_MOVABLE)) >> GFP_MOVABLE_SHIFT` with the shift 3.
    ///
    /// 0 is Unmovable, 1 Movable, 2 Reclaimable. Both bits give 3, MIGRATE_HIGHATOMIC, which the kernel
    /// returns too after a `VM_WARN_ON`; `hasConflictingMobility` reports that case.
    public var migratetype: MigrateType {
        switch migratetypeIndex {
        case 0: return .unmovable
        case 1: return .movable
        case 2: return .reclaimable
        default: return .highAtomic
        }
    }

    /// `gfp_migratetype()` as the raw value of its `MigrateType`, computed as the kernel computes it
    /// (a mask and a shift: the two mobility bits are in migratetype order); the allocator's fast path
    /// uses it without going through the enum.
    @inline(__always)
    var migratetypeIndex: Int {
        Int(truncatingIfNeeded: (rawValue & GFPFlags([.reclaimable, .movable]).rawValue) >> Self.movableShift)
    }

    /// Both `__GFP_MOVABLE` and `__GFP_RECLAIMABLE`: the `VM_WARN_ON` in `gfp_migratetype()`.
    public var hasConflictingMobility: Bool { isSuperset(of: [.movable, .reclaimable]) }
}
