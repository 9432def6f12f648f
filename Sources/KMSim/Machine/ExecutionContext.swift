/// Who is allocating: the simulated CPU and the context it runs in, passed explicitly on every
/// allocation path.
///
/// The kernel answers these questions from globals (`smp_processor_id()`, `preempt_count()`, `current`);
/// kmsim passes them, so nothing global answers "which CPU am I on" and might_sleep checks are exact.
public struct ExecutionContext: Sendable, Equatable {
    /// Process context, softirq, or hard interrupt (`in_task()`, `in_serving_softirq()`, `in_hardirq()`).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case task
        case softirq
        case hardirq
    }

    /// The simulated CPU number.
    public let cpu: Int
    public let kind: Kind
    /// `preempt_count()`'s preemption-disable depth (spin locks held, preempt_disable()).
    public var preemptCount: Int
    /// `irqs_disabled()`.
    public var irqsDisabled: Bool
    /// The task's `PF_MEMALLOC*` flags (`current->flags`).
    public var taskFlags: TaskFlags
    /// The simulated task's pid; 0 for interrupt context (the idle task's pid, as the kernel reports).
    public var pid: Int32
    /// The row this context counts vmstat and NUMA events in (`PerCPUCounters.row(of:)`): its CPU's row
    /// for its kind, worked out here once (every allocation and free counts in it; the fast path then
    /// loads it instead of deriving it). A kernel thread on a host thread of its own (each node's kswapd
    /// and kcompactd) replaces it with a row of its own (`PerCPUCounters.kernelThreadRow`), so it never
    /// shares a single-writer row with the CPU it borrows for everything else. `cpu` and `kind` are
    /// constants, so the row cannot go stale.
    public var counterRow: Int32

    public init(cpu: Int, kind: Kind = .task, preemptCount: Int = 0, irqsDisabled: Bool = false,
                taskFlags: TaskFlags = [], pid: Int32 = 0) {
        self.cpu = cpu
        self.kind = kind
        self.preemptCount = preemptCount
        self.irqsDisabled = irqsDisabled
        self.taskFlags = taskFlags
        self.pid = pid
        self.counterRow = PerCPUCounters.cpuRow(cpu: cpu, kind: kind)
    }

    /// A task running in process context on `cpu`.
    public static func task(cpu: Int, pid: Int32 = 1) -> ExecutionContext {
        ExecutionContext(cpu: cpu, kind: .task, pid: pid)
    }

    /// A hard interrupt handler on `cpu`: interrupts are off and it must not sleep.
    public static func hardIRQ(cpu: Int) -> ExecutionContext {
        ExecutionContext(cpu: cpu, kind: .hardirq, irqsDisabled: true)
    }

    /// `in_atomic() || irqs_disabled()`: the places where sleeping is a bug.
    public var isAtomic: Bool { kind != .task || preemptCount > 0 || irqsDisabled }
}

/// The `PF_*` task flags that change how a task allocates (include/linux/sched.h).
public struct TaskFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// PF_MEMALLOC: the task is freeing memory; it may use reserves and never re-enters reclaim.
    public static let memalloc = TaskFlags(rawValue: 0x0000_0800)
    /// PF_MEMALLOC_NOFS: allocations behave as GFP_NOFS (memalloc_nofs_save).
    public static let memallocNoFS = TaskFlags(rawValue: 0x0004_0000)
    /// PF_MEMALLOC_NOIO: allocations behave as GFP_NOIO (memalloc_noio_save).
    public static let memallocNoIO = TaskFlags(rawValue: 0x0008_0000)
}
