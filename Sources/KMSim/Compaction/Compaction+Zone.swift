/// One compaction run over a zone (mm/compaction.c, 6.12): `compact_zone()`, `compact_finished()`,
/// `__compact_finished()`.
extension Compaction {
    /// `compact_zone()`: from the cached scanner positions (or the zone's ends for a whole-zone run),
    /// isolate a batch of movable pages, migrate them to free pages the free scanner isolates, and repeat
    /// until `compact_finished()` says otherwise. The task yields its CPU after each batch (the kernel's
    /// `cond_resched()`), so on the virtual clock a run is a series of events.
    nonisolated(nonsending)
    func compactZone(_ cc: inout CompactControl) async -> CompactResult {
        let zone = cc.zone
        let state = state(zone)
        if !cc.isViaCompactMemory {
            let result = suitAllocationOrder(zone, order: cc.order, highestZoneIndex: cc.highestZoneIndex,
                                             allocFlags: cc.allocFlags)
            if result != .continue { return result }
        }
        if state.compactionRestarting(order: cc.order) { state.resetIsolationSuitable() }
        let sync = cc.mode != .async
        if cc.wholeZone {
            cc.migratePFN = state.startPFN
            cc.freePFN = state.initFreePFN
        } else {
            cc.migratePFN = sync ? state.cachedMigratePFNSync.load(ordering: .relaxed)
                                 : state.cachedMigratePFNAsync.load(ordering: .relaxed)
            cc.freePFN = state.cachedFreePFN.load(ordering: .relaxed)
            if cc.freePFN < state.startPFN || cc.freePFN >= state.endPFN {
                cc.freePFN = state.initFreePFN
                state.cachedFreePFN.store(cc.freePFN, ordering: .relaxed)
            }
            if cc.migratePFN < state.startPFN || cc.migratePFN >= state.endPFN {
                cc.migratePFN = state.startPFN
                state.cachedMigratePFNAsync.store(cc.migratePFN, ordering: .relaxed)
                state.cachedMigratePFNSync.store(cc.migratePFN, ordering: .relaxed)
            }
            if cc.migratePFN <= state.startPFN { cc.wholeZone = true }
        }
        var lastMigratedPFN = 0
        var updateCached = !sync && cc.zone.startPFN == state.cachedMigratePFNAsync.load(ordering: .relaxed)
        var result = CompactResult.continue
        while true {
            result = compactFinished(cc)
            guard result == .continue else { break }
            let iterationStart = cc.migratePFN
            cc.finishPageblock = pageblockStartPFN(lastMigratedPFN) == pageblockStartPFN(iterationStart)
            switch isolateMigratepages(&cc) {
            case .none:
                if updateCached {
                    state.cachedMigratePFNSync.store(state.cachedMigratePFNAsync.load(ordering: .relaxed), ordering: .relaxed)
                }
            case .success:
                updateCached = false
                lastMigratedPFN = max(zone.startPFN, pageblockStartPFN(cc.migratePFN - 1))
                if !migratePages(&cc) {
                    putbackMovablePages(&cc)
                    if !cc.scannersMet {
                        result = .contended
                        break
                    }
                } else if !cc.migratepages.isEmpty {
                    putbackMovablePages(&cc)
                }
            }
            if result == .contended { break }
            if cc.captured != nil {
                result = .success
                break
            }
            await Task.yield()
        }
        if cc.nrFreepages > 0 || cc.freepages.contains(where: { !$0.isEmpty }) {
            let highest = releaseFreeList(&cc)
            let free = pageblockStartPFN(highest)
            if highest > 0 && free > state.cachedFreePFN.load(ordering: .relaxed) {
                state.cachedFreePFN.store(free, ordering: .relaxed)
            }
        }
        vmstat.count(.compactMigrateScanned, cc.totalMigrateScanned, context: cc.context)
        vmstat.count(.compactFreeScanned, cc.totalFreeScanned, context: cc.context)
        return result
    }

    /// `compact_finished()`: `__compact_finished()` with NO_SUITABLE_PAGE turned into CONTINUE.
    func compactFinished(_ cc: CompactControl) -> CompactResult {
        let result = compactFinishedRaw(cc)
        return result == .noSuitablePage ? .continue : result
    }

    /// `__compact_finished()`: the scanners met (COMPLETE for a whole-zone run, else PARTIAL_SKIPPED, and
    /// the cached positions reset); a proactive run goes on while the zone's fragmentation score is above
    /// the low mark (and stops when kswapd runs); a whole-zone run goes on to the end; otherwise, at
    /// each pageblock boundary, SUCCESS once a free block of the order exists on the request's own
    /// lists or on a list it may steal a whole block from.
    func compactFinishedRaw(_ cc: CompactControl) -> CompactResult {
        let state = state(cc.zone)
        if cc.scannersMet {
            state.resetCachedPositions()
            if cc.directCompaction { state.blockskipFlush.store(true, ordering: .relaxed) }
            return cc.wholeZone ? .complete : .partialSkipped
        }
        var result = CompactResult.noSuitablePage
        if cc.proactiveCompaction {
            if kswapdIsRunning(node: cc.zone.node) { return .partialSkipped }
            result = Self.fragmentationScore(cc.zone) > fragmentationScoreWmark(low: true) ? .continue : .success
        } else if cc.isViaCompactMemory {
            return .continue
        } else {
            if cc.migratePFN & (PageAllocator.pageblockPages - 1) != 0 { return .continue }
            let zone = cc.zone
            for order in cc.order...PageAllocator.maxOrder {
                if zone.freeListCounts[order * Zone.freeListTypes + cc.migratetype] > 0 { return .success }
                if let start = MigrateType(rawValue: cc.migratetype),
                   Zone.canStealFallback(order: order, startType: cc.migratetype),
                   start.fallbacks.contains(where: { zone.freeListCounts[order * Zone.freeListTypes + $0.rawValue] > 0 }) {
                    return .success
                }
            }
        }
        if cc.contended { return .contended }
        return result
    }
}
