import Histogram

extension RunResult {
    /// Collects the report of a finished run: the runner's counters, the merged latency histograms, the
    /// machine's vmstat, lock_stat, SLUB statistics and kernel log, and the invariant checks.
    init(runner: WorkloadRunner, elapsedSeconds: Double, hostSeconds: Double, latency: LatencyReport) {
        let machine = runner.machine
        let plan = runner.plan
        let counters = runner.counters
        let vmstatText = ProcFS.vmstat(machine)
        var vmstat: [String: Int] = [:]
        for line in vmstatText.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = Int(fields[1]) { vmstat[String(fields[0])] = value }
        }
        let classes = plan.classes.indices.map { index -> RunReport.ClassRow in
            let reportClass = plan.classes[index]
            return RunReport.ClassRow(
                context: reportClass.kind.rawValue, gfp: reportClass.gfp.description, api: reportClass.api.kernelName,
                ops: counters.ops(index), failures: counters.failures(index), injected: counters.injected(index),
                latencyNs: Self.latency(of: plan.sizeClasses[index], kind: reportClass.kind,
                                        gfpClass: GFPClass(reportClass.gfp), in: latency),
                outcomes: Self.outcomes(ofClass: index, plan: plan, counters: counters, latency: latency),
                fallback: .init(otherZone: counters.otherZone(index), otherNode: counters.otherNode(index)))
        }
        var bugs: [String: Int] = [:]
        for (kind, count) in machine.bugReports.counts where !WorkloadRunner.nonBugKinds.contains(kind) {
            bugs[kind.rawValue] = count
        }
        func stat(_ name: String) -> Int { vmstat[name] ?? 0 }
        let reclaim = RunReport.Reclaim(
            kswapdWakeups: stat("pageoutrun"),
            directReclaimStalls: stat("allocstall_dma") + stat("allocstall_dma32") + stat("allocstall_normal") + stat("allocstall_movable"),
            pagesScanned: stat("pgscan_kswapd") + stat("pgscan_direct"),
            pagesReclaimed: stat("pgsteal_kswapd") + stat("pgsteal_direct"),
            oomKills: stat("oom_kill"),
            dirtyThrottles: machine.reclaim.count(.dirtyThrottled),
            pagesWrittenByWriters: machine.reclaim.count(.pagesWrittenByDirtier))
        let locks = machine.lockStat.snapshot()
            .filter { $0.acquisitions > 0 || $0.contentions > 0 }
            .sorted { ($0.contentions, $0.waitTime.total, $0.acquisitions) > ($1.contentions, $1.waitTime.total, $1.acquisitions) }
            .map { RunReport.LockRow(lockClass: $0.name, acquisitions: $0.acquisitions, contentions: $0.contentions,
                                     waitTotalNs: $0.waitTime.total, waitMaxNs: $0.waitTime.max) }
        let checks = runner.checks.withLock { $0 }
        let operations = counters.totalOps
        let spec = runner.spec
        var report = RunReport(
            workload: spec.name, seed: spec.seed,
            machine: .init(nodes: spec.machine.nodes, cpus: spec.machine.cpuCount,
                           memoryBytes: spec.machine.memoryPerNode * UInt64(spec.machine.nodes)),
            durationSeconds: elapsedSeconds, classes: classes, atomicWaits: runner.debug.atomicWaits, bugs: bugs,
            reclaim: reclaim, locks: locks, invariants: .init(checked: checks.checked, violations: checks.violations),
            vmstat: vmstat, operations: operations,
            operationsPerSecond: elapsedSeconds > 0 ? Double(operations) / elapsedSeconds : 0,
            slub: Self.slub(machine.slab), perCPUPageListHitPercent: machine.pageAllocator.perCPUListHitPercent,
            numa: .init(hit: stat("numa_hit"), miss: stat("numa_miss"), foreign: stat("numa_foreign"),
                        local: stat("numa_local"), other: stat("numa_other")),
            interrupts: counters.event(.interrupts), droppedInterrupts: counters.event(.droppedInterrupts),
            missedInterrupts: counters.event(.missedInterrupts),
            remoteFrees: counters.event(.remoteFrees), remoteFreeFallbacks: counters.event(.remoteFreeFallbacks),
            deliberateBugs: spec.bugs.map(\.kind.rawValue), panic: machine.bugReports.panicReason)
        report.compaction = .from(vmstat: vmstat)
        if runner.spec.highalloc != nil { report.highalloc = runner.highallocPasses.withLock { $0 } }
        if let clock = runner.virtualClock {
            report.clock = RunClock.virtual.rawValue
            report.interruptsDeferred = clock.interruptsDeferred
            report.interruptDelayNs = .init(p50: clock.interruptDelay(percentile: 50),
                                            p99: clock.interruptDelay(percentile: 99))
        }
        if let faults = machine.faults {
            report.injectedFailures = .init(failslab: faults.failslabInjected, failPageAlloc: faults.failPageAllocInjected)
            let names = Dictionary(machine.slab.caches.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            report.injectedFailureSites = faults.sites { names[$0] }
        }
        report.host = .init(wallSeconds: hostSeconds, simulatedSeconds: elapsedSeconds,
                            simulatedOpsPerHostSecond: hostSeconds > 0 ? Double(operations) / hostSeconds : 0)
        report.allLatencyNs = Self.mergedLatency(latency)
        report.phases = RunReport.phaseRows(runner)
        report.timeline = runner.finishedTimeline()
        self.init(report: report, bugReports: bugs.values.reduce(0, +))
        classHistograms = plan.classes.indices.map { index in
            let reportClass = plan.classes[index]
            return Self.histogram(of: plan.sizeClasses[index], kind: reportClass.kind,
                                  gfpClass: GFPClass(reportClass.gfp), in: latency)
        }
    }

    /// The latency of a report class: the histograms of its context kind, GFP class and size classes
    /// merged. Classes that share all three (GFP_KERNEL and GFP_KERNEL|__GFP_ZERO kmalloc of the same
    /// sizes) share these figures; their ops and failures stay separate.
    static func latency(of sizeClasses: Set<AllocationSizeClass>, kind: ExecutionContext.Kind, gfpClass: GFPClass,
                        in report: LatencyReport) -> RunReport.Latency {
        let merged = histogram(of: sizeClasses, kind: kind, gfpClass: gfpClass, in: report)
        guard merged.totalCount > 0 else { return .zero }
        let summary = LatencyReport.summarize(merged)
        return .init(p50: summary.p50, p99: summary.p99, p999: summary.p999, max: summary.max)
    }

    /// The histograms of a context kind, GFP class and size classes merged into one.
    static func histogram(of sizeClasses: Set<AllocationSizeClass>, kind: ExecutionContext.Kind, gfpClass: GFPClass,
                          in report: LatencyReport) -> Histogram<UInt64> {
        var merged = LatencyReport.makeHistogram()
        for size in sizeClasses.sorted(by: { $0.index < $1.index }) {
            if let histogram = report.histograms[LatencyKey(kind: kind, gfpClass: gfpClass, size: size)] {
                merged.add(histogram)
            }
        }
        return merged
    }

    /// Every histogram of the run merged into one.
    static func mergedLatency(_ report: LatencyReport) -> RunReport.Latency {
        var merged = LatencyReport.makeHistogram()
        for histogram in report.histograms.values { merged.add(histogram) }
        guard merged.totalCount > 0 else { return .zero }
        let summary = LatencyReport.summarize(merged)
        return .init(p50: summary.p50, p99: summary.p99, p999: summary.p999, max: summary.max)
    }

    /// SLUB fast path counters summed over every cache.
    static func slub(_ slab: SlabAllocator) -> RunReport.SlubCPUCache {
        var totals = [UInt64](repeating: 0, count: 4)
        for cache in slab.caches {
            totals[0] += cache.statistic(.allocFastpath)
            totals[1] += cache.statistic(.allocSlowpath)
            totals[2] += cache.statistic(.freeFastpath)
            totals[3] += cache.statistic(.freeSlowpath)
        }
        func percent(_ part: UInt64, _ other: UInt64) -> Double? {
            part + other == 0 ? nil : (Double(part) * 1000 / Double(part + other)).rounded() / 10
        }
        return .init(allocFastpath: Int(totals[0]), allocSlowpath: Int(totals[1]), freeFastpath: Int(totals[2]),
                     freeSlowpath: Int(totals[3]), allocFastpathPercent: percent(totals[0], totals[1]),
                     freeFastpathPercent: percent(totals[2], totals[3]))
    }
}
