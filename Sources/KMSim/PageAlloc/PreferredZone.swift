/// One entry of the page allocator's precomputed `first_zones_zonelist()` table: the preferred zone of a
/// zonelist for one highest zone index, with what the fast path derives from it.
///
/// The kernel's `ac->preferred_zoneref` points into the zonelist, and `zone_to_nid()` and
/// `alloc_flags_nofragment()` then read the zone. Zones never change node or population after boot, so
/// kmsim works those out once per table entry; the fast path then loads one 8-byte entry where it
/// would otherwise divide a zone id by the zones per node three times.
struct PreferredZone {
    /// The zone's id (`node * zonesPerNode + type`), -1 when no zone of the list is usable.
    let id: Int32
    /// The zone's node, -1 when there is no zone.
    let node: Int16
    /// Whether `alloc_flags_nofragment()` sets ALLOC_NOFRAGMENT for requests preferring this zone: it is
    /// a Normal zone and a DMA32 zone can take the fragmenting fallbacks instead (on a machine of
    /// several nodes, only when this node's DMA32 zone is populated).
    let noFragment: Bool

    /// The entry for "no usable zone".
    static let none = PreferredZone(id: -1, node: -1, noFragment: false)
}
