import Histogram

/// Interrupt delivery in virtual time: when a CPU had interrupts disabled, and what arrivals met.
///
/// A CPU's interrupts are off while it holds a lock the kernel takes with `spin_lock_irqsave()` or
/// `spin_lock_irq()` (`&zone->lock`, `&n->list_lock`, `&lruvec->lru_lock`). The lock records each such
/// hold as an interval on its CPU; an interrupt arriving inside one is *deferred* to its end
/// (`local_irq_restore()` delivers the pending IRQ), and one arriving while the CPU is busy otherwise waits
/// for the running call to end. Both count in the delivery delay.
struct VirtualInterruptState {
    /// Recent interrupts-off intervals, per CPU.
    var irqsOff: [HoldIntervals]
    /// Interrupts whose arrival fell inside an interrupts-off interval.
    var deferred = 0
    /// Interrupts delivered.
    var delivered = 0
    /// Arrival to handler start, nanoseconds.
    var delay = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    init(cpuCount: Int) {
        irqsOff = Array(repeating: HoldIntervals(), count: cpuCount)
    }
}

extension VirtualClock {
    /// Notes that the running CPU had interrupts off from `start` to `end` (a released irqsave lock).
    @inline(__always)
    func recordIRQsOff(from start: Int64, to end: Int64) {
        guard running < cpuCount, end > start else { return }
        interrupts.irqsOff[running].record(from: start, to: end)
    }

    /// Delivers an interrupt that arrived at `arrival` on CPU `cpu` (the running actor, whose clock the
    /// loop has brought to at least `arrival`): deferred to the end of an interrupts-off section it fell
    /// in, else run as soon as the CPU's current call has ended, which is now. `handler` then runs with
    /// the CPU's clock, so the process side waits for it.
    public func deliverInterrupt(cpu: Int, arrival: Int64, _ handler: () -> Void) {
        if let end = interrupts.irqsOff[cpu].end(covering: arrival) {
            interrupts.deferred += 1
            advance(to: end)
        }
        interrupts.delivered += 1
        interrupts.delay.record(UInt64(max(0, now - arrival)))
        handler()
    }

    /// Interrupts deferred by interrupts-off sections.
    public var interruptsDeferred: Int { interrupts.deferred }
    /// Interrupts delivered through `deliverInterrupt`.
    public var interruptsDelivered: Int { interrupts.delivered }
    /// Arrival-to-handler delay percentile, nanoseconds (0 without interrupts).
    public func interruptDelay(percentile: Double) -> UInt64 {
        interrupts.delivered == 0 ? 0 : interrupts.delay.valueAtPercentile(percentile)
    }
}
