/// The process context of one simulated CPU: an actor whose executor is the CPU's serial queue
/// (`CPUQueueExecutor`), mirroring the kernel's per-CPU runqueue (`struct rq`).
///
/// A simulated task is a closure isolated to this actor. Everything it does between two `await`s runs as
/// one job on the CPU's queue, so a task runs thousands of synchronous allocator operations per hop; when it
/// sleeps (`WaitQueue.wait`, `simulatedSleep`) the job ends and the CPU runs its other tasks, the way
/// `schedule()` picks the next runnable task. Scheduling is cooperative, as in a `PREEMPT_NONE` kernel:
/// long loops call `condResched()`.
public actor CPURunqueue {
    /// The simulated CPU this runqueue belongs to.
    public nonisolated let cpu: Int
    nonisolated let executor: CPUQueueExecutor
    /// Tasks started on this CPU that have not finished (`rq->nr_running` plus sleepers).
    public private(set) var tasks = 0
    /// Tasks started on this CPU since boot.
    public private(set) var tasksStarted = 0

    init(machine: Int, cpu: Int, hostNode: Int) {
        self.cpu = cpu
        self.executor = CPUQueueExecutor(side: CPUSide(machine: machine, cpu: cpu, kind: .process), hostNode: hostNode,
                                         label: "kmsim.m\(machine).cpu\(cpu).process")
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Runs `body` as a task in process context on this CPU: `context` starts as `.task(cpu:pid:)` and is
    /// the task's own (its PF_MEMALLOC* flags, preempt count) for the task's lifetime.
    public func runTask<R: Sendable>(
        pid: Int32,
        _ body: @Sendable (inout ExecutionContext, isolated CPURunqueue) async throws -> R
    ) async rethrows -> R {
        tasks += 1
        tasksStarted += 1
        defer { tasks -= 1 }
        var context = ExecutionContext.task(cpu: cpu, pid: pid)
        return try await body(&context, self)
    }

    /// `cond_resched()`: lets the CPU's other runnable tasks run before this one continues.
    public func condResched() async {
        await Task.yield()
    }
}
