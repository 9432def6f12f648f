/// A snapshot of a running workload for the live line: read from relaxed counters while the run goes
/// on, so it is approximate, as /proc is.
public struct RunProgress: Sendable {
    /// Free pages of a node against its watermarks (sums over the node's populated zones).
    public struct NodeFree: Sendable {
        public var node: Int
        public var free: Int
        public var min: Int
        public var low: Int
        public var high: Int
    }

    public var elapsedSeconds: Double
    /// nil in operation-count mode.
    public var totalSeconds: Double?
    public var operations: Int64
    /// Operations per second since the previous snapshot.
    public var operationsPerSecond: Double
    public var failures: Int64
    public var nodes: [NodeFree]
    /// kswapd runs (`pageoutrun`) and direct reclaim stalls (`allocstall_*`) so far.
    public var kswapdRuns: Int
    public var directReclaimStalls: Int
    /// Dirty plus under-writeback page cache pages (`NR_FILE_DIRTY + NR_WRITEBACK`, what
    /// `balance_dirty_pages()` limits); nil when the workload has no page cache writer.
    public var dirtyPages: Int?
    public var bugReports: Int

    /// The one-line form: `[ 1.2s/4s] 3.1M ops/s  node0 free 98123 (min 1024 low 1280 high 1536) ...`.
    public var line: String {
        let total = totalSeconds.map { "/" + TimeSpan.format($0) } ?? ""
        var text = "[\(Self.seconds(elapsedSeconds))\(total)] \(Self.compact(operationsPerSecond)) ops/s"
        for node in nodes {
            text += "  node\(node.node) free \(node.free) (min \(node.min) low \(node.low) high \(node.high))"
        }
        text += "  kswapd \(kswapdRuns)  direct \(directReclaimStalls)"
        if let dirtyPages { text += "  dirty \(dirtyPages)" }
        text += "  failures \(failures)  BUG \(bugReports)"
        return text
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%5.1fs", value)
    }

    /// 1234567 → "1.23M".
    static func compact(_ value: Double) -> String {
        switch value {
        case 1e9...: return String(format: "%.2fG", value / 1e9)
        case 1e6...: return String(format: "%.2fM", value / 1e6)
        case 1e3...: return String(format: "%.1fk", value / 1e3)
        default: return String(format: "%.0f", value)
        }
    }
}

import Foundation

extension WorkloadRunner {
    /// Calls `callback` every `interval` seconds until cancelled.
    func reportProgress(every interval: Double, start: UInt64, _ callback: @Sendable (RunProgress) -> Void) async {
        var lastOps: Int64 = 0
        var lastTime = start
        while !Task.isCancelled {
            guard await scheduleTimeout(nanoseconds: max(nanoseconds(seconds: interval), 50_000_000)) else { return }
            let now = monotonicNanoseconds()
            let snapshot = progress(now: now, start: start, lastOps: lastOps, lastTime: lastTime)
            lastOps = snapshot.operations
            lastTime = now
            callback(snapshot)
        }
    }

    func progress(now: UInt64, start: UInt64, lastOps: Int64, lastTime: UInt64) -> RunProgress {
        let ops = counters.totalOps
        let seconds = Double(now &- lastTime) / 1e9
        let vmstat = machine.vmstat
        let stalls = [VMStatItem.allocstallDMA, .allocstallDMA32, .allocstallNormal, .allocstallMovable]
            .reduce(0) { $0 + vmstat.value($1) }
        let bugs = machine.bugReports.counts.filter { !Self.nonBugKinds.contains($0.key) }.values.reduce(0, +)
        return RunProgress(elapsedSeconds: Double(now &- start) / 1e9, totalSeconds: durationSeconds, operations: ops,
                           operationsPerSecond: seconds > 0 ? Double(ops - lastOps) / seconds : 0,
                           failures: counters.totalFailures, nodes: nodeFree(), kswapdRuns: vmstat.value(.pageoutrun),
                           directReclaimStalls: stalls,
                           dirtyPages: spec.memoryUsers.contains { $0.kind == .pageCacheWriter }
                               ? machine.reclaim.dirtyPages + machine.reclaim.writebackPages : nil,
                           bugReports: bugs)
    }

    func nodeFree() -> [RunProgress.NodeFree] {
        (0..<spec.machine.nodes).map { node in
            let zones = machine.pageAllocator.zones.filter { $0.node == node && $0.isPopulated }
            return RunProgress.NodeFree(node: node, free: zones.reduce(0) { $0 + $1.freePages },
                                        min: zones.reduce(0) { $0 + $1.watermarkMin },
                                        low: zones.reduce(0) { $0 + $1.watermarkLow },
                                        high: zones.reduce(0) { $0 + $1.watermarkHigh })
        }
    }
}
