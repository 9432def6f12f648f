extension SimulatedCPU {
    /// The kernel's `MAX_SOFTIRQ_RESTART`: how often `__do_softirq()` rescans before deferring to ksoftirqd.
    static let maxSoftIRQRestart = 10

    /// `open_softirq()`: installs the action for a softirq vector on this CPU.
    public func openSoftIRQ(_ vector: SoftIRQ, _ action: @escaping IRQHandler) {
        softirqActions.withLock { $0[vector.rawValue] = action }
    }

    /// `raise_softirq()`: marks `vector` pending. From this CPU's interrupt side the pending softirqs run at
    /// `irq_exit()`; from anywhere else this plays `wakeup_softirqd()` and queues a softirq run on the IRQ
    /// queue.
    public func raiseSoftIRQ(_ vector: SoftIRQ) {
        let before = softirqPending.bitwiseOr(vector.bit, ordering: .acquiringAndReleasing).oldValue
        if HostThreadState.currentSide == irqSide || before != 0 { return }
        runOnIRQSide { [self] in doSoftIRQ() }
    }

    /// A softirq run queued on the interrupt side (not at a hardirq's exit): it waits for the process
    /// side's irqsave sections like a hard interrupt (`ProcessIRQMask`), then runs `runSoftIRQs()`.
    func doSoftIRQ() {
        irqMask?.enterInterrupt(cpu: id)
        defer { irqMask?.exitInterrupt(cpu: id) }
        runSoftIRQs()
    }

    /// `__do_softirq()`: runs the pending vectors in priority order with interrupts enabled, rescanning up
    /// to `MAX_SOFTIRQ_RESTART` times, then leaves the rest to a later run (ksoftirqd).
    func runSoftIRQs() {
        var restarts = 0
        while true {
            let pending = softirqPending.exchange(0, ordering: .acquiringAndReleasing)
            if pending == 0 { return }
            let actions = softirqActions.withLock { $0 }
            for vector in SoftIRQ.allCases where pending & vector.bit != 0 {
                guard let action = actions[vector.rawValue] else { continue }
                var context = ExecutionContext(cpu: id, kind: .softirq)
                action(&context)
                softIRQsHandled.add(1, ordering: .relaxed)
            }
            restarts += 1
            if restarts >= Self.maxSoftIRQRestart {
                if softirqPending.load(ordering: .acquiring) != 0 { runOnIRQSide { [self] in doSoftIRQ() } }
                return
            }
        }
    }
}
