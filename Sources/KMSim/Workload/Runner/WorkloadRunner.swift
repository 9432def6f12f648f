import Synchronization

/// Runs a `WorkloadSpec` on a booted `Machine`: tasks on the simulated CPUs' process sides, interrupt
/// sources with their handlers, deliberate bugs, periodic invariant checks and progress, then collects
/// everything the run report needs.
///
/// Structured by operation kind so each subsystem plugs in as it lands: allocation and free of one
/// object by API (`WorkloadRunner+Operations`), task loops (`+Tasks`), interrupt handlers (`+Interrupts`),
/// deliberate bugs (`+Bugs`), checks (`+Check`), progress (`+Progress`).
///
/// Mutable run state lives in per-task locals, per-CPU side states touched only on their CPU's serial
/// queue (`CPUProcessState`, `CPUInterruptState`), relaxed per-CPU counters and lock-free rings.
public final class WorkloadRunner: Sendable {
    public let spec: WorkloadSpec
    public let options: RunOptions
    public let machine: Machine
    public let cpus: SimulatedCPUs
    public let debug: AtomicSleepDebug
    public let latency: AllocationLatency
    let plan: RunPlan
    let caches: [KMemCache]
    let counters: RunCounters
    let mailboxes: RemoteFreeMailboxes
    let gate = RunGate()
    /// Times each allocation (the TSC when invariant, see `HostCycleClock`).
    let cycleClock = HostCycleClock.shared
    /// Unretained references to what every operation calls (`machine.slab`, `machine.pageAllocator`, kept
    /// alive by the strong properties above), so an operation costs no retain/release pair per call: two
    /// atomic read-modify-writes that were a tenth of the runner's profile.
    let slabRef: Unmanaged<SlabAllocator>
    let pageAllocatorRef: Unmanaged<PageAllocator>
    /// Where the tasks' order-0 `__GFP_MOVABLE` pages are registered so compaction can migrate them
    /// (`machine.reclaim.compaction.movablePages`): such a page is kept as its handle, not its PFN.
    let movablePages: MovablePages
    /// The page allocator's outcome words (`WorkloadRunner+Outcomes.swift`), read after each allocation.
    let outcomeCells: AllocationOutcomeCells
    let processStates: [CPUProcessState]
    let interruptStates: [CPUInterruptState]
    let stopping = Atomic<Bool>(false)
    let checks = OrderedMutex(CheckLog())
    /// The highalloc passes done so far (`highalloc:`).
    let highallocPasses = OrderedMutex<[RunReport.HighallocPass]>([])
    /// The engine's clock when the run is on the virtual clock, nil on the real engine.
    public let virtualClock: VirtualClock?
    /// What the virtual loop keeps between its events (the tasks to cancel, when the run stopped).
    let virtualRun = VirtualRunState()
    /// The machine's fault injection (`machine.faults`), nil without it: a NULL is then never injected.
    let faults: FaultInjection?
    /// Operations a task draws and runs per executor hop (`options.batchOperations`, at most
    /// `virtualBatchOperations` on the virtual clock, where a batch usually yields after a few).
    let batchOperations: Int
    static let virtualBatchOperations = 32
    /// Each phased task group's shared barriers, shuffle pool and phase times; nil for a looping group.
    let phaseStates: [GroupPhaseState?]
    /// The timeline's samples (`--sample-every`), nil when sampling is off.
    let timelineRecorder: TimelineRecorder?
    /// The trace log when `--trace-all` records every allocation and free, else nil (fixed at boot, so
    /// the fast path pays one branch on it).
    let fastPathTrace: TraceEventLog?


    /// The seconds the run lasts (nil: until every task has done its operations).
    public var durationSeconds: Double? {
        if case .duration(let seconds) = spec.length { return seconds }
        return nil
    }

    /// Boots the machine the workload describes and prepares the run; throws when the host cannot map
    /// the machine's memory or a cache cannot be created.
    public init(spec: WorkloadSpec, options: RunOptions = RunOptions(), host: HostTopology = .current()) throws {
        var spec = spec
        if let seconds = options.durationSeconds { spec.length = .duration(seconds: seconds) }
        if let seed = options.seed { spec.seed = seed }
        spec.faults = spec.faults.applying(failslab: options.failslab, failPageAlloc: options.failPageAlloc)
        self.spec = spec
        self.options = options
        let plan = RunPlan(spec: spec)
        guard plan.operations.count <= LiveObject.operationLimit else {
            throw RunError.tooManyOperations(plan.operations.count)
        }
        if let bug = spec.bugs.first(where: { $0.kind.isSlabBug && !DeliberateBugSpec.slabDebugSizes.contains($0.size) }) {
            throw RunError.bugSizeNotCoveredBySlubDebug(bug.kind, bug.size)
        }
        self.plan = plan
        phaseStates = plan.groups.map { group in
            group.spec.phases.isEmpty ? nil
                : GroupPhaseState(taskCount: group.cpus.count * group.spec.tasksPerCPU, phaseCount: group.spec.phases.count)
        }
        timelineRecorder = options.sampleEverySeconds.map {
            TimelineRecorder(intervalNs: Self.simulatedNanoseconds($0), capacity: options.timelineCapacity)
        }
        let clock = (options.clock ?? spec.clock) == .virtual ? VirtualClock(spec: spec.machine, costs: spec.costs) : nil
        virtualClock = clock
        batchOperations = clock == nil ? options.batchOperations : min(options.batchOperations, Self.virtualBatchOperations)
        let (machine, caches) = try VirtualClock.$booting.withValue(clock) {
            try Self.boot(spec: spec, plan: plan, host: host)
        }
        self.machine = machine
        self.caches = caches
        faults = machine.faults
        debug = machine.sleepDebug
        cpus = machine.cpus
        latency = AllocationLatency(cpus: cpus)
        slabRef = .passUnretained(machine.slab)
        pageAllocatorRef = .passUnretained(machine.pageAllocator)
        movablePages = machine.reclaim.compaction.movablePages
        outcomeCells = machine.pageAllocator.outcomes
        fastPathTrace = options.trace && options.traceAll ? machine.pageAllocator.eventLog : nil
        let cpuCount = spec.machine.cpuCount
        counters = RunCounters(cpuCount: cpuCount, classCount: plan.classes.count)
        mailboxes = RemoteFreeMailboxes(cpuCount: cpuCount, pairs: Self.remotePairs(plan, cpuCount: cpuCount),
                                        virtual: clock != nil)
        processStates = (0..<cpuCount).map { CPUProcessState(cpu: $0, plan: plan, seed: spec.seed) }
        interruptStates = (0..<cpuCount).map { CPUInterruptState(cpu: $0, plan: plan, seed: spec.seed) }
    }

    /// Boots the machine and creates the workload's caches (inside `VirtualClock.$booting` for a virtual
    /// run, so every lock, executor and allocator built here keeps the clock).
    static func boot(spec: WorkloadSpec, plan: RunPlan, host: HostTopology) throws -> (Machine, [KMemCache]) {
        let debugCaches = Self.debugCaches(for: spec)
        let faults = FaultInjectionConfig(spec: spec.faults, seed: spec.seed,
                                          usesFailNth: spec.taskGroups.contains { $0.failNth != nil })
        let machine = try Machine(spec: spec.machine, host: host, slubDebug: debugCaches.isEmpty ? [] : .debugAll,
                                  slubDebugCaches: debugCaches, reclaimConfig: spec.reclaim.config(for: spec.machine, compaction: spec.compaction.config),
                                  faults: faults)
        var caches: [KMemCache] = []
        for cache in plan.caches {
            guard let made = machine.slab.kmemCacheCreate(name: cache.name, size: Int(cache.objectSize)) else {
                throw RunError.cacheCreation(cache.name)
            }
            caches.append(made)
        }
        return (machine, caches)
    }

    /// slub_debug= for the kmalloc caches the deliberate slab bugs use, so SLUB's red zones and poisoning
    /// find them (the kernel finds them only with debugging on, too).
    static func debugCaches(for spec: WorkloadSpec) -> Set<String> {
        var names: Set<String> = []
        for bug in spec.bugs where bug.kind != .sleepingAllocInIRQ {
            let size = KmallocSizes.size(ofIndex: KmallocSizes.index(forSize: Int(bug.size)))
            names.insert(KmallocType.normal.cacheName(size: size))
        }
        return names
    }

    /// Every (side, target) pair some object may travel along.
    static func remotePairs(_ plan: RunPlan, cpuCount: Int) -> Set<RemoteFreeMailboxes.Pair> {
        var pairs: Set<RemoteFreeMailboxes.Pair> = []
        for group in plan.groups {
            for (cpu, targets) in group.remoteTargets {
                for target in targets { pairs.insert(.init(side: RemoteFreeMailboxes.processSide(cpu), target: target)) }
            }
        }
        for source in plan.interrupts {
            for index in source.allocations {
                for cpu in source.cpus {
                    for target in plan.handlerTargets(index, cpu: cpu, cpuCount: cpuCount) {
                        pairs.insert(.init(side: RemoteFreeMailboxes.interruptSide(cpu), target: target))
                    }
                }
            }
        }
        return pairs
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Runs the workload to its end: starts everything, waits for the duration (or for the tasks' operation
    /// counts), stops, checks invariants and collects the results. `progress` is called every
    /// `options.progressInterval` seconds from a background task.
    public func run(progress: (@Sendable (RunProgress) -> Void)? = nil) async -> RunResult {
        if options.trace {
            machine.pageAllocator.eventLog.start(capacity: options.traceCapacity, fastPathCapacity: options.traceFastPathCapacity,
                                                 lockClasses: machine.lockStat.classes, lockWaitThresholdNs: options.traceLockWaitNs)
        }
        defer { machine.pageAllocator.eventLog.stop() }
        if let virtualClock { return await runVirtual(virtualClock) }
        let start = monotonicNanoseconds()
        timelineRecorder?.append(sampleTimeline(at: 0))
        let tasks = startTasks()
        let sources = startInterrupts()
        let checker = options.check ? Task { await self.checkPeriodically() } : nil
        let sampler = timelineRecorder.map { recorder in
            Task { await self.sampleTimelinePeriodically(recorder, start: start) }
        }
        let reporter = progress.map { callback in
            Task { await self.reportProgress(every: options.progressInterval ?? 1, start: start, callback) }
        }
        await waitForEnd(workers: tasks.workers)
        stopping.store(true, ordering: .relaxed)
        checker?.cancel()
        await checker?.value
        sampler?.cancel()
        await sampler?.value
        for task in tasks.all { task.cancel() }
        for task in tasks.all { await task.value }
        timelineRecorder?.append(sampleTimeline(at: Int64(clamping: monotonicNanoseconds() &- start)))
        for source in sources { source.cancel() }
        await gate.pause()
        await machine.reclaim.stopKswapds()
        reporter?.cancel()
        await reporter?.value
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        await checkInvariants(final: true)
        return RunResult(runner: self, elapsedSeconds: elapsed, hostSeconds: elapsed, latency: await latency.merged())
    }

    /// A task group member finished its operations: on the virtual clock the last one ends the run
    /// (the real engine awaits the workers instead).
    func workerFinished() {
        guard let virtualClock, virtualClock.isLoopThread else { return }
        virtualRun.workersRunning -= 1
        if virtualRun.workersRunning == 0 { stopVirtual(virtualClock, at: virtualClock.now) }
    }

    /// The run's clock in nanoseconds: simulated time on the virtual clock, else CLOCK_MONOTONIC.
    @inline(__always)
    func nowNanoseconds() -> UInt64 {
        if let virtualClock { return UInt64(max(0, virtualClock.now)) }
        return monotonicNanoseconds()
    }

    /// A reading of the clock that times allocations: the running CPU's virtual time, or the TSC.
    @inline(__always)
    func clockTicks() -> UInt64 {
        if let virtualClock { return UInt64(max(0, virtualClock.now)) }
        return cycleClock.ticks()
    }

    /// Nanoseconds since the `clockTicks()` reading `start`.
    @inline(__always)
    func elapsedNanoseconds(since start: UInt64) -> UInt64 {
        if let virtualClock {
            let now = UInt64(max(0, virtualClock.now))
            return now > start ? now - start : 0
        }
        return cycleClock.nanoseconds(from: start, to: cycleClock.ticks())
    }
}

/// Why a run could not start.
public enum RunError: Error, CustomStringConvertible {
    case cacheCreation(String)
    case tooManyOperations(Int)
    /// A slab bug (built in code; the workload decoder refuses it with a location) on a kmalloc size
    /// above KMALLOC_MAX_CACHE_SIZE, where slub_debug has nothing to find.
    case bugSizeNotCoveredBySlubDebug(DeliberateBugSpec.Kind, UInt64)

    public var description: String {
        switch self {
        case .cacheCreation(let name): return "kmem_cache_create(\"\(name)\") failed"
        case .tooManyOperations(let count):
            return "the workload has \(count) distinct allocations; the runner handles up to \(LiveObject.operationLimit)"
        case .bugSizeNotCoveredBySlubDebug(let kind, let size):
            return "a \(kind.rawValue) bug of \(ByteSize.format(size)): slub_debug covers kmalloc sizes up to \(ByteSize.format(DeliberateBugSpec.slabDebugSizes.upperBound)) only"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CLOCK_MONOTONIC in nanoseconds (a vDSO call, no system call).
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}
