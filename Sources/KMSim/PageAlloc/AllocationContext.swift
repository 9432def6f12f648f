/// `struct alloc_context` (mm/internal.h): what one allocation carries through the fast and slow paths.
///
/// It holds no strong references (the zones live as long as the allocator), so passing it costs no
/// reference counting on the fast path. As in the kernel, who allocates is not part of it: the
/// `ExecutionContext` (the kernel's `current` and preempt/irq state) goes beside it, by reference, so
/// the fast path does not copy the context's fields into a struct only the slow path reads.
struct AllocationContext {
    /// The zone ids to walk (`ac->zonelist`).
    let zonelist: UnsafeMutableBufferPointer<Int32>
    /// `ac->highest_zoneidx`: `gfp_zone()`; zones above it are skipped.
    let highestZoneIndex: Int
    /// `ac->migratetype`: `gfp_migratetype()`.
    let migratetype: Int
    /// `ac->preferred_zoneref`: the first usable zone of the list, with its node.
    let preferredZone: PreferredZone
    /// The node the allocating CPU belongs to (`numa_node_id()`).
    let localNode: Int
    let gfp: GFPFlags
    let order: Int

    /// The id of the preferred zone, -1 when no zone of the list is usable.
    var preferredZoneID: Int { Int(preferredZone.id) }
    /// The node of the preferred zone (-1 when there is none).
    var preferredNode: Int { Int(preferredZone.node) }
}
