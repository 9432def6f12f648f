/// The counters behind "per-CPU page list hit %": how often an order ≤ 3 allocation was served from the
/// CPU's list as it stood (a hit) and how often the list was empty and refilled from the buddy lists
/// under `&zone->lock`, or its lock was busy so the request went to the zone (a miss).
///
/// The kernel keeps no such counter (it would cost a per-CPU increment on the hottest path, as it does
/// here); kmsim keeps it because "how well do the per-CPU caches work" is what a run is asked, and shows
/// it in the run report beside SLUB's fast-path share. Not part of /proc/vmstat.
enum PCPListStat {
    static let hit = 0
    static let miss = 1
    static let count = 2
}

extension PageAllocator {
    /// Order ≤ 3 allocations served from a per-CPU list without a refill.
    public var perCPUListHits: Int { Int(pcpListStats.sum(PCPListStat.hit)) }
    /// Order ≤ 3 allocations that refilled the list or found its lock busy.
    public var perCPUListMisses: Int { Int(pcpListStats.sum(PCPListStat.miss)) }

    /// Hits as a percentage of order ≤ 3 allocations; nil before the first one.
    public var perCPUListHitPercent: Double? {
        let hits = perCPUListHits
        let total = hits + perCPUListMisses
        return total == 0 ? nil : Double(hits) * 100 / Double(total)
    }
}
