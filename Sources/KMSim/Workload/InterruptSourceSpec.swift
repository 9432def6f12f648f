/// A device raising interrupts on some CPUs, whose handler allocates: a NIC's receive path allocating
/// socket buffers, a block driver's completion path, a timer.
///
/// The handler runs in atomic context (hard interrupt, or softirq for NAPI-style polling), so its
/// allocations must not sleep: GFP_ATOMIC by default, and a mask with `__GFP_DIRECT_RECLAIM` is rejected
/// unless it is declared as a deliberate `sleepingAllocInIRQ` bug.
public struct InterruptSourceSpec: Sendable, Equatable {
    public var name: String
    public var cpus: CPUSelection
    /// Interrupts per second on each CPU of `cpus`.
    public var ratePerSecond: Double
    /// `.hardirq` (the handler itself) or `.softirq` (the bottom half, e.g. `net_rx_action`).
    public var context: ExecutionContext.Kind
    /// What each interrupt allocates.
    public var allocations: [HandlerAllocationSpec]

    public init(name: String, cpus: CPUSelection = .all, ratePerSecond: Double,
                context: ExecutionContext.Kind = .hardirq, allocations: [HandlerAllocationSpec]) {
        self.name = name
        self.cpus = cpus
        self.ratePerSecond = ratePerSecond
        self.context = context
        self.allocations = allocations
    }
}

/// One allocation an interrupt handler makes, and who frees it.
public struct HandlerAllocationSpec: Sendable, Equatable {
    public var allocation: AllocationSpec
    /// Allocations of this kind per interrupt.
    public var count: Int
    public var freedBy: HandlerFree

    public init(_ allocation: AllocationSpec, count: Int = 1, freedBy: HandlerFree = .handler) {
        self.allocation = allocation
        self.count = count
        self.freedBy = freedBy
    }
}

/// Where an interrupt handler's allocation is freed.
public enum HandlerFree: Sendable, Equatable {
    /// In the handler itself, before it returns (a bounce buffer).
    case handler
    /// By a task on the same CPU, later (an skb consumed by `recvmsg`).
    case task(after: Lifetime)
    /// By a task on another CPU (a packet steered by RPS to another CPU's socket); nil means any other CPU.
    case remoteCPU(cpus: CPUSelection?, after: Lifetime)
}
