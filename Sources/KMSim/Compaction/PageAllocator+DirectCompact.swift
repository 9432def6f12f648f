/// Direct compaction in the allocation slow path (mm/page_alloc.c and mm/compaction.c, 6.12):
/// `__alloc_pages_direct_compact()`, `try_to_compact_pages()`, `compact_zone_order()` and
/// `should_compact_retry()`. The slow path (`PageAllocator+SlowPath.swift`) calls these at the
/// kernel's two points: once at async priority before reclaim for costly or non-movable high orders,
/// then after each direct reclaim round with the priority `should_compact_retry()` raises.
extension PageAllocator {
    /// The slow path's compaction bookkeeping: `compact_priority`, `compact_result` and
    /// `compaction_retries`, and `can_compact`.
    struct DirectCompaction {
        var priority = CompactPriority.default
        var result = CompactResult.skipped
        var retries = 0
        let canCompact: Bool
    }

    /// The machine's compaction, nil without reclaim attached.
    var compaction: Compaction? { reclaimLink.current?.compaction }

    /// The state for one slow-path run: compaction needs `__GFP_IO` and a machine built with it.
    func directCompactionState(_ ac: AllocationContext) -> DirectCompaction {
        DirectCompaction(canCompact: compaction?.allowed(ac.gfp) ?? false)
    }

    /// The first compaction of `__alloc_pages_slowpath()`, at INIT_COMPACT_PRIORITY (async), for costly
    /// orders and non-movable high orders, unless the request may ignore watermarks. Returns the page,
    /// or nil with `giveUp` set when a costly `__GFP_NORETRY` request should fail now (compaction was
    /// skipped or deferred).
    nonisolated(nonsending)
    func allocPagesInitialCompact(_ ac: AllocationContext, allocFlags: AllocFlags,
                                  state: inout DirectCompaction, context: ExecutionContext) async -> (pfn: PFN?, giveUp: Bool) {
        let costly = ac.order > Self.costlyOrder
        guard ac.gfp.allowsBlocking, state.canCompact,
              costly || (ac.order > 0 && ac.migratetype != MigrateType.movable.rawValue),
              pfmemallocFlags(ac.gfp, context: context).isEmpty else { return (nil, false) }
        if let pfn = await allocPagesDirectCompact(ac, allocFlags: allocFlags, priority: .initial, state: &state, context: context) {
            return (pfn, false)
        }
        if costly && ac.gfp.contains(.noRetry) {
            if state.result == .skipped || state.result == .deferred { return (nil, true) }
            state.priority = .initial
        }
        return (nil, false)
    }

    /// `__alloc_pages_direct_compact()`: `try_to_compact_pages()` as PF_MEMALLOC; unless every zone was
    /// skipped, counts a compact_stall (a `direct compaction` slice under `--trace`, the psi memstall), then takes the captured page or tries the free lists, counting
    /// compact_success (and resetting the zone's deferral) or compact_fail.
    nonisolated(nonsending)
    func allocPagesDirectCompact(_ ac: AllocationContext, allocFlags: AllocFlags, priority: CompactPriority,
                                 state: inout DirectCompaction, context: ExecutionContext) async -> PFN? {
        guard ac.order > 0, state.canCompact, let compaction else { return nil }
        var compacting = context
        _ = compacting.memallocNoReclaimSave()
        let log = eventLog
        let traced = log.isEnabled ? log.now() : nil
        let (result, captured) = await compaction.tryToCompactPages(ac, allocFlags: allocFlags, priority: priority,
                                                                     context: compacting)
        state.result = result
        guard result != .skipped else { return nil }
        if let traced { log.recordSlice(.directCompaction, track: log.track(of: context), since: traced, argument: Int64(ac.order)) }
        vmstat.count(.compactStall, 1, context: context)
        var pfn: PFN?
        if let captured, let zone = zone(of: captured) {
            prepNewPage(captured, zone: zone, ac: ac)
            pfn = captured
        } else {
            pfn = getPageFromFreelist(ac, allocFlags: allocFlags, context: context)
        }
        if let pfn, let zone = zone(of: pfn) {
            let zoneState = compaction.state(zone)
            zoneState.blockskipFlush.store(false, ordering: .relaxed)
            zoneState.compactionDeferReset(order: ac.order, allocSuccess: true)
            vmstat.count(.compactSuccess, 1, context: context)
            return pfn
        }
        vmstat.count(.compactFail, 1, context: context)
        return nil
    }

    /// `should_compact_retry()`: after a skipped run, retry if reclaim could make a zone suitable; after a
    /// success that lost its page to a race, retry up to MAX_COMPACT_RETRIES (16, a quarter for costly
    /// orders); otherwise raise the priority down to sync-light (costly) or sync-full, once per level.
    func shouldCompactRetry(_ ac: AllocationContext, state: inout DirectCompaction, reclaim: PageReclaim?) -> Bool {
        guard ac.order > 0, let compaction else { return false }
        if state.result == .skipped {
            let eligible = ac.zonelist.map { self.zones[Int($0)] }.filter { $0.type.rawValue <= ac.highestZoneIndex && $0.isPopulated }
            return compaction.zonelistSuitable(eligible, order: ac.order, highestZoneIndex: ac.highestZoneIndex) { (zone: Zone) -> Int in
                reclaim?.zoneReclaimablePages(zone) ?? 0
            }
        }
        if state.result == .success {
            let maxRetries = ac.order > Self.costlyOrder ? Self.maxCompactRetries / 4 : Self.maxCompactRetries
            state.retries += 1
            if state.retries <= maxRetries { return true }
        }
        let minimum: CompactPriority = ac.order > Self.costlyOrder ? .minimumCostly : .minimum
        if state.priority > minimum, let raised = CompactPriority(rawValue: state.priority.rawValue - 1) {
            state.priority = raised
            state.retries = 0
            return true
        }
        return false
    }

    /// `MAX_COMPACT_RETRIES`.
    static let maxCompactRetries = 16
}

extension Compaction {
    /// `try_to_compact_pages()`: each zone of the zonelist the request may use, unless deferred (below
    /// the most thorough priority), until one reports SUCCESS; a sync run that completes or partially
    /// skips without success defers the zone. Returns the highest result and the captured page.
    nonisolated(nonsending)
    func tryToCompactPages(_ ac: AllocationContext, allocFlags: AllocFlags, priority: CompactPriority,
                           context: ExecutionContext) async -> (CompactResult, PFN?) {
        guard allowed(ac.gfp) else { return (.skipped, nil) }
        var result = CompactResult.skipped
        for id in ac.zonelist {
            let zone = allocator.zones[Int(id)]
            guard zone.type.rawValue <= ac.highestZoneIndex, zone.isPopulated else { continue }
            let zoneState = state(zone)
            if priority > .minimum && zoneState.compactionDeferred(order: ac.order) {
                result = max(result, .deferred)
                continue
            }
            let (status, captured) = await compactZoneOrder(zone, ac: ac, allocFlags: allocFlags, priority: priority,
                                                            context: context)
            result = max(result, status)
            if status == .success {
                zoneState.compactionDeferReset(order: ac.order, allocSuccess: false)
                return (result, captured)
            }
            if priority != .async && (status == .complete || status == .partialSkipped) {
                zoneState.deferCompaction(order: ac.order)
            }
        }
        return (result, nil)
    }

    /// `compact_zone_order()`: a direct run of one zone, async at INIT priority and sync-light otherwise;
    /// the most thorough priority scans the whole zone ignoring skip bits and block types; the task
    /// captures the block its frees complete.
    nonisolated(nonsending)
    func compactZoneOrder(_ zone: Zone, ac: AllocationContext, allocFlags: AllocFlags, priority: CompactPriority,
                          context: ExecutionContext) async -> (CompactResult, PFN?) {
        var cc = CompactControl(zone: zone, order: ac.order, gfp: ac.gfp, mode: priority == .async ? .async : .syncLight,
                                allocFlags: allocFlags, highestZoneIndex: ac.highestZoneIndex, context: context)
        cc.directCompaction = true
        cc.wholeZone = priority == .minimum
        cc.ignoreSkipHint = priority == .minimum
        cc.ignoreBlockSuitable = priority == .minimum
        cc.captureRequested = true
        var result = await compactZone(&cc)
        if cc.captured != nil { result = .success }
        return (result, cc.captured)
    }
}
