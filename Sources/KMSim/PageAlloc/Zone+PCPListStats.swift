/// The counters behind the run report's "per-CPU page lists: N% hits": how often an order ≤ 3 allocation
/// was served from the CPU's list as it stood (a hit), and how often the list was empty and had to be
/// refilled from the buddy lists under `&zone->lock`, or its lock was busy so the request went to the
/// zone (misses).
///
/// The kernel keeps no such counter; kmsim keeps it because "how well do the per-CPU caches work" is
/// what a run is asked. It is shaped to cost nothing measurable on the fast path: the served count is a
/// 32-bit field of `struct per_cpu_pages` (`allocations`), on the cache line the allocation writes
/// anyway, folded into a 64-bit per-CPU slot (`pcpStats`, one cache line per CPU) before it could wrap;
/// refills are counted there too, under the same lock, on the refill's slow path. Not in /proc/vmstat.
enum PCPListStats {
    /// Int64 slots per CPU in `Zone.pcpStats`: one cache line.
    static let stride = 8
    /// Slot of the allocations folded out of `PerCPUPages.allocations`.
    static let foldedAllocations = 0
    /// Slot of the allocations that needed a refill first.
    static let refills = 1
}

extension Zone {
    /// Counts one allocation served by `cpu`'s lists (under its `&pcp->lock`), and a refill when the list
    /// had to be refilled first.
    @inline(__always)
    func countPCPAllocation(_ pcp: UnsafeMutablePointer<PerCPUPages>, cpu: Int, refilled: Bool) {
        let stats = pcpStats + cpu &* PCPListStats.stride
        if refilled { stats[PCPListStats.refills] &+= 1 }
        let allocations = pcp.pointee.allocations &+ 1
        if allocations == Int32.max {
            stats[PCPListStats.foldedAllocations] &+= Int64(allocations)
            pcp.pointee.allocations = 0
        } else {
            pcp.pointee.allocations = allocations
        }
    }

    /// (served from a list without a refill, refilled or lock busy), summed over CPUs under each CPU's
    /// `&pcp->lock`.
    func pcpListHitsAndMisses() -> (hits: Int, misses: Int) {
        var served = 0
        var refills = 0
        for cpu in 0..<cpuCount {
            pcpLocks[cpu].withLock(cpu: cpu) {
                let stats = pcpStats + cpu * PCPListStats.stride
                served += Int(stats[PCPListStats.foldedAllocations]) + Int(pcp(cpu).pointee.allocations)
                refills += Int(stats[PCPListStats.refills])
            }
        }
        return (served - refills, refills + pcpLockBusy.load(ordering: .relaxed))
    }
}

extension PageAllocator {
    /// Order ≤ 3 allocations served from a per-CPU list without a refill (hits), and those that refilled
    /// a list or found its lock busy (misses), over every zone.
    public var perCPUListCounts: (hits: Int, misses: Int) {
        zones.reduce((0, 0)) { total, zone in
            let counts = zone.pcpListHitsAndMisses()
            return (total.0 + counts.hits, total.1 + counts.misses)
        }
    }

    /// Hits as a percentage of order ≤ 3 allocations; nil before the first one.
    public var perCPUListHitPercent: Double? {
        let (hits, misses) = perCPUListCounts
        return hits + misses == 0 ? nil : Double(hits) * 100 / Double(hits + misses)
    }
}
