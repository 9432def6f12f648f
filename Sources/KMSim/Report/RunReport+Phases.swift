/// The phases of phased task groups (`PhaseSpec`), reported as the LLFree benchmark module reports its
/// runs: per phase, the time per operation averaged over the group's CPUs, with the fastest and the
/// slowest CPU.
extension RunReport {
    /// One phase of one phased group.
    public struct PhaseRow: Codable, Sendable, Equatable {
        /// Per-task time per operation (phase time / the task's operations) across the group's tasks.
        public struct NsPerOperation: Codable, Sendable, Equatable {
            public var mean: Double
            public var min: Double
            public var max: Double
        }

        public var group: String
        public var name: String
        /// Operations of every task in the phase (allocations made or objects freed).
        public var operations: Int
        public var nsPerOperation: NsPerOperation
    }

    /// The rows of every phased group of `runner`, in group then phase order. A task that did no
    /// operation in a phase (the run stopped first) is left out of that phase's averages.
    static func phaseRows(_ runner: WorkloadRunner) -> [PhaseRow] {
        var rows: [PhaseRow] = []
        for (index, group) in runner.plan.groups.enumerated() {
            guard let state = runner.phaseStates[index] else { continue }
            for (phaseIndex, phase) in group.spec.phases.enumerated() {
                let samples = state.samples(phase: phaseIndex)
                let perTask = samples.filter { $0.operations > 0 }.map { Double($0.nanoseconds) / Double($0.operations) }
                let mean = perTask.isEmpty ? 0 : perTask.reduce(0, +) / Double(perTask.count)
                rows.append(PhaseRow(group: group.spec.name, name: phase.name,
                                     operations: samples.map(\.operations).reduce(0, +),
                                     nsPerOperation: .init(mean: mean, min: perTask.min() ?? 0, max: perTask.max() ?? 0)))
            }
        }
        return rows
    }

    /// "phases ..." table and a blank line; nothing when the workload has no phased group.
    var phaseLines: [String] {
        guard !phases.isEmpty else { return [] }
        var lines = ["phases (time per operation across the group's CPUs)          ops      mean       min       max"]
        for row in phases {
            lines.append(Self.pad("\(row.group) \(row.name)", 52) + Self.left(String(row.operations), 11)
                + [row.nsPerOperation.mean, row.nsPerOperation.min, row.nsPerOperation.max]
                    .map { Self.left(Self.nanoseconds(UInt64($0.rounded())), 10) }.joined())
        }
        lines.append("")
        return lines
    }
}
