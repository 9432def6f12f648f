/// How `kmsim run` runs a workload, beyond the workload itself.
public struct RunOptions: Sendable {
    /// Overrides the workload's length (`--duration`).
    public var durationSeconds: Double?
    /// Overrides the workload's seed (`--seed`).
    public var seed: UInt64?
    /// Check invariants periodically while running (`--check`); they are always checked at the end.
    public var check = false
    /// Seconds between periodic checks.
    public var checkInterval = 0.5
    /// Seconds between progress callbacks; nil for none.
    public var progressInterval: Double?
    /// Operations a task runs per executor hop.
    public var batchOperations = 1024
    /// Overrides the workload's engine (`--clock`).
    public var clock: RunClock?
    /// `failslab=<interval>,<probability>,<space>,<times>` (`--failslab`): sets those four fields of the
    /// workload's `faults.failslab` (configuring it with the other knobs' defaults when absent).
    public var failslab: FaultBootOption?
    /// `fail_page_alloc=<interval>,<probability>,<space>,<times>` (`--fail-page-alloc`), likewise.
    public var failPageAlloc: FaultBootOption?
    /// Seconds of the run's clock between timeline samples (`--sample-every`); nil turns sampling off.
    public var sampleEverySeconds: Double? = TimelineRecorder.defaultIntervalSeconds
    /// Timeline samples kept at most before decimation halves them.
    public var timelineCapacity = TimelineRecorder.defaultCapacity
    /// Record the events `--trace` writes (`TraceEventLog`), at most `traceCapacity` of them.
    public var trace = false
    public var traceCapacity = TraceEventLog.defaultCapacity
    /// With `trace`, also record every allocation and free of the runner (`--trace-all`), at most
    /// `traceFastPathCapacity` of them.
    public var traceAll = false
    public var traceFastPathCapacity = TraceEventLog.defaultFastPathCapacity
    /// Contended lock waits at least this long become trace slices.
    public var traceLockWaitNs = TraceEventLog.defaultLockWaitThresholdNs
    /// Seconds between whole-machine compactions, as writing /proc/sys/vm/compact_memory
    /// (`--compact-every`); overrides the workload's `compaction.compactEvery`.
    public var compactEverySeconds: Double?
    /// Test hook: the final check reports a violation, to exercise exit status 1.
    public var injectInvariantViolation = false

    public init() {}
}
