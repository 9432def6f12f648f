import Foundation

/// How each point of a sweep runs, beyond its workload text.
public struct SweepRunSettings: Sendable {
    /// The engine; the virtual clock unless `--clock real`.
    public var clock: RunClock = .virtual
    /// `--duration` as the user wrote it (checked by `TimeSpan.parse` before a sweep starts).
    public var duration: String?
    /// Points run at once.
    public var jobs = 1

    public init(clock: RunClock = .virtual, duration: String? = nil, jobs: Int = 1) {
        self.clock = clock
        self.duration = duration
        self.jobs = jobs
    }

    /// The host cores each run had to itself on the real clock (the host's cores shared by the runs
    /// going at once); nil on the virtual clock, whose results do not depend on the host.
    public func hostCores(points: Int, hostCores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int? {
        guard clock == .real else { return nil }
        return max(1, hostCores / max(1, min(jobs, points)))
    }
}

/// What running one point gave: its `kmsim run --json` bytes and that run's exit status (0, or 1 for a
/// violated invariant, whose report is still a result).
public struct SweepPointOutcome: Sendable {
    public var reportJSON: Data
    public var exitStatus: Int32

    public init(reportJSON: Data, exitStatus: Int32) {
        self.reportJSON = reportJSON
        self.exitStatus = exitStatus
    }
}

/// Runs one point: in this process (`SweepInProcess`) or in a child `kmsim run` (`SweepChildProcess`).
public typealias SweepPointRunner = @Sendable (SweepPlan.Point, SweepRunSettings) async throws -> SweepPointOutcome

/// Runs a sweep's points, at most `settings.jobs` at once, and collects their entries in point order.
public enum SweepExecution {
    public struct Result: Sendable {
        public var entries: [SweepEntry]
        /// The worst exit status of the runs (1 when some run found a violated invariant).
        public var exitStatus: Int32
    }

    public static func run(_ points: [SweepPlan.Point], settings: SweepRunSettings, runner: @escaping SweepPointRunner,
                           finished: (@Sendable (SweepEntry, Int) -> Void)? = nil) async throws -> Result {
        let hostCores = settings.hostCores(points: points.count)
        let jobs = max(1, settings.jobs)
        var entries: [SweepEntry] = []
        var status: Int32 = 0
        try await withThrowingTaskGroup(of: (SweepPlan.Point, SweepPointOutcome).self) { group in
            var pending = points[...]
            func startNext() {
                guard let point = pending.popFirst() else { return }
                group.addTask { (point, try await runner(point, settings)) }
            }
            for _ in 0..<jobs { startNext() }
            while let (point, outcome) = try await group.next() {
                let entry = try SweepEntry(point: point, reportJSON: outcome.reportJSON, hostCores: hostCores)
                entries.append(entry)
                status = max(status, outcome.exitStatus)
                finished?(entry, entries.count)
                startNext()
            }
        }
        return Result(entries: entries.sorted { $0.point < $1.point }, exitStatus: status)
    }
}
