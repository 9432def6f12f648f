/// Consistency checks of the allocator's state, used by tests and `kmsim run --check`.
extension PageAllocator {
    /// Page conservation and list integrity for every populated zone: buddy free + per-CPU + allocated
    /// = managed, NR_FREE_PAGES and the per-list counts match the lists, and every free block is marked
    /// as such. Empty when all is well.
    ///
    /// Takes each zone's pcp locks and zone lock while checking it, and reads the frames of allocated
    /// pages, so call it while no other thread is changing those pages (between phases of a run).
    public func checkInvariants(context: ExecutionContext = .task(cpu: 0)) -> [String] {
        populatedZones.flatMap { checkZone($0, cpu: context.cpu) }
    }

    func checkZone(_ zone: Zone, cpu: Int) -> [String] {
        for other in 0..<cpuCount { zone.pcpLocks[other].lock(cpu: cpu) }
        zone.lock.lock(cpu: cpu)
        defer {
            zone.lock.unlock(cpu: cpu)
            for other in 0..<cpuCount { zone.pcpLocks[other].unlock(cpu: cpu) }
        }
        let name = "node \(zone.node) zone \(zone.type.kernelName)"
        var problems: [String] = []
        var buddyPages = 0
        var highatomicPages = 0
        for order in 0...Self.maxOrder {
            var blocksOfOrder = 0
            for type in 0..<Zone.freeListTypes {
                let walked = zone.freeList(order: order, migratetype: type).walk(zone.frames, limit: zone.managedPages) { pfn in
                    let frame = zone.frames[pfn]
                    if !zone.isBuddyHead(pfn) || Int(frame.order) != order || Int(frame.migratetype) != type
                        || frame.flags != PageFlags.buddy.rawValue || !zone.spans(pfn) {
                        problems.append("\(name): pfn \(pfn) on free list order \(order) type \(type) is not marked as a free block of it")
                    }
                }
                guard let walked else {
                    problems.append("\(name): free list order \(order) type \(type) is corrupt")
                    continue
                }
                if walked != zone.freeListCounts[order * Zone.freeListTypes + type] {
                    problems.append("\(name): free list order \(order) type \(type) holds \(walked) blocks, counted \(zone.freeListCounts[order * Zone.freeListTypes + type])")
                }
                blocksOfOrder += walked
                buddyPages += walked << order
                if type == MigrateType.highAtomic.rawValue { highatomicPages += walked << order }
            }
            if blocksOfOrder != zone.nrFree[order] {
                problems.append("\(name): nr_free[\(order)] is \(zone.nrFree[order]), lists hold \(blocksOfOrder)")
            }
        }
        if buddyPages != zone.freePages {
            problems.append("\(name): NR_FREE_PAGES is \(zone.freePages), buddy lists hold \(buddyPages)")
        }
        if highatomicPages != zone.freeHighatomic {
            problems.append("\(name): nr_free_highatomic is \(zone.freeHighatomic), HighAtomic lists hold \(highatomicPages)")
        }
        var pcpPages = 0
        for other in 0..<cpuCount {
            var listed = 0
            for index in 0..<PerCPUPages.listCount {
                let order = PerCPUPages.order(ofIndex: index)
                let walked = (zone.pcpLists(other) + index).walk(zone.frames, limit: zone.managedPages) { pfn in
                    if zone.frames[pfn].flags != PageFlags.pcp.rawValue || Int(zone.frames[pfn].order) != order {
                        problems.append("\(name): pfn \(pfn) on cpu \(other)'s pcp list \(index) is not marked as a pcp page of order \(order)")
                    }
                }
                guard let walked else {
                    problems.append("\(name): cpu \(other)'s pcp list \(index) is corrupt")
                    continue
                }
                listed += walked << order
            }
            if listed != Int(zone.pcp(other).pointee.count) {
                problems.append("\(name): cpu \(other)'s pcp count is \(zone.pcp(other).pointee.count), lists hold \(listed)")
            }
            pcpPages += listed
        }
        var allocated = 0
        var pfn = zone.startPFN
        let end = zone.startPFN + zone.managedPages
        while pfn < end {
            let frame = zone.frames[pfn]
            if let order = zone.buddyOrder(pfn) {
                pfn += 1 << order
            } else if frame.flags & PageFlags.pcp.rawValue != 0 {
                pfn += 1 << Int(frame.order)
            } else if frame.flags & PageFlags.allocated.rawValue != 0 {
                allocated += 1 << Int(frame.order)
                pfn += 1 << Int(frame.order)
            } else {
                problems.append("\(name): pfn \(pfn) is neither free, on a pcp list, nor allocated")
                pfn += 1
            }
        }
        if buddyPages + pcpPages + allocated != zone.managedPages {
            problems.append("\(name): buddy \(buddyPages) + pcp \(pcpPages) + allocated \(allocated) != managed \(zone.managedPages)")
        }
        return problems
    }
}
