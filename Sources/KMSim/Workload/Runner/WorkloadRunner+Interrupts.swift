/// The interrupt side of a run: one `InterruptSource` per source and CPU, whose hard-interrupt handler
/// allocates in hardirq context, or raises NET_RX so the allocations run in softirq context at
/// `irq_exit()` (NAPI's `net_rx_action`).
extension WorkloadRunner {
    /// One interrupt line of the run: a source (or an IRQ bug) on one CPU, with its handler.
    struct PlannedInterrupt {
        var name: String
        var cpu: Int
        var hertz: Double
        var jitter: Double
        var handler: IRQHandler
    }

    /// Every interrupt line the workload raises, with softirq actions opened on the CPUs that need them.
    /// Both engines deliver these: Dispatch timers (`startInterrupts`) or virtual-time arrivals
    /// (`startVirtualInterrupts`).
    func plannedInterrupts() -> [PlannedInterrupt] {
        var planned: [PlannedInterrupt] = []
        var softirqCPUs: [Int] = []
        for (sourceIndex, source) in plan.interrupts.enumerated() {
            for cpu in source.cpus {
                let simulated = cpus[cpu]
                let handler: IRQHandler
                if source.spec.context == .softirq {
                    if !softirqCPUs.contains(cpu) { softirqCPUs.append(cpu) }
                    let state = interruptStates[cpu]
                    handler = { _ in
                        state.pendingSoftIRQ[sourceIndex] += 1
                        simulated.raiseSoftIRQ(.netRX)
                    }
                } else {
                    handler = { context in self.handleInterrupt(source: sourceIndex, context: &context) }
                }
                planned.append(PlannedInterrupt(name: source.spec.name, cpu: cpu, hertz: source.spec.ratePerSecond,
                                                jitter: 0.1, handler: handler))
            }
        }
        for cpu in softirqCPUs {
            cpus[cpu].openSoftIRQ(.netRX) { context in self.runPendingSoftIRQs(context: &context) }
        }
        for bug in plan.bugs where bug.spec.kind == .sleepingAllocInIRQ {
            for cpu in bug.cpus {
                planned.append(PlannedInterrupt(name: "bug-\(bug.spec.kind.rawValue)", cpu: cpu,
                                                hertz: bug.spec.ratePerSecond, jitter: 0) { context in
                    self.commitSleepingAllocInIRQ(bug, context: &context)
                })
            }
        }
        return planned
    }

    func startInterrupts() -> [InterruptSource] {
        var started: [InterruptSource] = []
        for line in plannedInterrupts() {
            start(line.name, on: line.cpu, hertz: line.hertz, jitter: line.jitter, line.handler, into: &started)
        }
        return started
    }

    /// Starts one source, counting its missed firings; a source that does not start is a violation in the
    /// report (exit status 1), never silently absent: the parser accepts only rates the source accepts
    /// (`InterruptSource.rateRange`), so this happens only for a spec built in code past that range.
    private func start(_ name: String, on cpu: Int, hertz: Double, jitter: Double, _ handler: @escaping IRQHandler,
                       into started: inout [InterruptSource]) {
        do {
            started.append(try cpus[cpu].startInterruptSource(name: name, hertz: hertz, jitter: jitter,
                                                              onMissed: { [counters] late in counters.count(.missedInterrupts, Int64(late), cpu: cpu) },
                                                              handler))
        } catch {
            recordViolation("interrupt source \(name) did not start on CPU \(cpu): \(error)")
        }
    }

    /// `net_rx_action()`: runs the handlers of the softirq sources that interrupted this CPU.
    func runPendingSoftIRQs(context: inout ExecutionContext) {
        let state = interruptStates[context.cpu]
        for sourceIndex in state.pendingSoftIRQ.indices {
            let pending = state.pendingSoftIRQ[sourceIndex]
            guard pending > 0 else { continue }
            state.pendingSoftIRQ[sourceIndex] = 0
            for _ in 0..<pending { handleInterrupt(source: sourceIndex, context: &context) }
        }
    }

    /// One interrupt of a source: its allocations, freed in the handler or handed to a task.
    func handleInterrupt(source sourceIndex: Int, context: inout ExecutionContext) {
        let cpu = context.cpu
        let state = interruptStates[cpu]
        guard gate.tryEnter() else {
            counters.count(.droppedInterrupts, cpu: cpu)
            return
        }
        let log = machine.pageAllocator.eventLog
        let traced = log.isEnabled ? log.now() : nil
        let side = RemoteFreeMailboxes.interruptSide(cpu)
        let recorder = latency.recorder(of: cpus[cpu].irqSide)
        discardServed(context)
        for index in plan.interrupts[sourceIndex].allocations {
            let handler = plan.handlerAllocations[index]
            let operation = plan.operations[handler.operation]
            for _ in 0..<handler.count {
                let size = operation.size.sample(using: &state.generator)
                guard let object = allocate(operation, index: handler.operation, size: size, gfp: operation.gfp,
                                            context: context, reportClass: handler.reportClass, counts: state.counts,
                                            recorder: recorder)
                else { continue }
                let targets = state.targets[index]
                if targets.isEmpty {
                    release(object, context: context)
                } else {
                    let target = targets.count == 1 ? targets[0] : targets[Int.random(in: 0..<targets.count, using: &state.generator)]
                    handOver(object, deferral: index, side: side, target: target, context: context, counts: state.counts)
                }
            }
        }
        gate.leave()
        if let traced { log.recordSlice(.interrupt, track: .irq(cpu: cpu), since: traced, argument: Int64(sourceIndex)) }
        state.counts[counters.eventIndex(.interrupts)] += 1
        counters.flush(state.counts, cpu: cpu)
    }
}
