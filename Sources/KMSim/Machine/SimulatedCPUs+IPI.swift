import Synchronization

/// Counts outstanding IPI handlers of one `onEachCPU(wait: true)` call and resumes the caller after the last.
private final class IPICompletion: Sendable {
    let remaining: Atomic<Int>
    let continuation: CheckedContinuation<Void, Never>

    init(count: Int, continuation: CheckedContinuation<Void, Never>) {
        self.remaining = Atomic(count)
        self.continuation = continuation
    }

    func handlerFinished() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { continuation.resume() }
    }
}

extension SimulatedCPUs {
    /// `smp_call_function_single(cpu, func, info, 0)`: sends an inter-processor interrupt whose handler runs
    /// on `cpu`'s IRQ queue in hardirq context. Does not wait.
    public func sendIPI(to cpu: Int, _ handler: @escaping IRQHandler) throws(InterruptError) {
        try self.cpu(cpu).raiseIRQ(handler)
    }

    /// `on_each_cpu(func, info, wait)`: runs `handler` on every CPU's IRQ queue in hardirq context (the
    /// calling CPU included, as an IPI to itself rather than inline). With `wait`, the calling task suspends
    /// until every handler has run, without holding a host thread.
    ///
    /// Waiting for other CPUs is forbidden from atomic context: the kernel warns (`WARN_ON_ONCE(!in_task())`
    /// and `lockdep_assert_irqs_enabled()` in `smp_call_function_many_cond()`), since two CPUs doing it to each
    /// other with interrupts off deadlock. Here the warning is reported, counted as an atomic wait, and the
    /// handlers are sent without waiting. Interrupt handlers cannot call this at all (it is `async`).
    public func onEachCPU(context: ExecutionContext, wait: Bool,
                          file: String = #fileID, line: Int = #line,
                          _ handler: @escaping IRQHandler) async {
        guard wait else { return sendToAll(handler) }
        guard !context.isAtomic else {
            debug.warnAtomicCrossCPUWait(context: context, function: "smp_call_function_many_cond",
                                         file: file, line: line)
            return sendToAll(handler)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let completion = IPICompletion(count: cpus.count, continuation: continuation)
            for cpu in cpus {
                cpu.raiseIRQ { context in
                    handler(&context)
                    completion.handlerFinished()
                }
            }
        }
    }

    /// `on_each_cpu(func, info, 0)` from anywhere, interrupt handlers included: sends and returns.
    public func onEachCPUNoWait(_ handler: @escaping IRQHandler) {
        sendToAll(handler)
    }

    private func sendToAll(_ handler: @escaping IRQHandler) {
        for cpu in cpus { cpu.raiseIRQ(handler) }
    }
}
