/// The allocation entry points and fast path (mm/page_alloc.c, 6.12): `__alloc_pages()`,
/// `prepare_alloc_pages()`, `get_page_from_freelist()`, `rmqueue()`, `rmqueue_buddy()`,
/// `prep_new_page()`.
extension PageAllocator {
    /// `alloc_pages()` / `alloc_pages_node()`: a block of `1 << order` pages, or nil.
    ///
    /// `preferredNode` nil allocates from the CPU's node (`numa_node_id()`); otherwise from that node's
    /// zonelist, as `alloc_pages_node(nid, ...)`. `__GFP_THISNODE` never leaves the node. Requests the
    /// kernel would `WARN_ON` (order above MAX_PAGE_ORDER, invalid zone modifiers, an unknown CPU or
    /// node) fail and are logged in `bugReports`.
    ///
    /// This entry point never sleeps (see `allocPagesSlowpath`); tasks that may block use
    /// `allocPagesMaySleep`. A blocking mask from atomic context is reported here (`might_alloc()`).
    public func allocPages(order: Int, gfp: GFPFlags, context: ExecutionContext, preferredNode: Int? = nil) -> PFN? {
        if gfp.contains(.directReclaim) && context.isAtomic { mightAllocFromAtomic(gfp: gfp, context: context) }
        guard let ac = prepareAllocPages(order: order, gfp: gfp, context: context, preferredNode: preferredNode) else {
            return nil
        }
        let allocFlags = allocFlagsNoFragment(ac).union(gfp.fastPathAllocFlags)
        if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags) { return pfn }
        return allocPagesSlowpath(ac)
    }

    /// `prepare_alloc_pages()` with the entry checks of `__alloc_pages()`.
    @inline(__always)
    func prepareAllocPages(order: Int, gfp: GFPFlags, context: ExecutionContext, preferredNode: Int?) -> AllocationContext? {
        guard order >= 0 && order <= Self.maxOrder else {
            warnAllocation("order \(order) is above MAX_PAGE_ORDER (\(Self.maxOrder))", gfp: gfp, context: context)
            return nil
        }
        guard context.cpu >= 0 && context.cpu < cpuCount else {
            warnAllocation("CPU \(context.cpu) does not exist (the machine has \(cpuCount))", gfp: gfp, context: context)
            return nil
        }
        let highest: ZoneType
        do { highest = try gfp.zone() } catch {
            warnAllocation("\(error)", gfp: gfp, context: context)
            return nil
        }
        let localNode = nodeOfCPU[context.cpu]
        let node = preferredNode ?? localNode
        guard node >= 0 && node < nodes.count else {
            warnAllocation("node \(node) does not exist (the machine has \(nodes.count))", gfp: gfp, context: context)
            return nil
        }
        let zonelist = zonelists.list(node: node, thisNodeOnly: gfp.contains(.thisNode))
        var preferred: Zone?
        for id in zonelist where zones[id].type.rawValue <= highest.rawValue {
            preferred = zones[id]
            break
        }
        var migratetype = gfp.migratetype.rawValue
        if migratetype >= MigrateType.pcpTypes { migratetype = MigrateType.movable.rawValue }
        return AllocationContext(zonelist: zonelist, highestZoneIndex: highest.rawValue, migratetype: migratetype,
                                 preferredZone: preferred, localNode: localNode, gfp: gfp, order: order,
                                 context: context)
    }

    /// `alloc_flags_nofragment()`: ALLOC_KSWAPD from `__GFP_KSWAPD_RECLAIM`, and ALLOC_NOFRAGMENT for
    /// Normal-zone requests while a DMA32 zone can take the fragmenting fallbacks instead (on a
    /// multi-node machine only when this node's DMA32 is populated).
    @inline(__always)
    func allocFlagsNoFragment(_ ac: AllocationContext) -> AllocFlags {
        var flags: AllocFlags = ac.gfp.contains(.kswapdReclaim) ? .kswapd : []
        guard let zone = ac.preferredZone, zone.type == .normal else { return flags }
        if nodes.count > 1 && !self.zone(node: zone.node, type: .dma32).isPopulated { return flags }
        flags.insert(.noFragment)
        return flags
    }

    /// `get_page_from_freelist()`: walks the zonelist, takes the first zone that passes its watermark.
    ///
    /// A zone seen below its high watermark is flagged ZONE_BELOW_HIGH (the per-CPU lists then shrink);
    /// under ALLOC_NOFRAGMENT the walk restarts without it rather than leave the local node, or after
    /// every zone failed.
    func getPageFromFreelist(_ ac: AllocationContext, allocFlags: AllocFlags) -> PFN? {
        var allocFlags = allocFlags
        retry: while true {
            let noFallback = allocFlags.contains(.noFragment)
            for id in ac.zonelist {
                let zone = zones[id]
                guard zone.type.rawValue <= ac.highestZoneIndex else { continue }
                if noFallback && nodes.count > 1, let preferred = ac.preferredZone, zone !== preferred,
                   zone.node != preferred.node {
                    allocFlags.remove(.noFragment)
                    continue retry
                }
                var passes = false
                if !zone.testFlag(Zone.belowHighFlag) {
                    passes = zone.watermarkFast(order: ac.order, mark: zone.watermark(2),
                                                highestZoneIndex: ac.highestZoneIndex, allocFlags: allocFlags)
                    if !passes { zone.setFlag(Zone.belowHighFlag, true) }
                }
                if !passes {
                    let mark = zone.watermark(allocFlags.watermarkIndex)
                    if !zone.watermarkFast(order: ac.order, mark: mark, highestZoneIndex: ac.highestZoneIndex,
                                           allocFlags: allocFlags) && !allocFlags.contains(.noWatermarks) {
                        continue
                    }
                }
                if let pfn = rmqueue(ac, zone: zone, allocFlags: allocFlags) {
                    prepNewPage(pfn, ac: ac)
                    if allocFlags.contains(.highAtomic) {
                        zone.reserveHighatomicPageblock(pfn, order: ac.order, cpu: ac.context.cpu)
                    }
                    return pfn
                }
            }
            if noFallback {
                allocFlags.remove(.noFragment)
                continue retry
            }
            return nil
        }
    }

    /// `rmqueue()`: orders ≤ 3 from the per-CPU lists, the rest (and pcp failures) from the buddy lists;
    /// counts pgalloc and the NUMA events.
    @inline(__always)
    func rmqueue(_ ac: AllocationContext, zone: Zone, allocFlags: AllocFlags) -> PFN? {
        let cpu = ac.context.cpu
        var pfn: PFN?
        if ac.order <= Self.costlyOrder {
            pfn = zone.rmqueuePCPList(order: ac.order, migratetype: ac.migratetype, allocFlags: allocFlags, cpu: cpu)
        }
        if pfn == nil {
            pfn = rmqueueBuddy(ac, zone: zone, allocFlags: allocFlags)
        }
        guard let pfn else { return nil }
        vmstat.count(VMStatItem.pgalloc(zone.type), 1 << ac.order, cpu: cpu)
        zoneStatistics(preferred: ac.preferredZone ?? zone, zone: zone, localNode: ac.localNode, cpu: cpu)
        return pfn
    }

    /// `rmqueue_buddy()`: straight from the buddy lists under `&zone->lock`; high-order atomic requests
    /// try the highatomic reserve first, and OOM or non-blocking ones fall back to it.
    func rmqueueBuddy(_ ac: AllocationContext, zone: Zone, allocFlags: AllocFlags) -> PFN? {
        zone.lock.lock(cpu: ac.context.cpu)
        var pfn: PFN?
        if allocFlags.contains(.highAtomic) {
            pfn = zone.rmqueueSmallest(order: ac.order, migratetype: MigrateType.highAtomic.rawValue)
        }
        if pfn == nil {
            pfn = zone.rmqueue(order: ac.order, migratetype: ac.migratetype, allocFlags: allocFlags)
            if pfn == nil && !allocFlags.isDisjoint(with: [.oom, .nonBlock]) {
                pfn = zone.rmqueueSmallest(order: ac.order, migratetype: MigrateType.highAtomic.rawValue)
            }
        }
        if let pfn { zone.frames[pfn].flags = PageFlags.allocated.rawValue }
        zone.lock.unlock(cpu: ac.context.cpu)
        return pfn
    }

    /// `prep_new_page()` / `post_alloc_hook()`: records the order, zeroes the memory for `__GFP_ZERO`
    /// and builds the compound page for `__GFP_COMP`. The frame is the caller's from here on.
    @inline(__always)
    func prepNewPage(_ pfn: PFN, ac: AllocationContext) {
        let memory = nodes[pfn / pagesPerNode]
        let frame = memory.frame(pfn)
        frame.pointee.order = UInt8(truncatingIfNeeded: ac.order)
        frame.pointee.owner = 0
        if ac.gfp.contains(.zero) {
            memory.address(pfn).initializeMemory(as: UInt8.self, repeating: 0, count: MachineSpec.pageSize << ac.order)
        }
        if ac.gfp.contains(.comp) && ac.order > 0 {
            frame.pointee.flags |= PageFlags.head.rawValue
            for tail in 1..<(1 << ac.order) {
                let tailFrame = frame + tail
                tailFrame.pointee.flags = PageFlags.tail.rawValue
                tailFrame.pointee.owner = UInt32(truncatingIfNeeded: pfn)
            }
        }
    }

    /// `zone_statistics()`: NUMA_HIT on the supplying zone if it is on the preferred zone's node, else
    /// NUMA_MISS there and NUMA_FOREIGN on the preferred zone; NUMA_LOCAL or NUMA_OTHER by whether the
    /// supplier is the allocating CPU's node. One event per allocation, whatever its order.
    @inline(__always)
    func zoneStatistics(preferred: Zone, zone: Zone, localNode: Int, cpu: Int) {
        if zone.node == preferred.node {
            zone.numaEvents.add(NUMAStatItem.numaHit.rawValue, 1, cpu: cpu)
        } else {
            zone.numaEvents.add(NUMAStatItem.numaMiss.rawValue, 1, cpu: cpu)
            preferred.numaEvents.add(NUMAStatItem.numaForeign.rawValue, 1, cpu: cpu)
        }
        let local = zone.node == localNode ? NUMAStatItem.numaLocal : NUMAStatItem.numaOther
        zone.numaEvents.add(local.rawValue, 1, cpu: cpu)
    }
}
