extension ExecutionContext {
    /// `HARDIRQ_OFFSET` (include/linux/preempt.h): `1 << HARDIRQ_SHIFT`, HARDIRQ_SHIFT = 16.
    public static let hardIRQOffset = 0x1_0000
    /// `SOFTIRQ_OFFSET`: `1 << SOFTIRQ_SHIFT`, SOFTIRQ_SHIFT = 8; counted while serving a softirq.
    public static let softIRQOffset = 0x100

    /// The value `preempt_count()` would read: the preemption-disable depth plus the hardirq or softirq
    /// offset of the context kind, as `irq_enter()` and `__do_softirq()` add them.
    public var kernelPreemptCount: Int {
        switch kind {
        case .task: preemptCount
        case .softirq: preemptCount + Self.softIRQOffset
        case .hardirq: preemptCount + Self.hardIRQOffset
        }
    }

    /// `in_atomic()`: `preempt_count() != 0`.
    public var inAtomic: Bool { kernelPreemptCount != 0 }
}
