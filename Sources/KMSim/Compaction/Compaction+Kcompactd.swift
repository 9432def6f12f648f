/// kcompactd and proactive compaction (mm/compaction.c, 6.12): `wakeup_kcompactd()`,
/// `kcompactd_node_suitable()`, `kcompactd()`, `kcompactd_do_work()`, `should_proactive_compact_node()`,
/// `proactive_compact_node()`, and `compact_node()`/`compact_nodes()` behind /proc/sys/vm/compact_memory.
extension Compaction {
    /// `wakeup_kcompactd()`: records the order and zone index (a higher order, a lower index), then
    /// wakes the node's kcompactd if it sleeps and some zone is worth compacting for that order. A
    /// kcompactd not started (`startKcompactds()`; a run starts them) is not started here: its 500 ms
    /// timer would keep a virtual clock that runs until idle going for ever.
    public func wakeupKcompactd(node: Int, order: Int, highestZoneIndex: Int) {
        guard config.enabled, order > 0, node < kcompactds.count else { return }
        let kcompactd = kcompactds[node]
        if kcompactd.maxOrder.load(ordering: .relaxed) < order { kcompactd.maxOrder.store(order, ordering: .relaxed) }
        if kcompactd.highestZoneIndex.load(ordering: .relaxed) > highestZoneIndex {
            kcompactd.highestZoneIndex.store(highestZoneIndex, ordering: .relaxed)
        }
        guard kcompactd.isSleeping, nodeSuitable(kcompactd) else { return }
        kcompactd.wait.wakeAll()
    }

    /// Starts every node's kcompactd (the kernel starts them at boot, `kcompactd_init()`), so proactive
    /// compaction runs from the start. The workload runner calls it when a run starts.
    public func startKcompactds() {
        guard config.enabled else { return }
        for kcompactd in kcompactds { kcompactd.startIfNeeded(self) }
    }

    /// `kcompactd_node_suitable()`.
    func nodeSuitable(_ kcompactd: Kcompactd) -> Bool {
        let highest = kcompactd.highestZoneIndex.load(ordering: .relaxed)
        let order = kcompactd.maxOrder.load(ordering: .relaxed)
        return ZoneType.allCases.filter { $0.rawValue <= highest }.contains { type in
            let zone = allocator.zone(node: kcompactd.node, type: type)
            return zone.isPopulated
                && suitAllocationOrder(zone, order: order, highestZoneIndex: highest, allocFlags: .wmarkMin) == .continue
        }
    }

    /// `kcompactd()`: sleeps up to 500 ms (for ever with proactiveness 0); woken with work, runs
    /// `kcompactd_do_work()`; timed out, compacts proactively when the node's fragmentation score is above
    /// the high mark, backing off 64 times longer when that did not lower the score. Each run is a slice on
    /// the node's kcompactd track under `--trace` (`kcompactd_do_work`, `proactive_compact_node`). The thread reaches
    /// its compaction weakly and exits once the machine is gone.
    static func kcompactdMain(_ kcompactd: Kcompactd, compaction: @Sendable () -> Compaction?) async {
        var context = kcompactd.context
        _ = context.memallocNoReclaimSave()
        let interval = Kcompactd.checkIntervalMilliseconds
        var timeout = interval
        let condition: @Sendable () -> Bool = { kcompactd.workRequested }
        while !kcompactd.kthread.shouldStop {
            let proactiveness = compaction()?.config.proactiveness ?? 0
            let result = await kcompactd.wait.wait(context: context,
                                                   timeout: proactiveness == 0 ? nil : .milliseconds(timeout),
                                                   until: condition)
            if kcompactd.kthread.shouldStop { break }
            guard let strong = compaction() else { break }
            let log = strong.allocator.eventLog
            if result == .woken && !kcompactd.proactiveTrigger.load(ordering: .relaxed) {
                let traced = log.isEnabled ? log.now() : nil
                let order = kcompactd.maxOrder.load(ordering: .relaxed)
                await strong.kcompactdDoWork(kcompactd, context: context)
                if let traced { log.recordSlice(.kcompactdRun, track: .kcompactd(node: kcompactd.node), since: traced, argument: Int64(order)) }
                timeout = interval
                continue
            }
            timeout = interval
            if strong.shouldProactiveCompact(node: kcompactd.node) {
                let before = strong.fragmentationScore(node: kcompactd.node)
                let traced = log.isEnabled ? log.now() : nil
                await strong.compactNode(kcompactd.node, proactive: true, context: context)
                if let traced {
                    log.recordSlice(.proactiveCompaction, track: .kcompactd(node: kcompactd.node), since: traced,
                                    argument: Int64(kcompactd.node))
                }
                if strong.fragmentationScore(node: kcompactd.node) >= before {
                    timeout = interval << ZoneCompactionState.maxDeferShift
                }
            }
            kcompactd.proactiveTrigger.store(false, ordering: .relaxed)
        }
    }

    /// `kcompactd_do_work()`: a sync-light run of each populated zone up to the requested index that is
    /// not deferred and is suitable for the requested order; a run that ends without success drains the
    /// per-CPU lists into the zone and defers it. The request is then cleared unless a larger one came in.
    func kcompactdDoWork(_ kcompactd: Kcompactd, context: ExecutionContext) async {
        let order = kcompactd.maxOrder.load(ordering: .relaxed)
        let highest = kcompactd.highestZoneIndex.load(ordering: .relaxed)
        kcompactd.wakeups.add(1, ordering: .relaxed)
        vmstat.count(.compactDaemonWake, 1, context: context)
        for type in ZoneType.allCases where type.rawValue <= highest {
            let zone = allocator.zone(node: kcompactd.node, type: type)
            guard zone.isPopulated else { continue }
            let zoneState = state(zone)
            if zoneState.compactionDeferred(order: order) { continue }
            guard suitAllocationOrder(zone, order: order, highestZoneIndex: type.rawValue, allocFlags: .wmarkMin) == .continue else {
                continue
            }
            if kcompactd.kthread.shouldStop { return }
            var cc = CompactControl(zone: zone, order: order, gfp: .kernel, mode: .syncLight,
                                    highestZoneIndex: highest, context: context)
            let status = await compactZone(&cc)
            if status == .success {
                zoneState.compactionDeferReset(order: order, allocSuccess: false)
            } else if status == .partialSkipped || status == .complete {
                for cpu in 0..<allocator.cpuCount { zone.drainPages(cpu: cpu, lockingCPU: context.cpu) }
                zoneState.deferCompaction(order: order)
            }
            vmstat.count(.compactDaemonMigrateScanned, cc.totalMigrateScanned, context: context)
            vmstat.count(.compactDaemonFreeScanned, cc.totalFreeScanned, context: context)
        }
        if kcompactd.maxOrder.load(ordering: .relaxed) <= order { kcompactd.maxOrder.store(0, ordering: .relaxed) }
        if kcompactd.highestZoneIndex.load(ordering: .relaxed) >= highest {
            kcompactd.highestZoneIndex.store(ZoneType.allCases.count - 1, ordering: .relaxed)
        }
    }

    /// `should_proactive_compact_node()`: proactiveness is on, kswapd is not running, and the node's
    /// fragmentation score is above the high mark.
    func shouldProactiveCompact(node: Int) -> Bool {
        guard config.enabled, config.proactiveness > 0, !kswapdIsRunning(node: node) else { return false }
        return fragmentationScore(node: node) > fragmentationScoreWmark(low: false)
    }

    /// `compact_node()` (and `proactive_compact_node()` when `proactive`): a whole-zone run of every
    /// populated zone of the node, ignoring skip bits; SYNC for compact_memory, SYNC_LIGHT and counted
    /// as kcompactd's work when proactive (which stops once the zone's score is below the low mark).
    public func compactNode(_ node: Int, proactive: Bool, context: ExecutionContext) async {
        guard config.enabled else { return }
        for type in ZoneType.allCases {
            let zone = allocator.zone(node: node, type: type)
            guard zone.isPopulated else { continue }
            var cc = CompactControl(zone: zone, order: -1, gfp: .kernel, mode: proactive ? .syncLight : .sync,
                                    highestZoneIndex: type.rawValue, context: context)
            cc.ignoreSkipHint = true
            cc.wholeZone = true
            cc.proactiveCompaction = proactive
            _ = await compactZone(&cc)
            if proactive {
                vmstat.count(.compactDaemonMigrateScanned, cc.totalMigrateScanned, context: context)
                vmstat.count(.compactDaemonFreeScanned, cc.totalFreeScanned, context: context)
            }
        }
    }

    /// `compact_nodes()`: what writing 1 to /proc/sys/vm/compact_memory does, every node in turn from the
    /// writing task.
    public func compactNodes(context: ExecutionContext) async {
        var context = context
        _ = context.memallocNoReclaimSave()
        for node in 0..<allocator.nodes.count { await compactNode(node, proactive: false, context: context) }
    }
}

extension Compaction {
    /// What kswapd does for compaction as it goes to sleep on a balanced node (`kswapd_try_to_sleep()`):
    /// clears the skip bits of zones a direct compactor finished (`reset_isolation_suitable()`), then
    /// wakes kcompactd for the order it balanced for.
    func kswapdWillSleep(node: Int, order: Int, highestZoneIndex: Int) {
        guard config.enabled else { return }
        for type in ZoneType.allCases {
            let zone = allocator.zone(node: node, type: type)
            guard zone.isPopulated else { continue }
            let zoneState = state(zone)
            if zoneState.blockskipFlush.load(ordering: .relaxed) { zoneState.resetIsolationSuitable() }
        }
        wakeupKcompactd(node: node, order: order, highestZoneIndex: highestZoneIndex)
    }
}
