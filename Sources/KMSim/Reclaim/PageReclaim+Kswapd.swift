/// kswapd (mm/vmscan.c, 6.12): `wakeup_kswapd()`, `kswapd()`, `kswapd_try_to_sleep()`,
/// `prepare_kswapd_sleep()`, `pgdat_balanced()`, `pgdat_watermark_boosted()`, `balance_pgdat()` with
/// its boosted reclaim and `set_reclaim_active()`/`clear_reclaim_active()`, `kswapd_shrink_node()`.
extension PageReclaim {
    /// `MAX_RECLAIM_RETRIES`: kswapd gives a node up after this many fruitless balancing runs.
    static let maxReclaimRetries = 16

    /// `wake_all_kswapds()`: wakes the kswapd of every node in the zonelist (once per node) for zones
    /// the request may use. Never sleeps: callable from interrupt handlers.
    func wakeAllKswapds(order: Int, gfp: GFPFlags, zonelist: UnsafeMutableBufferPointer<Int32>, highestZoneIndex: Int,
                        context: ExecutionContext? = nil) {
        var seen: UInt64 = 0
        for id in zonelist {
            let zone = allocator.zones[Int(id)]
            guard zone.type.rawValue <= highestZoneIndex, zone.node < 64, seen & (1 << UInt64(zone.node)) == 0 else { continue }
            seen |= 1 << UInt64(zone.node)
            wakeupKswapd(zone: zone, gfp: gfp, order: order, highestZoneIndex: highestZoneIndex, context: context)
        }
    }

    /// `wakeup_kswapd()`: records the order and zone index kswapd should balance for, then wakes it
    /// unless the node is hopeless (`kswapd_failures` ≥ 16) or already balanced with no watermark
    /// boosted. With `--trace`, a wake from `context` is an instant on its track with a flow to the
    /// balancing run it causes.
    public func wakeupKswapd(zone: Zone, gfp: GFPFlags, order: Int, highestZoneIndex: Int, context: ExecutionContext? = nil) {
        guard zone.isPopulated, config.kswapdEnabled else { return }
        let kswapd = kswapds[zone.node]
        let current = kswapd.highestZoneIndex.load(ordering: .relaxed)
        if current == ZoneType.allCases.count || current < highestZoneIndex {
            kswapd.highestZoneIndex.store(highestZoneIndex, ordering: .relaxed)
        }
        if kswapd.order.load(ordering: .relaxed) < order { kswapd.order.store(order, ordering: .relaxed) }
        kswapd.startIfNeeded(self)
        if nodeStates[zone.node].kswapdFailures.load(ordering: .relaxed) >= Self.maxReclaimRetries
            || (pgdatBalanced(node: zone.node, order: order, highestZoneIndex: highestZoneIndex)
                && !pgdatWatermarkBoosted(node: zone.node, highestZoneIndex: highestZoneIndex)) {
            // Free memory may be plentiful but too fragmented: kcompactd decides (compaction_suitable()).
            if !gfp.contains(.directReclaim) {
                compaction.wakeupKcompactd(node: zone.node, order: order, highestZoneIndex: highestZoneIndex)
            }
            return
        }
        let log = allocator.eventLog
        if log.isEnabled, let context, kswapd.pendingFlow.load(ordering: .relaxed) == 0 {
            let flow = log.newFlow()
            kswapd.pendingFlow.store(flow, ordering: .relaxed)
            log.recordInstant(.kswapdWake, track: log.track(of: context), argument: Int64(zone.node), flow: flow)
        }
        kswapd.wakeRequested.store(true, ordering: .relaxed)
        kswapd.wait.wakeAll()
    }

    /// `pgdat_balanced()`: some managed zone up to `highestZoneIndex` is above its high watermark for
    /// `order` (a node without such zones counts as balanced).
    public func pgdatBalanced(node: Int, order: Int, highestZoneIndex: Int) -> Bool {
        var managed = false
        for type in ZoneType.allCases where type.rawValue <= highestZoneIndex {
            let zone = allocator.zone(node: node, type: type)
            guard zone.isPopulated else { continue }
            managed = true
            if zone.watermarkOK(order: order, mark: zone.watermarkHigh, highestZoneIndex: highestZoneIndex,
                                allocFlags: []) {
                return true
            }
        }
        return !managed
    }

    /// `pgdat_watermark_boosted()`: some managed zone up to `highestZoneIndex` has a watermark boost
    /// (checked top-down, the higher zones being the likelier boosted).
    public func pgdatWatermarkBoosted(node: Int, highestZoneIndex: Int) -> Bool {
        for type in ZoneType.allCases.reversed() where type.rawValue <= highestZoneIndex {
            let zone = allocator.zone(node: node, type: type)
            if zone.isPopulated && zone.watermarkBoost != 0 { return true }
        }
        return false
    }

    /// The node's managed zones up to `highestZoneIndex`, lowest first.
    func eligibleZones(node: Int, highestZoneIndex: Int) -> [Zone] {
        ZoneType.allCases.filter { $0.rawValue <= highestZoneIndex }
            .map { allocator.zone(node: node, type: $0) }.filter(\.isPopulated)
    }

    /// `prepare_kswapd_sleep()`: kswapd may sleep when the node is hopeless or balanced.
    func prepareKswapdSleep(node: Int, order: Int, highestZoneIndex: Int) -> Bool {
        nodeStates[node].kswapdFailures.load(ordering: .relaxed) >= Self.maxReclaimRetries
            || pgdatBalanced(node: node, order: order, highestZoneIndex: highestZoneIndex)
    }

    /// `kswapd()`: sleep until woken, take the requested order and zone index, balance, repeat.
    ///
    /// The thread reaches its reclaim through `reclaim`, which returns nil once the machine is gone,
    /// and holds it strongly only for a check or a balancing run, never while it sleeps: a machine
    /// dropped without `Machine.shutdown()` is freed, and its kswapd exits at the next wake-up.
    static func kswapdMain(_ kswapd: Kswapd, reclaim: @Sendable () -> PageReclaim?) async {
        var context = kswapd.context
        _ = context.memallocNoReclaimSave()
        var order = 0
        var highest = ZoneType.allCases.count - 1
        let condition: @Sendable () -> Bool = { kswapd.wakeRequested.exchange(false, ordering: .relaxed) }
        while !kswapd.kthread.shouldStop {
            // kswapd_try_to_sleep(): a short nap (HZ/10) once balanced; woken early means the low watermark
            // was hit again quickly, unbalanced after the nap means the high one was; otherwise a full
            // sleep until the next wake-up.
            var wokenEarly = false
            if reclaim()?.prepareKswapdSleep(node: kswapd.node, order: order, highestZoneIndex: highest) ?? true {
                // reset_isolation_suitable() and wakeup_kcompactd() before the nap.
                if let strong = reclaim() { strong.compaction.kswapdWillSleep(node: kswapd.node, order: order, highestZoneIndex: highest) }
                wokenEarly = await kswapd.wait.wait(context: context, timeout: .milliseconds(100), until: condition) == .woken
            }
            if kswapd.kthread.shouldStop { break }
            let balanced = reclaim()?.prepareKswapdSleep(node: kswapd.node, order: order, highestZoneIndex: highest) ?? true
            if !wokenEarly && balanced {
                _ = await kswapd.wait.wait(context: context, until: condition)
            } else {
                reclaim()?.vmstat.count(wokenEarly ? .kswapdLowWmarkHitQuickly : .kswapdHighWmarkHitQuickly, 1,
                                        context: context)
            }
            if kswapd.kthread.shouldStop { break }
            order = kswapd.order.exchange(0, ordering: .relaxed)
            let requested = kswapd.highestZoneIndex.exchange(ZoneType.allCases.count, ordering: .relaxed)
            highest = requested == ZoneType.allCases.count ? ZoneType.allCases.count - 1 : requested
            guard let strong = reclaim() else { break }
            kswapd.runs.add(1, ordering: .relaxed)
            kswapd.balancing.store(true, ordering: .relaxed)
            let log = strong.allocator.eventLog
            let traced = log.isEnabled ? log.now() : nil
            await strong.balancePgdat(kswapd, order: order, highestZoneIndex: highest, context: context)
            kswapd.balancing.store(false, ordering: .relaxed)
            if let traced {
                log.recordSlice(.kswapdRun, track: .kswapd(node: kswapd.node), since: traced, argument: Int64(order),
                                flow: kswapd.pendingFlow.exchange(0, ordering: .relaxed))
            }
        }
    }

    /// `balance_pgdat()`: reclaims from the node, raising the priority from DEF_PRIORITY, until some
    /// eligible zone is above its high watermark; each pass aims at `kswapd_shrink_node()`'s target,
    /// the sum over eligible zones of max(high watermark, SWAP_CLUSTER_MAX). A run that reclaims nothing
    /// counts a `kswapd_failures`. The eligible zones carry ZONE_RECLAIM_ACTIVE while it runs.
    ///
    /// Boosted reclaim: the watermark boosts found at the start are reclaimed even when the node is
    /// balanced, without writeback or swap and no further than priority DEF_PRIORITY - 2; it stops
    /// when the boost is reclaimed or a pass reclaims nothing, and restarts as plain reclaim when the
    /// node is unbalanced. At the end each zone's boost drops by what it was at the start (under the
    /// zone lock; the boost stays in place while kswapd runs, so allocations near the watermark keep
    /// stalling) and kcompactd is woken for pageblock order.
    func balancePgdat(_ kswapd: Kswapd, order: Int, highestZoneIndex: Int, context: ExecutionContext) async {
        let node = kswapd.node
        vmstat.count(.pageoutrun, 1, context: context)
        let eligible = eligibleZones(node: node, highestZoneIndex: highestZoneIndex)
        let zoneBoosts = eligible.map(\.watermarkBoost)
        var nrBoostReclaim = zoneBoosts.reduce(0, +)
        let boosted = nrBoostReclaim > 0
        var sc = ScanControl(nrToReclaim: 0, gfp: .kernel, order: order, reclaimIndex: highestZoneIndex, isKswapd: true)
        var balancedOut = false
        restart: while true {
            for zone in eligible { zone.setFlag(Zone.reclaimActiveFlag, true) }
            sc.priority = ScanControl.defaultPriority
            repeat {
                let balanced = pgdatBalanced(node: node, order: order, highestZoneIndex: highestZoneIndex)
                if !balanced && nrBoostReclaim > 0 {
                    nrBoostReclaim = 0
                    continue restart
                }
                if nrBoostReclaim == 0 && balanced {
                    balancedOut = true
                    break restart
                }
                var raisePriority = !(nrBoostReclaim > 0 && sc.priority == ScanControl.defaultPriority - 2)
                sc.mayWritepage = nrBoostReclaim == 0 || sc.priority < ScanControl.defaultPriority - 2
                sc.maySwap = nrBoostReclaim == 0
                sc.nrToReclaim = eligible.reduce(0) { $0 + max($1.watermarkHigh, ScanControl.swapClusterMax) }
                sc.nrScanned = 0
                let before = sc.nrReclaimed
                await shrinkNode(node, &sc, context: context)
                if sc.nrScanned >= sc.nrToReclaim { raisePriority = false }
                await considerReclaimThrottle(nodes: [node], sc, context: context)
                if kswapd.kthread.shouldStop { break }
                let reclaimed = sc.nrReclaimed - before
                nrBoostReclaim -= min(nrBoostReclaim, reclaimed)
                if nrBoostReclaim > 0 && reclaimed == 0 { break }
                if raisePriority || reclaimed == 0 { sc.priority -= 1 }
                await Task.yield()
            } while sc.priority >= 1
            break
        }
        if !balancedOut && sc.nrReclaimed == 0 { nodeStates[node].kswapdFailures.add(1, ordering: .relaxed) }
        for zone in eligible { zone.setFlag(Zone.reclaimActiveFlag, false) }
        guard boosted else { return }
        for (zone, boost) in zip(eligible, zoneBoosts) where boost != 0 {
            zone.reduceWatermarkBoost(by: boost, cpu: context.cpu)
        }
        compaction.wakeupKcompactd(node: node, order: PageAllocator.pageblockOrder, highestZoneIndex: highestZoneIndex)
    }
}
