/// The allocation entry points and fast path (mm/page_alloc.c, 6.12): `__alloc_pages()`,
/// `prepare_alloc_pages()`, `get_page_from_freelist()`, `rmqueue()`, `rmqueue_buddy()`,
/// `prep_new_page()`. Zones are reached through the unretained `zoneTable`, so the fast path does no
/// reference counting.
extension PageAllocator {
    /// `alloc_pages()` / `alloc_pages_node()`: a block of `1 << order` pages, or nil.
    ///
    /// `preferredNode` nil allocates from the CPU's node (`numa_node_id()`); otherwise from that node's
    /// zonelist, as `alloc_pages_node(nid, ...)`. `__GFP_THISNODE` never leaves the node. Requests the
    /// kernel would `WARN_ON` (order above MAX_PAGE_ORDER, invalid zone modifiers, an unknown CPU or
    /// node) fail and are logged in `bugReports`.
    ///
    /// The frame of the returned head is the caller's; it must keep the `allocated`, `head` and `tail`
    /// flags and `order` (the allocator's) and hand the block back with `freePages` at the same order.
    ///
    /// This entry point never sleeps (see `allocPagesSlowpath`); tasks that may block use
    /// `allocPagesMaySleep`. A blocking mask from atomic context is reported here (`might_alloc()`).
    public func allocPages(order: Int, gfp: GFPFlags, context: ExecutionContext, preferredNode: Int? = nil) -> PFN? {
        if gfp.contains(.directReclaim) && context.isAtomic { mightAllocFromAtomic(gfp: gfp, context: context) }
        guard let ac = prepareAllocPages(order: order, gfp: gfp, context: context, preferredNode: preferredNode) else {
            return nil
        }
        let allocFlags = AllocFlags(rawValue: allocFlagsNoFragment(ac).rawValue | gfp.fastPathAllocFlags.rawValue)
        if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags, context: context) { return pfn }
        return allocPagesSlowpath(ac, context: context)
    }

    /// `prepare_alloc_pages()` with the entry checks of `__alloc_pages()` and, when fault injection is
    /// on, `should_fail_alloc_page()`: an injected failure returns NULL before any zone is tried.
    @inline(__always)
    func prepareAllocPages(order: Int, gfp: GFPFlags, context: ExecutionContext, preferredNode: Int?) -> AllocationContext? {
        guard order >= 0 && order <= Self.maxOrder && context.cpu >= 0 && context.cpu < cpuCount,
              let highest = try? gfp.zone() else {
            rejectAllocation(order: order, gfp: gfp, context: context)
            return nil
        }
        let localNode = Int(cpuNodeTable[context.cpu])
        let node = preferredNode ?? localNode
        guard node >= 0 && node < nodes.count else {
            warnAllocation("node \(node) does not exist (the machine has \(nodes.count))", gfp: gfp, context: context)
            return nil
        }
        // should_fail_alloc_page(), after might_alloc() (the callers' check) as in prepare_alloc_pages().
        if let faults = faultInjection, faults.shouldFailAllocPage(gfp: gfp, order: order, context: context) { return nil }
        let slot = node &* 2 &+ (gfp.contains(.thisNode) ? 1 : 0)
        let zonelist = zonelistTable[slot]
        let preferred = preferredZoneTable[slot &* Self.zonesPerNode &+ highest.rawValue]
        var migratetype = gfp.migratetypeIndex
        if migratetype >= MigrateType.pcpTypes { migratetype = MigrateType.movable.rawValue }
        return AllocationContext(zonelist: zonelist, highestZoneIndex: highest.rawValue, migratetype: migratetype,
                                 preferredZone: preferred, localNode: localNode, gfp: gfp, order: order)
    }

    /// Logs why `prepareAllocPages` refused a request (the kernel's `WARN_ON_ONCE`s).
    func rejectAllocation(order: Int, gfp: GFPFlags, context: ExecutionContext) {
        if order < 0 || order > Self.maxOrder {
            warnAllocation("order \(order) is outside 0...MAX_PAGE_ORDER (\(Self.maxOrder))", gfp: gfp, context: context)
        } else if context.cpu < 0 || context.cpu >= cpuCount {
            warnAllocation("CPU \(context.cpu) does not exist (the machine has \(cpuCount))", gfp: gfp, context: context)
        } else {
            do { _ = try gfp.zone() } catch {
                warnAllocation("\(error)", gfp: gfp, context: context)
            }
        }
    }

    /// `alloc_flags_nofragment()`: ALLOC_KSWAPD from `__GFP_KSWAPD_RECLAIM`, and ALLOC_NOFRAGMENT when
    /// the preferred zone's table entry says so (`allocFlagsNoFragment(preferred:zones:nodeCount:)`).
    @inline(__always)
    func allocFlagsNoFragment(_ ac: AllocationContext) -> AllocFlags {
        let kswapd = ac.gfp.contains(.kswapdReclaim) ? AllocFlags.kswapd.rawValue : 0
        let noFragment = ac.preferredZone.noFragment ? AllocFlags.noFragment.rawValue : 0
        return AllocFlags(rawValue: kswapd | noFragment)
    }

    /// The zone part of `alloc_flags_nofragment()`, worked out once per preferred-zone table entry at
    /// boot: ALLOC_NOFRAGMENT for Normal-zone requests while a DMA32 zone can take the fragmenting
    /// fallbacks instead (on a multi-node machine only when this node's DMA32 is populated).
    static func allocFlagsNoFragment(preferred: Zone, zones: [Zone], nodeCount: Int) -> Bool {
        guard preferred.type == .normal else { return false }
        return nodeCount == 1 || zones[preferred.node * zonesPerNode + ZoneType.dma32.rawValue].isPopulated
    }

    /// `get_page_from_freelist()`: walks the zonelist from the preferred zone (`ac->preferred_zoneref`),
    /// takes the first zone that passes its watermark.
    ///
    /// A zone seen below its high watermark is flagged ZONE_BELOW_HIGH (the per-CPU lists then shrink).
    /// Under ALLOC_NOFRAGMENT, on a machine of several nodes, reaching a zone of another node than the
    /// preferred zone's restarts the walk without the flag before that zone is tried: the local node's
    /// zones, fragmenting fallbacks allowed, come before any remote zone (locality beats fragmentation
    /// avoidance). When every zone failed under ALLOC_NOFRAGMENT the walk restarts without it too.
    ///
    /// The walk's first zone is tried here, outside any loop; the rest of the walk is
    /// `getPageFromFreelistPastPreferred`. Inlined as one loop, the optimiser hoisted the zone attempt's
    /// per-request values (the per-CPU list's offsets, the order's masks) out of it and, short of
    /// registers, spilled them: stores and reloads on every allocation for a loop that runs once. The
    /// optimiser keeps the attempt a function of its own, called from here; that call costs less than
    /// the spills did (callgrind, order-0 alloc/free pair: 598 instructions as one loop, 579 so).
    @_transparent
    func getPageFromFreelist(_ ac: AllocationContext, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        // A local function rather than a closure literal: as a closure literal the attempt became an
        // outlined closure called through its context (callgrind: 18 more instructions per pair).
        @_transparent func attempt(_ zone: Zone) -> PFN? { tryZone(zone, ac, allocFlags: allocFlags, context: context) }
        if ac.preferredZoneID >= 0, let pfn = zoneTable[ac.preferredZoneID]._withUnsafeGuaranteedRef(attempt) {
            return pfn
        }
        return getPageFromFreelistPastPreferred(ac, allocFlags: allocFlags, context: context)
    }

    /// `get_page_from_freelist()` after its first zone failed: the zones after the preferred one, then,
    /// when ALLOC_NOFRAGMENT is dropped, the whole walk again from the preferred zone.
    @inline(never)
    func getPageFromFreelistPastPreferred(_ ac: AllocationContext, allocFlags: AllocFlags,
                                          context: ExecutionContext) -> PFN? {
        var allocFlags = allocFlags
        // The zones up to the preferred one were tried (those before it are above highestZoneIndex).
        var triedThrough = ac.preferredZoneID
        retry: while true {
            let noFallback = allocFlags.contains(.noFragment)
            for id in ac.zonelist {
                if triedThrough >= 0 {
                    if Int(id) == triedThrough { triedThrough = -1 }
                    continue
                }
                let zone = zoneTable[Int(id)]
                let (type, node) = zone._withUnsafeGuaranteedRef { ($0.type.rawValue, $0.node) }
                guard type <= ac.highestZoneIndex else { continue }
                if noFallback && nodes.count > 1 && Int(id) != ac.preferredZoneID && ac.preferredNode >= 0
                    && node != ac.preferredNode {
                    allocFlags.remove(.noFragment)
                    continue retry
                }
                if let pfn = zone._withUnsafeGuaranteedRef({ tryZone($0, ac, allocFlags: allocFlags, context: context) }) {
                    return pfn
                }
            }
            if noFallback {
                allocFlags.remove(.noFragment)
                continue retry
            }
            // On the virtual clock a failed walk takes time too: a request failing without sleeping
            // (GFP_ATOMIC under pressure) must not run in zero time, or a task of them never advances.
            if let first = ac.zonelist.first { zoneTable[Int(first)]._withUnsafeGuaranteedRef { $0.charge(.freelistWalkFailed) } }
            return nil
        }
    }

    /// One zone of `get_page_from_freelist()`: the watermark checks, then `rmqueue()` and
    /// `prep_new_page()`. A slow-path attempt with reserves goes through `tryZoneBelowMin`, which notes
    /// whether the plain MIN watermark would have refused it.
    @inline(__always)
    func tryZone(_ zone: Zone, _ ac: AllocationContext, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        if !allocFlags.isDisjoint(with: Self.belowMinFlags) {
            return tryZoneBelowMin(zone, ac, allocFlags: allocFlags, context: context)
        }
        return takeFromZone(zone, ac, allocFlags: allocFlags, context: context)
    }

    /// `tryZone`'s watermark checks, `rmqueue()` and `prep_new_page()`.
    @inline(__always)
    func takeFromZone(_ zone: Zone, _ ac: AllocationContext, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        var passes = false
        if !zone.testFlag(Zone.belowHighFlag) {
            passes = zone.watermarkFast(order: ac.order, mark: zone.watermark(2),
                                        highestZoneIndex: ac.highestZoneIndex, allocFlags: allocFlags)
            if !passes { zone.setFlag(Zone.belowHighFlag, true) }
        }
        if !passes && !allocFlags.contains(.noWatermarks) {
            let mark = zone.watermark(allocFlags.watermarkIndex)
            guard zone.watermarkFast(order: ac.order, mark: mark, highestZoneIndex: ac.highestZoneIndex,
                                     allocFlags: allocFlags) else { return nil }
        }
        guard let pfn = rmqueue(ac, zone: zone, allocFlags: allocFlags, context: context) else { return nil }
        prepNewPage(pfn, zone: zone, ac: ac)
        if allocFlags.contains(.highAtomic) {
            zone.reserveHighatomicPageblock(pfn, order: ac.order, cpu: context.cpu)
        }
        return pfn
    }

    /// `rmqueue()`: orders ≤ 3 from the per-CPU lists, the rest (and pcp failures) from the buddy lists;
    /// counts pgalloc and the NUMA events. An ALLOC_KSWAPD request that finds ZONE_BOOSTED_WATERMARK
    /// set clears it and wakes kswapd for the zone (one flag load on the fast path).
    @inline(__always)
    func rmqueue(_ ac: AllocationContext, zone: Zone, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        var pfn: PFN?
        if ac.order <= Self.costlyOrder {
            pfn = zone.rmqueuePCPList(order: ac.order, migratetype: ac.migratetype, allocFlags: allocFlags, cpu: context.cpu)
        }
        if pfn == nil {
            pfn = rmqueueBuddy(ac, zone: zone, allocFlags: allocFlags, cpu: context.cpu)
        }
        if allocFlags.contains(.kswapd) && zone.testFlag(Zone.boostedWatermarkFlag) {
            wakeupKswapdForBoost(zone, context: context)
        }
        guard let pfn else { return nil }
        let row = PerCPUCounters.row(of: context)
        vmstat.counters.addSingleWriter(zone.pgallocItem, Int64(1 << ac.order), row: row)
        zoneStatistics(ac, zone: zone, row: row)
        return pfn
    }

    /// `rmqueue()`'s reaction to a boosted watermark: `clear_bit(ZONE_BOOSTED_WATERMARK)` and
    /// `wakeup_kswapd(zone, 0, 0, zone_idx(zone))`, so kswapd reclaims the boost even while the node
    /// is balanced.
    @inline(never)
    func wakeupKswapdForBoost(_ zone: Zone, context: ExecutionContext) {
        zone.setFlag(Zone.boostedWatermarkFlag, false)
        reclaimLink.current?.wakeupKswapd(zone: zone, gfp: [], order: 0, highestZoneIndex: zone.type.rawValue,
                                          context: context)
    }

    /// `rmqueue_buddy()`: straight from the buddy lists under `&zone->lock`; high-order atomic requests
    /// try the highatomic reserve first, and OOM or non-blocking ones fall back to it.
    func rmqueueBuddy(_ ac: AllocationContext, zone: Zone, allocFlags: AllocFlags, cpu: Int) -> PFN? {
        zone.lock.lock(cpu: cpu)
        zone.charge(.buddyAllocFree)
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
        zone.lock.unlock(cpu: cpu)
        return pfn
    }

    /// `prep_new_page()` / `post_alloc_hook()`: records the order and zone, zeroes the memory for
    /// `__GFP_ZERO` and builds the compound page for `__GFP_COMP`. The frame is the caller's from here on.
    @inline(__always)
    func prepNewPage(_ pfn: PFN, zone: Zone, ac: AllocationContext) {
        let frame = zone.frames + pfn
        frame.pointee.order = UInt8(truncatingIfNeeded: ac.order)
        frame.pointee.zoneIndex = UInt8(truncatingIfNeeded: zone.type.rawValue)
        frame.pointee.owner = 0
        if ac.gfp.contains(.zero) {
            zone.charge(.zeroPerKiB, times: 4 << ac.order)
            (zone.arenaBase + pfn << MachineSpec.pageShift)
                .initializeMemory(as: UInt8.self, repeating: 0, count: MachineSpec.pageSize << ac.order)
        }
        if ac.gfp.contains(.comp) && ac.order > 0 {
            frame.pointee.flags |= PageFlags.head.rawValue
            for tail in 1..<(1 << ac.order) {
                let tailFrame = frame + tail
                tailFrame.pointee.flags = PageFlags.tail.rawValue
                tailFrame.pointee.order = 0
                tailFrame.pointee.zoneIndex = UInt8(truncatingIfNeeded: zone.type.rawValue)
                tailFrame.pointee.owner = UInt32(truncatingIfNeeded: pfn)
            }
        }
    }

    /// `zone_statistics()`: NUMA_HIT on the supplying zone if it is on the preferred zone's node, else
    /// NUMA_MISS there and NUMA_FOREIGN on the preferred zone; NUMA_LOCAL or NUMA_OTHER by whether the
    /// supplier is the allocating CPU's node. One event per allocation, whatever its order. A supplier
    /// other than the preferred zone is also noted in the context's outcome word (another zone of the
    /// node, or another node).
    @inline(__always)
    func zoneStatistics(_ ac: AllocationContext, zone: Zone, row: Int) {
        let local = zone.node == ac.localNode ? NUMAStatItem.numaLocal : NUMAStatItem.numaOther
        if zone.node == ac.preferredNode || ac.preferredZoneID < 0 {
            zone.numaEvents.incrementPairSingleWriter(NUMAStatItem.numaHit.rawValue, local.rawValue, row: row)
            if zone.id != ac.preferredZoneID && ac.preferredZoneID >= 0 {
                outcomes.insert(AllocationOutcomeCells.otherZoneBit, row: row)
            }
        } else {
            outcomes.insert(AllocationOutcomeCells.otherNodeBit, row: row)
            zone.numaEvents.incrementPairSingleWriter(NUMAStatItem.numaMiss.rawValue, local.rawValue, row: row)
            zoneTable[ac.preferredZoneID]._withUnsafeGuaranteedRef {
                $0.numaEvents.addSingleWriter(NUMAStatItem.numaForeign.rawValue, 1, row: row)
            }
        }
    }
}
