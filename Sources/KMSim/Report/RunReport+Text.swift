import Foundation

extension RunReport {
    /// Lock classes the terminal report lists.
    static let topLocks = 5

    /// The terminal report, in the kernel's terms: per-class operations and latency, reclaim, the most
    /// contended locks as lock_stat names them, per-CPU cache effectiveness, NUMA placement, BUG reports
    /// and the invariant check.
    public var text: String {
        var lines: [String] = []
        lines.append("kmsim run: \(workload)  seed \(seed)  \(machine.nodes) node(s), \(machine.cpus) CPUs, "
            + "\(ByteSize.format(machine.memoryBytes))  \(String(format: "%.2f", durationSeconds)) s  "
            + "\(operations) ops (\(RunProgress.compact(operationsPerSecond)) ops/s)")
        if let panic {
            lines.append("Kernel panic - not syncing: \(panic): the simulated kernel panicked and the run stopped "
                + "after \(String(format: "%.2f", durationSeconds)) s; the figures below are those of the run so far")
        }
        if clock == RunClock.virtual.rawValue {
            lines.append("virtual clock: times are simulated nanoseconds; \(String(format: "%.3f", host.simulatedSeconds)) s simulated "
                + "in \(String(format: "%.2f", host.wallSeconds)) s of host time "
                + "(\(RunProgress.compact(host.simulatedOpsPerHostSecond)) simulated ops per host second)")
            lines.append("interrupts: \(interrupts) handled, \(interruptsDeferred) deferred by interrupts-off sections, "
                + "delivery delay p50 \(Self.nanoseconds(interruptDelayNs.p50)), p99 \(Self.nanoseconds(interruptDelayNs.p99))")
        } else {
            lines.append("real clock: times are host nanoseconds on \(ProcessInfo.processInfo.activeProcessorCount) host CPUs")
        }
        lines.append("")
        let injecting = hasInjectedFailures
        lines.append("allocations by context and GFP mask                        ops   failures"
            + (injecting ? "   injected" : "") + "     p50     p99   p99.9     max")
        for row in classes {
            let label = "\(row.context) \(row.gfp.isEmpty ? "0" : row.gfp) \(row.api)"
            lines.append(Self.pad(label, 52) + Self.left(String(row.ops), 11) + Self.left(String(row.failures), 11)
                + (injecting ? Self.left(String(row.injected), 11) : "")
                + [row.latencyNs.p50, row.latencyNs.p99, row.latencyNs.p999, row.latencyNs.max]
                    .map { Self.left(Self.nanoseconds($0), 8) }.joined())
        }
        lines.append("")
        lines += outcomeLines
        lines += phaseLines
        if injecting { lines += faultInjectionLines }
        lines.append("reclaim: kswapd wakeups \(reclaim.kswapdWakeups), direct reclaim stalls \(reclaim.directReclaimStalls), "
            + "pages scanned \(reclaim.pagesScanned), reclaimed \(reclaim.pagesReclaimed), OOM kills \(reclaim.oomKills)")
        lines.append("dirty throttling: \(reclaim.dirtyThrottles) writer pauses (balance_dirty_pages), "
            + "\(reclaim.pagesWrittenByWriters) pages written back by throttled writers")
        lines.append(compactionLine)
        lines += highallocLines
        lines.append("")
        lines.append("top contended locks (lock_stat)               contentions  acquisitions  waittime-total  waittime-max")
        for lock in locks.prefix(Self.topLocks) {
            lines.append(Self.pad(lock.lockClass, 44) + Self.left(String(lock.contentions), 13)
                + Self.left(String(lock.acquisitions), 14) + Self.left(Self.nanoseconds(UInt64(max(lock.waitTotalNs, 0))), 16)
                + Self.left(Self.nanoseconds(UInt64(max(lock.waitMaxNs, 0))), 14))
        }
        lines.append("")
        lines.append("per-CPU caches: SLUB alloc fast path \(Self.percent(slub.allocFastpathPercent)) "
            + "(\(slub.allocFastpath) fast, \(slub.allocSlowpath) slow), free fast path \(Self.percent(slub.freeFastpathPercent)) "
            + "(\(slub.freeFastpath) fast, \(slub.freeSlowpath) slow); per-CPU page lists: "
            + (perCPUPageListHitPercent.map { "\(Self.percent($0)) hits" } ?? "no order 0-3 allocations"))
        lines.append("remote frees: \(remoteFrees) handed to another CPU, \(remoteFreeFallbacks) freed locally (ring full); "
            + "interrupts: \(interrupts) handled, \(droppedInterrupts) dropped during checks, \(missedInterrupts) missed")
        let numaTotal = numa.hit + numa.miss
        lines.append("NUMA: numa_hit \(numa.hit), numa_miss \(numa.miss)"
            + (numaTotal > 0 ? String(format: " (%.1f%% local hits)", Double(numa.hit) * 100 / Double(numaTotal)) : "")
            + ", numa_foreign \(numa.foreign), local_node \(numa.local), other_node \(numa.other)")
        lines.append("")
        if bugs.isEmpty {
            lines.append("BUG reports: none")
        } else {
            let deliberate = deliberateBugs.isEmpty ? "" : " (deliberate: \(deliberateBugs.joined(separator: ", ")))"
            lines.append("BUG reports\(deliberate):")
            for (kind, count) in bugs.sorted(by: { $0.key < $1.key }) { lines.append("  \(kind): \(count)") }
        }
        lines.append("atomic waits: \(atomicWaits)")
        if invariants.violations.isEmpty {
            lines.append("invariants: OK (checked \(invariants.checked) time\(invariants.checked == 1 ? "" : "s"))")
        } else {
            lines.append("invariants: \(invariants.violations.count) VIOLATED (checked \(invariants.checked) times)")
            for violation in invariants.violations { lines.append("  \(violation)") }
        }
        return lines.joined(separator: "\n")
    }

    /// 850 → "850ns", 12_300 → "12.3us", 4_500_000 → "4.5ms".
    static func nanoseconds(_ value: UInt64) -> String {
        switch value {
        case 0..<1_000: return "\(value)ns"
        case 1_000..<1_000_000: return String(format: "%.1fus", Double(value) / 1e3)
        case 1_000_000..<1_000_000_000: return String(format: "%.1fms", Double(value) / 1e6)
        default: return String(format: "%.2fs", Double(value) / 1e9)
        }
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0) } ?? "-"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
