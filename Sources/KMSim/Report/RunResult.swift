import Histogram

/// What a run produced: the report, and what decides `kmsim run`'s exit status.
public struct RunResult: Sendable {
    public var report: RunReport
    /// BUG reports in the kernel log (the deliberate bugs' reports, and any other).
    public var bugReports: Int
    /// Each report class's latency histogram (nanoseconds), in `report.classes` order: what
    /// `--latency-histograms` writes and the HTML report's percentile curves plot.
    public var classHistograms: [Histogram<UInt64>] = []

    /// The exit status of a run that ended in a simulated kernel panic: an outcome of the workload, not a
    /// failure of kmsim.
    public static let panicExitStatus: Int32 = 3

    /// `kmsim run`'s exit status: 1 when an invariant of kmsim's own state was violated (or, with
    /// `failOnBug`, when any BUG report was made); else 3 when the simulated kernel panicked; else 0.
    /// Provoked BUG reports are results.
    public func exitStatus(failOnBug: Bool) -> Int32 {
        if !report.invariants.violations.isEmpty { return 1 }
        if failOnBug && bugReports > 0 { return 1 }
        if report.panic != nil { return Self.panicExitStatus }
        return 0
    }
}
