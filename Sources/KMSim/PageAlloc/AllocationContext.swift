/// `struct alloc_context` (mm/internal.h): what one allocation carries through the fast and slow paths.
struct AllocationContext {
    /// The zone ids to walk (`ac->zonelist`).
    let zonelist: [Int]
    /// `ac->highest_zoneidx`: `gfp_zone()`; zones above it are skipped.
    let highestZoneIndex: Int
    /// `ac->migratetype`: `gfp_migratetype()`.
    let migratetype: Int
    /// `ac->preferred_zoneref`: the first usable zone of the list (nil when none is usable).
    let preferredZone: Zone?
    /// The node the allocating CPU belongs to (`numa_node_id()`).
    let localNode: Int
    let gfp: GFPFlags
    let order: Int
    let context: ExecutionContext
}
