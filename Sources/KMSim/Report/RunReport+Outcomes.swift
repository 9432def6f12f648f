/// The report's "where allocations were served" part: per report class, how many allocations each
/// `AllocationOutcome` served, their p50/p99 latency, the deepest dip below MIN, and how many came from
/// a zone or node other than the preferred one.
extension RunReport {
    /// One outcome of one report class.
    public struct OutcomeRow: Codable, Sendable, Equatable {
        /// Allocations it served (`failed`: the class's failures).
        public var count: Int64
        /// Their latency (for the first 255 classes of a run, `OutcomeLatencyKey`).
        public var latencyNs: OutcomeLatency
        /// `reserve` and `noWatermarks`: the lowest free pages an allocation left in its zone, as a percent
        /// of the zone's MIN watermark (one decimal); absent elsewhere and before any dip.
        public var deepestFreePercentOfMin: Double?
    }

    /// p50 and p99 of one outcome, nanoseconds.
    public struct OutcomeLatency: Codable, Sendable, Equatable {
        public var p50: UInt64
        public var p99: UInt64
    }

    /// Allocations served by a zone other than the preferred one (`ac->preferred_zoneref`): a lower zone
    /// of the preferred node, or another node (`numa_miss`).
    public struct Fallback: Codable, Sendable, Equatable {
        public var otherZone: Int64
        public var otherNode: Int64

        public static let zero = Fallback(otherZone: 0, otherNode: 0)
    }

    /// The outcome table: each class, then one line per outcome that served something, then its
    /// fallbacks; and a blank line.
    var outcomeLines: [String] {
        var lines = [Self.pad("where allocations were served", 52) + Self.pad("outcome", 22) + Self.left("count", 11)
            + Self.left("share", 8) + Self.left("p50", 8) + Self.left("p99", 8) + Self.left("lowest free", 13)]
        for row in classes where row.ops > 0 {
            var label = "\(row.context) \(row.gfp.isEmpty ? "0" : row.gfp) \(row.api)"
            func line(_ name: String, _ count: Int64, _ rest: String) {
                lines.append(Self.pad(label, 52) + Self.pad(name, 22) + Self.left(String(count), 11)
                    + Self.left(Self.share(count, of: row.ops), 8) + rest)
                label = ""
            }
            for outcome in AllocationOutcome.allCases {
                guard let served = row.outcomes[outcome.key], served.count > 0 else { continue }
                let dip = served.deepestFreePercentOfMin.map { Self.left(String(format: "%.1f%% min", $0), 13) } ?? ""
                line(outcome.description, served.count,
                     Self.left(Self.nanoseconds(served.latencyNs.p50), 8) + Self.left(Self.nanoseconds(served.latencyNs.p99), 8) + dip)
            }
            if row.fallback.otherZone > 0 { line("fallback: other zone", row.fallback.otherZone, "") }
            if row.fallback.otherNode > 0 { line("fallback: other node", row.fallback.otherNode, "") }
        }
        lines.append("")
        return lines
    }

    /// `count` as a share of `total`: "99.6%", "<0.1%" for a non-zero sliver.
    static func share(_ count: Int64, of total: Int64) -> String {
        guard total > 0 else { return "-" }
        let percent = Double(count) * 100 / Double(total)
        return count > 0 && percent < 0.05 ? "<0.1%" : String(format: "%.1f%%", percent)
    }
}

extension RunResult {
    /// The outcome objects of report class `index`: every outcome its mask can reach from its context
    /// (`GFPFlags.reachableOutcomes`), and any other that served something.
    static func outcomes(ofClass index: Int, plan: RunPlan, counters: RunCounters,
                         latency: LatencyReport) -> [String: RunReport.OutcomeRow] {
        let reportClass = plan.classes[index]
        let reachable = reportClass.gfp.reachableOutcomes(atomicContext: reportClass.kind != .task)
        var rows: [String: RunReport.OutcomeRow] = [:]
        for outcome in AllocationOutcome.allCases {
            let count = counters.served(index, outcome)
            guard count > 0 || reachable.contains(outcome) else { continue }
            let summary = latency.outcomeHistograms[OutcomeLatencyKey(reportClass: index, outcome: outcome)]
                .map(LatencyReport.summarize)
            var row = RunReport.OutcomeRow(count: count, latencyNs: .init(p50: summary?.p50 ?? 0, p99: summary?.p99 ?? 0))
            if outcome.dipsBelowMin, let dip = counters.dip(index, noWatermarks: outcome == .noWatermarks) {
                row.deepestFreePercentOfMin = (Double(dip) / 10).rounded() / 10
            }
            rows[outcome.key] = row
        }
        return rows
    }
}
