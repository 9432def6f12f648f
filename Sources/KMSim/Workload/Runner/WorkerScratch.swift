/// What one task group task keeps while it runs (looping or phased): its random generator, the
/// objects it holds, the trace of its current batch and its per-class counts, released when the task
/// ends. Made once per task, on the task's CPU; never shared.
struct WorkerScratch: ~Copyable {
    var generator: SplitMix64
    var live: LiveObjectSet
    let trace: BatchTrace
    /// `RunCounters.width` counts, flushed to the run's counters after each batch.
    let counts: UnsafeMutablePointer<Int64>

    /// The task `context.pid` of `group` joins fault injection's task table (`make-it-fail`,
    /// `fail-nth`) and gets its generator, seeded from the workload's seed and its pid.
    init(runner: WorkloadRunner, group: RunPlan.Group, context: ExecutionContext, lifetime: Lifetime) {
        runner.faults?.setTask(pid: context.pid, makeItFail: group.spec.makeItFail, failNth: group.spec.failNth ?? 0)
        generator = SplitMix64(seed: runner.spec.seed &+ UInt64(context.pid) &* 0x9E37_79B9_7F4A_7C15)
        live = LiveObjectSet(lifetime)
        trace = BatchTrace(capacity: runner.batchOperations)
        let width = RunCounters.width(classCount: runner.plan.classes.count)
        counts = .allocate(capacity: width)
        counts.initialize(repeating: 0, count: width)
    }

    deinit {
        live.deallocate()
        trace.deallocate()
        counts.deallocate()
    }
}
