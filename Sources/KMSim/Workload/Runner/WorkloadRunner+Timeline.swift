/// Timeline sampling (`--sample-every`): what a script polling /proc/zoneinfo, /proc/buddyinfo,
/// /proc/pagetypeinfo and /proc/vmstat every interval would record, taken by the runner on both engines.
///
/// Real engine: one task sleeps until the next multiple of the interval and samples, concurrently with
/// the CPUs (the figures are relaxed reads, as `/proc` reads them); aiming at deadlines rather than
/// sleeping a whole interval after each sample keeps the spacing at the interval, and a sampler woken
/// late skips the deadlines it missed instead of sampling in a burst. Virtual clock: a housekeeping
/// event every interval of simulated time, so the samples are as deterministic as the run. Both take a
/// sample at 0 and one at the end.
extension WorkloadRunner {
    /// The real engine's sampler task body: samples until cancelled.
    func sampleTimelinePeriodically(_ recorder: TimelineRecorder, start: UInt64) async {
        var deadline: Int64 = 0
        while !Task.isCancelled && !isStopping {
            let now = Int64(clamping: monotonicNanoseconds() &- start)
            deadline = Self.nextSampleDeadline(after: deadline, now: now, interval: recorder.intervalNs)
            guard await scheduleTimeout(nanoseconds: UInt64(max(0, deadline - now))) else { return }
            guard !isStopping else { return }
            recorder.appendTimed { sampleTimeline(at: Int64(clamping: monotonicNanoseconds() &- start)) }
        }
    }

    /// The first multiple of `interval` after both the previous deadline and `now`.
    static func nextSampleDeadline(after previous: Int64, now: Int64, interval: Int64) -> Int64 {
        let interval = max(1, interval)
        let next = previous + interval
        return next > now ? next : (now / interval + 1) * interval
    }

    /// The virtual clock's sampler: an event on the housekeeping actor every interval.
    func scheduleVirtualSample(_ clock: VirtualClock, _ recorder: TimelineRecorder) {
        clock.schedule(actor: clock.housekeeping, at: clock.now &+ recorder.intervalNs) {
            guard !self.isStopping else { return }
            recorder.append(self.sampleTimeline(at: clock.now))
            self.scheduleVirtualSample(clock, recorder)
        }
    }

    /// The timeline for the report: nil when sampling is off.
    func finishedTimeline() -> Timeline? {
        guard let recorder = timelineRecorder else { return nil }
        let zones = machine.pageAllocator.zones.filter(\.isPopulated)
            .map { Timeline.ZoneName(node: $0.node, zone: $0.type.kernelName) }
        return recorder.timeline(clock: virtualClock == nil ? .real : .virtual, zones: zones,
                                 contexts: ExecutionContext.Kind.allCases.map(\.rawValue),
                                 lockClasses: machine.lockStat.classes.map(\.name))
    }

    /// One sample of the machine at `time` nanoseconds of the run's clock.
    func sampleTimeline(at time: Int64) -> Timeline.Sample {
        let allocator = machine.pageAllocator
        let reclaim = machine.reclaim
        let vmstat = machine.vmstat
        let zones = allocator.zones.filter(\.isPopulated).map(Self.sampleZone)
        let nodes = (0..<spec.machine.nodes).map { node -> Timeline.NodeSample in
            let lruvec = reclaim.lruvecs[node]
            let state = reclaim.nodeStates[node]
            return Timeline.NodeSample(dirty: state.dirty.load(ordering: .relaxed),
                                       writeback: state.writebackInFlight.load(ordering: .relaxed),
                                       activeFile: lruvec.size(.activeFile), inactiveFile: lruvec.size(.inactiveFile),
                                       activeAnon: lruvec.size(.activeAnon), inactiveAnon: lruvec.size(.inactiveAnon))
        }
        let kinds = ExecutionContext.Kind.allCases
        var ops = [Int64](repeating: 0, count: kinds.count)
        for index in plan.classes.indices {
            if let slot = kinds.firstIndex(of: plan.classes[index].kind) { ops[slot] += counters.ops(index) }
        }
        let stalls = [VMStatItem.allocstallDMA, .allocstallDMA32, .allocstallNormal, .allocstallMovable]
            .reduce(0) { $0 + vmstat.value($1) }
        return Timeline.Sample(
            timeNs: time, zones: zones, nodes: nodes,
            slabPages: vmstat.value(.nrSlabReclaimable) + vmstat.value(.nrSlabUnreclaimable),
            ops: ops, opsPerSecond: [], failures: counters.totalFailures,
            kswapdBalancing: reclaim.kswapds.map(\.isBalancing), kswapdRuns: reclaim.kswapds.map(\.balanceRuns),
            directReclaimsInProgress: reclaim.directReclaimsInProgress.load(ordering: .relaxed),
            directReclaimStalls: stalls,
            compactStalls: vmstat.value(.compactStall), kcompactdWakeups: vmstat.value(.compactDaemonWake),
            pagesMigrated: vmstat.value(.pgmigrateSuccess),
            lockWaitNs: machine.lockStat.classes.map { $0.stats.sum(LockStatField.waitTotal) },
            topLockWait: nil)
    }

    /// A zone's free pages, watermarks, buddyinfo row and pageblock counts (`zoneinfo_show_print()`,
    /// `frag_show_print()`, `pagetypeinfo_showblockcount_print()`).
    static func sampleZone(_ zone: Zone) -> Timeline.ZoneSample {
        var blocks = [Int](repeating: 0, count: MigrateType.allCases.count)
        var pfn = zone.startPFN
        while pfn < zone.endPFN {
            let type = zone.memory.pageblockMigratetype(pfn).rawValue
            if type < blocks.count { blocks[type] += 1 }
            pfn += PageAllocator.pageblockPages
        }
        return Timeline.ZoneSample(free: zone.freePages, min: zone.watermarkMin, low: zone.watermarkLow,
                                   high: zone.watermarkHigh, boost: zone.watermarkBoost,
                                   nrFree: (0...PageAllocator.maxOrder).map { zone.nrFree[$0] }, pageblocks: blocks)
    }
}
