/// The invariant checker's view of a node's LRU lists: what `lru_add` / `lruvec_del_folio()` and
/// isolation keep true in the kernel, and what a lost page or a double insertion would break.
extension LRUVec {
    /// Checks, under `lruLock`: every list's links (a page's `prev` is the one before it, the tail is the
    /// last page, no cycle); each listed page is an allocated page of this node with PG_lru set and the
    /// flags of the list it is on (`folio_lru_list()`); each zone's count of each list equals the pages
    /// listed; and no page of the node has PG_lru without being on a list (isolated pages have it
    /// cleared, as `folio_isolate_lru()` does). Problems are messages naming the node and list.
    public func checkInvariants(cpu: Int) -> [String] {
        lruLock.lock(cpu: cpu)
        defer { lruLock.unlock(cpu: cpu) }
        let memory = allocator.nodes[node]
        let nodePFNs = memory.startPFN..<(memory.startPFN + memory.pageCount)
        var problems: [String] = []
        var listed = 0
        for lru in LRUList.allCases {
            var perZone = [Int](repeating: 0, count: ZoneType.allCases.count)
            let walked = (lists + lru.rawValue).walk(frames, limit: memory.pageCount) { pfn in
                let flags = frames[pfn].flags
                guard nodePFNs.contains(pfn), flags & PageFlags.lru.rawValue != 0,
                      flags & PageFlags.allocated.rawValue != 0, list(of: pfn) == lru else {
                    problems.append("node \(node) \(lru.zoneCounterName): pfn \(pfn) is listed but is not an allocated page of this node with PG_lru and this list's flags (flags 0x\(String(flags, radix: 16)))")
                    return
                }
                perZone[zoneType(pfn).rawValue] += 1
            }
            guard let walked else {
                problems.append("node \(node) \(lru.zoneCounterName): the list is corrupt (a broken back link, a wrong tail or a cycle)")
                continue
            }
            listed += walked
            for zone in ZoneType.allCases where perZone[zone.rawValue] != zoneSize(lru, zone: zone) {
                problems.append("node \(node) zone \(zone.kernelName) \(lru.zoneCounterName) is \(zoneSize(lru, zone: zone)), the list holds \(perZone[zone.rawValue]) of its pages")
            }
        }
        var flagged = 0
        memory.forEachCommittedFrameRun { run in
            for pfn in run where frames[pfn].flags & PageFlags.lru.rawValue != 0 { flagged += 1 }
        }
        if flagged != listed {
            problems.append("node \(node): \(flagged) pages have PG_lru, the LRU lists hold \(listed)")
        }
        return problems
    }
}
