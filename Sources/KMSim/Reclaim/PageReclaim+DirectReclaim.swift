/// Direct reclaim (mm/vmscan.c, 6.12): `try_to_free_pages()` → `do_try_to_free_pages()` →
/// `shrink_zones()`, run by the allocating task itself from the page allocator's slow path.
extension PageReclaim {
    /// `try_to_free_pages()`: reclaims SWAP_CLUSTER_MAX pages from the nodes of `zonelist` (zones up to
    /// `highestZoneIndex`), raising the scan priority from DEF_PRIORITY until the target is met; counts
    /// `allocstall_<zone>` of the reclaim index. The mask is taken through `current_gfp_context()`, and
    /// the task runs with PF_MEMALLOC meanwhile (`memalloc_noreclaim_save()` in `__perform_reclaim()`),
    /// so nothing it allocates re-enters reclaim. Returns the pages reclaimed (`did_some_progress`).
    nonisolated(nonsending)
    public func tryToFreePages(gfp: GFPFlags, order: Int, highestZoneIndex: Int, zonelist: [Int],
                               context: ExecutionContext) async -> Int {
        var context = context
        let saved = context.memallocNoReclaimSave()
        directReclaimsInProgress.add(1, ordering: .relaxed)
        let log = allocator.eventLog
        let traced = log.isEnabled ? log.now() : nil
        defer {
            directReclaimsInProgress.subtract(1, ordering: .relaxed)
            context.memallocNoReclaimRestore(saved)
            if let traced { log.recordSlice(.directReclaim, track: log.track(of: context), since: traced, argument: Int64(order)) }
        }
        let reclaimZone = ZoneType(rawValue: highestZoneIndex) ?? .normal
        vmstat.count(VMStatItem.allocstall(reclaimZone), 1, context: context)
        var sc = ScanControl(nrToReclaim: ScanControl.swapClusterMax, gfp: context.currentGFPContext(gfp),
                             order: order, reclaimIndex: highestZoneIndex, isKswapd: false)
        var nodes: [Int] = []
        for id in zonelist {
            let zone = allocator.zones[id]
            if zone.type.rawValue <= highestZoneIndex && zone.isPopulated && !nodes.contains(zone.node) {
                nodes.append(zone.node)
            }
        }
        repeat {
            for node in nodes {
                await shrinkNode(node, &sc, context: context)
                if sc.nrReclaimed >= sc.nrToReclaim { break }
            }
            if sc.nrReclaimed >= sc.nrToReclaim { break }
            await considerReclaimThrottle(nodes: nodes, sc, context: context)
            sc.priority -= 1
        } while sc.priority >= 0
        return sc.nrReclaimed
    }
}
