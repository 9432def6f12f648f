/// A workload: the machine to boot, how long to run, and who allocates what, in which context.
///
/// This is the validated value behind a workload file (`Workloads/*.yaml`, read by
/// `WorkloadSpec.parse(yaml:file:)`) and behind `kmsim stress` flags (`WorkloadSpec(stress:)`). It holds no
/// allocator state: the runner turns it into simulated tasks, interrupt handlers and memory users. Every
/// value in it has been range-checked against `machine` (CPU numbers, sizes, GFP zones), so the runner
/// can use it without checking again.
public struct WorkloadSpec: Sendable, Equatable {
    /// Short name (`larson`); for a file, its `name:` key or the file name without `.yaml`.
    public var name: String
    /// One line for `kmsim workloads`.
    public var description: String
    public var machine: MachineSpec
    /// Swap, I/O cost, swappiness and kswapd (`reclaim:`); empty keeps the defaults.
    public var reclaim: ReclaimSpec
    /// How long the run lasts.
    public var length: RunLength
    /// Seed of every random choice, so a run can be replayed.
    public var seed: UInt64
    /// Tasks in process context running an allocation mix.
    public var taskGroups: [TaskGroupSpec]
    /// Page cache and anonymous memory users that create reclaimable (or unreclaimable) pressure.
    public var memoryUsers: [MemoryUserSpec]
    /// Interrupt sources whose handlers allocate in atomic context.
    public var interrupts: [InterruptSourceSpec]
    /// Bugs provoked on purpose; the BUG reports they cause are results, not failures of kmsim.
    public var bugs: [DeliberateBugSpec]
    /// The engine (`clock:`); `kmsim run --clock` overrides it.
    public var clock: RunClock = .real
    /// The virtual clock's costs (`costs:`): the defaults with the workload's overrides.
    public var costs: CostTable = .defaults
    /// Compaction's switch, sysctls and periodic compact_memory (`compaction:`).
    public var compaction = CompactionSpec()
    /// mmtests' stress-highalloc passes (`highalloc:`), nil for none.
    public var highalloc: HighallocSpec?
    /// Fault injection (`faults:`; `kmsim run --failslab/--fail-page-alloc` set its boot-option fields).
    public var faults: FaultInjectionSpec = .none

    /// The duration a run gets when neither `duration` nor `operations` is given.
    public static let defaultDurationSeconds = 4.0

    public init(name: String, description: String = "", machine: MachineSpec = MachineSpec(),
                reclaim: ReclaimSpec = ReclaimSpec(),
                length: RunLength = .duration(seconds: WorkloadSpec.defaultDurationSeconds), seed: UInt64 = 1,
                taskGroups: [TaskGroupSpec] = [], memoryUsers: [MemoryUserSpec] = [],
                interrupts: [InterruptSourceSpec] = [], bugs: [DeliberateBugSpec] = []) {
        self.name = name
        self.description = description
        self.machine = machine
        self.reclaim = reclaim
        self.length = length
        self.seed = seed
        self.taskGroups = taskGroups
        self.memoryUsers = memoryUsers
        self.interrupts = interrupts
        self.bugs = bugs
    }
}

/// When a run stops: after a time, or once every task has done a number of operations.
public enum RunLength: Sendable, Equatable {
    /// Seconds of the run's clock (`duration: 4s`): wall-clock time, or simulated time on the virtual clock.
    case duration(seconds: Double)
    /// Operations per task in the task groups (`operations: 100000`); memory users and interrupt sources
    /// stop when the last task does.
    case operations(Int)
}
