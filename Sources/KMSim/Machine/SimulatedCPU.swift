import Dispatch
import Synchronization

/// An interrupt handler: a synchronous closure run in hard- or soft-interrupt context. It cannot `await`,
/// so the type system guarantees that atomic context never sleeps. It may change the context it is given
/// (take spin locks, raise softirqs) and must leave it balanced.
public typealias IRQHandler = @Sendable (inout ExecutionContext) -> Void

/// One simulated CPU: a process side (`runqueue`, an actor on the CPU's serial executor) and an interrupt
/// side (a serial Dispatch queue for hard interrupts, IPIs and the softirqs they raise).
///
/// Mirrors a kernel CPU with its runqueue and its interrupt entry (`irq_enter`/`irq_exit` with
/// `invoke_softirq()`). The two sides are different host threads, so an interrupt handler can run while a
/// task on the same CPU is in the middle of something, as on hardware. Every work item on either side first
/// binds its host thread to the CPUs of `hostNode` (only when the thread is bound elsewhere).
public final class SimulatedCPU: Sendable {
    /// The simulated CPU number (`smp_processor_id()`).
    public let id: Int
    /// The simulated NUMA node (`cpu_to_node()`).
    public let node: Int
    /// The host node this CPU's work runs on, and its CPUs.
    public let hostNode: Int
    public let hostCPUs: [Int]
    /// The process side.
    public let runqueue: CPURunqueue
    let irqQueue: DispatchQueue
    /// The interrupt side's identity (what `CPUSide.current` reads inside its handlers).
    public let irqSide: CPUSide
    /// `local_softirq_pending()`: one bit per `SoftIRQ` vector.
    let softirqPending = Atomic<UInt32>(0)
    /// `softirq_vec[]`, set with `openSoftIRQ` (`open_softirq()`).
    let softirqActions = OrderedMutex<[IRQHandler?]>(Array(repeating: nil, count: SoftIRQ.allCases.count))
    let hardIRQsHandled = Atomic<Int>(0)
    let softIRQsHandled = Atomic<Int>(0)
    /// The virtual clock whose loop delivers this CPU's interrupts as events, nil on the real engine.
    let virtualClock: VirtualClock?
    /// The machine's process-side interrupt mask (real engine): handlers wait while this CPU's process
    /// side holds an irqsave lock.
    let irqMask: ProcessIRQMask?

    init(machine: Int, id: Int, node: Int, hostNode: Int, hostCPUs: [Int], irqMask: ProcessIRQMask? = nil) {
        self.irqMask = irqMask
        self.id = id
        self.node = node
        self.hostNode = hostNode
        self.hostCPUs = hostCPUs
        self.runqueue = CPURunqueue(machine: machine, cpu: id, hostNode: hostNode)
        self.irqSide = CPUSide(machine: machine, cpu: id, kind: .interrupt)
        self.irqQueue = DispatchQueue(label: "kmsim.m\(machine).cpu\(id).irq")
        self.virtualClock = VirtualClock.booting
    }

    /// Starts a simulated task in process context on this CPU (`wake_up_new_task()` on a task bound to the
    /// CPU). The body runs isolated to the runqueue; see `CPURunqueue.runTask`. The CPU's executor is also
    /// the task's executor preference, so its first hop and any nonisolated async code it calls stay on
    /// this CPU's queue.
    @discardableResult
    public func startTask<R: Sendable>(
        pid: Int32,
        _ body: @escaping @Sendable (inout ExecutionContext, isolated CPURunqueue) async -> R
    ) -> Task<R, Never> {
        let runqueue = self.runqueue
        return Task(executorPreference: runqueue.executor) { await runqueue.runTask(pid: pid, body) }
    }

    /// Delivers a hard interrupt to this CPU: `handler` runs on the IRQ queue in hardirq context
    /// (`irq_enter()` … handler … `irq_exit()`), followed by any softirqs it raised.
    public func raiseIRQ(_ handler: @escaping IRQHandler) {
        if let virtualClock, virtualClock.isLoopThread {
            return virtualClock.schedule(actor: id, at: virtualClock.now, side: irqSide) { [self] in handleIRQ(handler) }
        }
        irqQueue.async { [self] in
            HostThreadState.running(irqSide, hostNode: hostNode) { handleIRQ(handler) }
        }
    }

    /// The body of an interrupt on the IRQ queue: hardirq handler, then `irq_exit()`'s softirq processing.
    func handleIRQ(_ handler: IRQHandler) {
        irqMask?.enterInterrupt(cpu: id)
        defer { irqMask?.exitInterrupt(cpu: id) }
        var context = ExecutionContext.hardIRQ(cpu: id)
        handler(&context)
        hardIRQsHandled.add(1, ordering: .relaxed)
        runSoftIRQs()
    }

    /// Runs a plain closure on this CPU's interrupt side (serialized with its handlers), e.g. to read
    /// per-side statistics without a lock.
    func runOnIRQSide(_ body: @escaping @Sendable () -> Void) {
        if let virtualClock, virtualClock.isLoopThread {
            return virtualClock.schedule(actor: id, at: virtualClock.now, side: irqSide, body)
        }
        irqQueue.async { [self] in HostThreadState.running(irqSide, hostNode: hostNode, body) }
    }

    /// The process side's identity (what `CPUSide.current` reads inside the CPU's tasks).
    public var processSide: CPUSide { runqueue.executor.side }

    /// Runs a plain closure on this CPU's process side, serialized with its tasks' jobs.
    func runOnProcessSide(_ body: @escaping @Sendable () -> Void) {
        runqueue.executor.runOnQueue(body)
    }

    /// Hard interrupts (handlers and IPIs) this CPU has run.
    public var hardIRQCount: Int { hardIRQsHandled.load(ordering: .relaxed) }
    /// Softirq actions this CPU has run.
    public var softIRQCount: Int { softIRQsHandled.load(ordering: .relaxed) }
}
