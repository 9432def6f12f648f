import Dispatch

/// The process-context executor of a simulated CPU: a `SerialExecutor` over a serial `DispatchQueue`
/// (`DispatchSerialQueue` does not exist on Linux).
///
/// Mirrors the CPU half of the kernel scheduler: jobs of the CPU's tasks run one at a time on this queue,
/// and a task that awaits (sleeps) gives the CPU to the next job. Each job first pins its host thread to
/// the CPUs of the host node the simulated node lives on and marks the thread as this CPU's process side.
///
/// It is also the `TaskExecutor` its tasks prefer, so the nonisolated async code a task calls (waiting on a
/// `WaitQueue`, `simulatedSleep`) runs on the CPU too instead of hopping to Swift's global pool and back:
/// a simulated task never leaves its CPU.
public final class CPUQueueExecutor: SerialExecutor, TaskExecutor {
    /// The serial queue every job of this CPU's process context runs on.
    public let queue: DispatchQueue
    let side: CPUSide
    let hostNode: Int
    /// The virtual clock whose loop runs this CPU's jobs as events, nil on the real engine.
    let virtualClock: VirtualClock?

    init(side: CPUSide, hostNode: Int, label: String) {
        self.side = side
        self.hostNode = hostNode
        self.queue = DispatchQueue(label: label)
        self.virtualClock = VirtualClock.booting
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let serial = asUnownedSerialExecutor()
        let preferred = asUnownedTaskExecutor()
        if let virtualClock,
           virtualClock.enqueueIfLooping(job, actor: side.cpu, side: side, serial: serial, preferred: preferred) {
            return
        }
        let side = self.side
        let hostNode = self.hostNode
        queue.async {
            HostThreadState.running(side, hostNode: hostNode) {
                job.runSynchronously(isolatedTo: serial, taskExecutor: preferred)
            }
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets `assumeIsolated` succeed on plain Dispatch blocks queued on the same queue.
    public func checkIsolated() {
        if let virtualClock, virtualClock.isLoopThread { return }
        dispatchPrecondition(condition: .onQueue(queue))
    }

    /// Runs a plain closure on this CPU's process side, serialized with the tasks' jobs; used to read
    /// per-side state (statistics) without a lock.
    func runOnQueue(_ body: @escaping @Sendable () -> Void) {
        let side = self.side
        let hostNode = self.hostNode
        queue.async { HostThreadState.running(side, hostNode: hostNode, body) }
    }
}
