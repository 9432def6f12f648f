/// The allocation slow path (`__alloc_pages_slowpath()`, mm/page_alloc.c, 6.12) in two drivers that share
/// every step:
///
/// - `allocPagesSlowpath(_:)`, behind the synchronous `allocPages`, never sleeps: it wakes kswapd,
///   retries at the MIN watermark with the reserves the mask grants (`gfp_to_alloc_flags()`,
///   `__gfp_pfmemalloc_flags()`), and fails there. That is the whole slow path of a request that
///   cannot direct-reclaim (GFP_ATOMIC, GFP_NOWAIT, interrupt handlers). A blocking mask through this
///   entry stops at the same point instead of reclaiming: from atomic context the kernel would sleep
///   (a bug `might_alloc()` has reported), and kmsim cannot, so it goes on as GFP_NOWAIT would and
///   counts the wait it avoided (`ReclaimEvent.atomicWaitsAvoided`).
/// - `allocPagesSlowpathMaySleep(_:)`, behind `allocPagesMaySleep`, is the full loop for tasks that may
///   block: direct compaction (`PageAllocator+DirectCompact.swift`), direct reclaim, drain_all_pages,
///   `should_reclaim_retry()`, `should_compact_retry()`, the OOM killer, `__GFP_NOFAIL`.
///
/// Each successful attempt records its step through `served(_:_:_:_:)` (`AllocationOutcome`).
///
/// Not modelled: cpusets and the OOM victim's own access to reserves (kmsim's kills are synchronous,
/// the victim is gone when the killer returns).
extension PageAllocator {
    /// The non-sleeping slow path, a slice in `--trace`.
    func allocPagesSlowpath(_ ac: AllocationContext, context: ExecutionContext) -> PFN? {
        guard eventLog.isEnabled else { return allocPagesSlowpathUntraced(ac, context: context) }
        let start = eventLog.now()
        defer { eventLog.recordSlice(.slowPath, track: eventLog.track(of: context), since: start, argument: Int64(ac.order)) }
        return allocPagesSlowpathUntraced(ac, context: context)
    }

    func allocPagesSlowpathUntraced(_ ac: AllocationContext, context: ExecutionContext) -> PFN? {
        var allocFlags = ac.gfp.allocFlags(order: ac.order)
        if let pfn = slowpathFirstAttempt(ac, allocFlags: allocFlags, context: context) { return served(pfn, .afterKswapdWakeup, allocFlags, context) }
        if let pfn = slowpathRetryAttempt(ac, allocFlags: &allocFlags, context: context) { return served(pfn, .afterKswapdWakeup, allocFlags, context) }
        if ac.gfp.allowsBlocking && context.isAtomic && !context.taskFlags.contains(.memalloc),
           let reclaim = reclaimLink.current {
            reclaim.count(.atomicWaitsAvoided, cpu: context.cpu)
        }
        warnAlloc(ac, context: context)
        return nil
    }

    /// The slow path of a request that may sleep, in process context; a slice in `--trace`.
    nonisolated(nonsending)
    func allocPagesSlowpathMaySleep(_ ac: AllocationContext, context: ExecutionContext) async -> PFN? {
        guard eventLog.isEnabled else { return await allocPagesSlowpathMaySleepUntraced(ac, context: context) }
        let start = eventLog.now()
        let pfn = await allocPagesSlowpathMaySleepUntraced(ac, context: context)
        eventLog.recordSlice(.slowPath, track: eventLog.track(of: context), since: start, argument: Int64(ac.order))
        return pfn
    }

    nonisolated(nonsending)
    func allocPagesSlowpathMaySleepUntraced(_ ac: AllocationContext, context: ExecutionContext) async -> PFN? {
        let reclaim = reclaimLink.current
        let costly = ac.order > Self.costlyOrder
        let mayReclaim = ac.gfp.allowsBlocking && !context.taskFlags.contains(.memalloc)
        var allocFlags = ac.gfp.allocFlags(order: ac.order)
        if let pfn = slowpathFirstAttempt(ac, allocFlags: allocFlags, context: context) { return served(pfn, .afterKswapdWakeup, allocFlags, context) }
        var compaction = directCompactionState(ac)
        if mayReclaim {
            let first = await allocPagesInitialCompact(ac, allocFlags: allocFlags, state: &compaction, context: context)
            if let pfn = first.pfn { return servedAfterCompaction(pfn, context) }
            if first.giveUp {
                warnAlloc(ac, context: context)
                return nil
            }
        }
        var noProgressLoops = 0
        // What a success at the top of the loop owes to: nothing yet, then the round before it.
        var retried = AllocationOutcome.afterKswapdWakeup
        retry: while true {
            // A panicked machine is halted: no retry, reclaim or OOM; the request fails without a warning.
            if bugReports.hasPanicked { return nil }
            if let pfn = slowpathRetryAttempt(ac, allocFlags: &allocFlags, context: context) { return served(pfn, retried, allocFlags, context) }
            retried = .afterRetries
            // PF_MEMALLOC: this is reclaim allocating; it must not recurse into reclaim.
            nopage: if mayReclaim {
                var progress = 0
                if let reclaim {
                    let direct = await allocPagesDirectReclaim(ac, reclaim: reclaim, allocFlags: allocFlags, context: context)
                    if let pfn = direct.pfn { return served(pfn, .afterDirectReclaim, allocFlags, context) }
                    progress = direct.progress
                }
                if let pfn = await allocPagesDirectCompact(ac, allocFlags: allocFlags, priority: compaction.priority,
                                                           state: &compaction, context: context) { return servedAfterCompaction(pfn, context) }
                if ac.gfp.contains(.noRetry) { break nopage }
                if costly && (!compaction.canCompact || !ac.gfp.contains(.retryMayFail)) { break nopage }
                let retryReclaim = shouldReclaimRetry(ac, reclaim: reclaim, allocFlags: allocFlags,
                                                      didSomeProgress: progress > 0, noProgressLoops: &noProgressLoops, context: context)
                // should_reclaim_retry() ends in cond_resched(): the retry loop is a reschedule point.
                await Task.yield()
                if retryReclaim {
                    reclaim?.count(.reclaimRetries, cpu: context.cpu)
                    continue retry
                }
                if progress > 0 && compaction.canCompact
                    && shouldCompactRetry(ac, state: &compaction, reclaim: reclaim) { continue retry }
                guard let reclaim else { break nopage }
                let kills = reclaim.oomKiller.killCount
                let oom = await allocPagesMayOOM(ac, reclaim: reclaim, context: context)
                // A kill (this request's or a parallel one) freed the memory, or only another round did.
                let afterOOM: AllocationOutcome = reclaim.oomKiller.killCount != kills ? .afterOOMKill : .afterRetries
                if let pfn = oom.pfn { return served(pfn, afterOOM, [], context) }
                if oom.progress {
                    noProgressLoops = 0
                    retried = afterOOM
                    continue retry
                }
            }
            // nopage: __GFP_NOFAIL loops (the kernel WARNs and gives up when it cannot reclaim).
            if ac.gfp.contains(.noFail) && mayReclaim && !Task.isCancelled {
                if let pfn = cpusetFallback(ac, allocFlags: .minReserve, context: context) { return served(pfn, .afterRetries, .minReserve, context) }
                reclaim?.count(.nofailRetries, cpu: context.cpu)
                await nofailPause(ac, reclaim: reclaim, context: context)
                continue retry
            }
            warnAlloc(ac, context: context)
            return nil
        }
    }

    /// The pause of a `__GFP_NOFAIL` round before `goto retry`: the kernel's `cond_resched()`. kmsim sleeps a
    /// jiffy instead of only yielding, so a machine with nothing left to reclaim or kill does not spin
    /// its CPU while the request waits for someone to free memory.
    nonisolated(nonsending)
    func nofailPause(_ ac: AllocationContext, reclaim: PageReclaim?, context: ExecutionContext) async {
        if let debug = reclaim?.debug {
            await simulatedSleep(nanoseconds: 1_000_000, context: context, debug: debug)
        } else {
            await Task.yield()
        }
    }

    /// `restart:` — the slow path's flags, kswapd woken, one attempt at the MIN watermark.
    func slowpathFirstAttempt(_ ac: AllocationContext, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        guard ac.preferredZoneID >= 0 else { return nil }
        if allocFlags.contains(.kswapd) { wakeAllKswapds(ac, context: context) }
        return getPageFromFreelist(ac, allocFlags: allocFlags, context: context)
    }

    /// `retry:` — kswapd woken again, the reserves of `__gfp_pfmemalloc_flags()` applied, one attempt.
    func slowpathRetryAttempt(_ ac: AllocationContext, allocFlags: inout AllocFlags, context: ExecutionContext) -> PFN? {
        guard ac.preferredZoneID >= 0 else { return nil }
        if allocFlags.contains(.kswapd) { wakeAllKswapds(ac, context: context) }
        let reserve = pfmemallocFlags(ac.gfp, context: context)
        if !reserve.isEmpty {
            allocFlags = ac.gfp.addingCMA(to: reserve).union(allocFlags.intersection(.kswapd))
        }
        return getPageFromFreelist(ac, allocFlags: allocFlags, context: context)
    }

    /// `wake_all_kswapds()` through the attached reclaim.
    func wakeAllKswapds(_ ac: AllocationContext, context: ExecutionContext) {
        reclaimLink.current?.wakeAllKswapds(order: ac.order, gfp: ac.gfp, zonelist: ac.zonelist,
                                            highestZoneIndex: ac.highestZoneIndex, context: context)
    }

    /// `__alloc_pages_direct_reclaim()`: `__perform_reclaim()` (try_to_free_pages as PF_MEMALLOC), then an
    /// attempt, then `unreserve_highatomic_pageblock()` (keeping each zone's last reserved pageblock),
    /// `drain_all_pages()` (every CPU's lists drained from the reclaiming CPU under their pcp locks, as
    /// 6.12's `__drain_all_pages()` does since 5.19) and one more attempt.
    nonisolated(nonsending)
    func allocPagesDirectReclaim(_ ac: AllocationContext, reclaim: PageReclaim,
                                 allocFlags: AllocFlags, context: ExecutionContext) async -> (pfn: PFN?, progress: Int) {
        // __perform_reclaim() calls cond_resched() before and after try_to_free_pages().
        await Task.yield()
        let progress = await reclaim.tryToFreePages(gfp: ac.gfp, order: ac.order, highestZoneIndex: ac.highestZoneIndex,
                                                    zonelist: ac.zonelist.map(Int.init), context: context)
        await Task.yield()
        guard progress > 0 else { return (nil, 0) }
        if let pfn = getPageFromFreelist(ac, allocFlags: allocFlags, context: context) { return (pfn, progress) }
        unreserveHighatomicPageblock(ac, force: false, cpu: context.cpu)
        drainAllPages(context: context)
        return (getPageFromFreelist(ac, allocFlags: allocFlags, context: context), progress)
    }

    /// `should_reclaim_retry()`: retry while some zone would pass its MIN watermark if everything
    /// reclaimable in it were freed, unless MAX_RECLAIM_RETRIES (16) rounds in a row made no progress
    /// (a round with progress resets the count, except for costly orders). Before giving up (and going
    /// OOM) it exhausts the highatomic reserve: `unreserve_highatomic_pageblock(ac, true)`, and a
    /// pageblock given back means one more retry.
    func shouldReclaimRetry(_ ac: AllocationContext, reclaim: PageReclaim?, allocFlags: AllocFlags,
                            didSomeProgress: Bool, noProgressLoops: inout Int, context: ExecutionContext) -> Bool {
        if didSomeProgress && ac.order <= Self.costlyOrder {
            noProgressLoops = 0
        } else {
            noProgressLoops += 1
        }
        if noProgressLoops <= PageReclaim.maxReclaimRetries {
            for id in ac.zonelist {
                let zone = zones[Int(id)]
                guard zone.type.rawValue <= ac.highestZoneIndex, zone.isPopulated else { continue }
                let available = (reclaim?.zoneReclaimablePages(zone) ?? 0) + zone.freePages
                if zone.watermarkOK(order: ac.order, mark: zone.watermarkMin, highestZoneIndex: ac.highestZoneIndex,
                                    allocFlags: allocFlags, freePages: available) {
                    return true
                }
            }
        }
        return unreserveHighatomicPageblock(ac, force: true, cpu: context.cpu)
    }

    /// `__alloc_pages_may_oom()`: trylock `oom_lock` (taken: sleep a jiffy and report progress), one
    /// attempt at the HIGH watermark in case another task's kill freed memory, then the OOM killer
    /// unless the request is costly, `__GFP_RETRY_MAYFAIL`, `__GFP_THISNODE` or for zones below Normal.
    /// `__GFP_NOFAIL` counts as progress even without a kill and may then ignore the watermarks.
    nonisolated(nonsending)
    func allocPagesMayOOM(_ ac: AllocationContext, reclaim: PageReclaim, context: ExecutionContext) async -> (pfn: PFN?, progress: Bool) {
        let lock = reclaim.oomKiller.oomLock
        guard lock.tryLock(cpu: context.cpu) else {
            reclaim.count(.oomLockContended, cpu: context.cpu)
            await simulatedSleep(nanoseconds: 1_000_000, context: context, debug: reclaim.debug)
            return (nil, true)
        }
        defer { lock.unlock(cpu: context.cpu) }
        if let pfn = getPageFromFreelist(ac, allocFlags: [.wmarkHigh, .cpuset], context: context) { return (pfn, false) }
        if ac.order > Self.costlyOrder { return (nil, false) }
        if !ac.gfp.isDisjoint(with: [.retryMayFail, .thisNode]) { return (nil, false) }
        if ac.highestZoneIndex < ZoneType.normal.rawValue { return (nil, false) }
        guard reclaim.outOfMemory(gfp: ac.gfp, order: ac.order, context: context) || ac.gfp.contains(.noFail) else {
            return (nil, false)
        }
        if ac.gfp.contains(.noFail) { return (cpusetFallback(ac, allocFlags: .noWatermarks, context: context), true) }
        return (nil, true)
    }

    /// `__alloc_pages_cpuset_fallback()`: with ALLOC_CPUSET, then without (kmsim has no cpusets, so the
    /// two attempts see the same zones).
    func cpusetFallback(_ ac: AllocationContext, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        getPageFromFreelist(ac, allocFlags: allocFlags.union(.cpuset), context: context) ?? getPageFromFreelist(ac, allocFlags: allocFlags, context: context)
    }

    /// `__gfp_pfmemalloc_flags()`: `__GFP_MEMALLOC`, or a PF_MEMALLOC task outside interrupts (or in a
    /// softirq it interrupted), may ignore the watermarks; `__GFP_NOMEMALLOC` forbids it.
    func pfmemallocFlags(_ gfp: GFPFlags, context: ExecutionContext) -> AllocFlags {
        if gfp.contains(.noMemalloc) { return [] }
        if gfp.contains(.memalloc) { return .noWatermarks }
        if context.kind == .softirq && context.taskFlags.contains(.memalloc) { return .noWatermarks }
        if context.kind == .task && context.taskFlags.contains(.memalloc) { return .noWatermarks }
        return []
    }

    /// The slow path's `warn_alloc(gfp_mask, ac->nodemask, "page allocation failure: order:%u", order)`.
    func warnAlloc(_ ac: AllocationContext, context: ExecutionContext) {
        warnAlloc(ac.gfp, "page allocation failure: order:\(ac.order)", context: context)
    }

    /// The `WARN_ON_ONCE` checks of `__alloc_pages()` and kmsim's own argument checks.
    func warnAllocation(_ message: String, gfp: GFPFlags, context: ExecutionContext) {
        bugReports.record(.allocWarning, "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/page_alloc.c __alloc_pages: \(message) (gfp \(gfp))\n")
    }

    /// `current->comm` for a context: interrupts report the idle task of the CPU as the kernel's
    /// `swapper/N`, tasks `kmsim/<pid>`.
    static func comm(_ context: ExecutionContext) -> String {
        context.kind == .task && context.pid != 0 ? "kmsim/\(context.pid)" : "swapper/\(context.cpu)"
    }
}
