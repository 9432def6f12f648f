/// The runner's state for one CPU's process side, shared by the tasks on that CPU: the objects interrupt
/// handlers passed to this CPU's tasks, kept until their lifetime ends.
///
/// `@unchecked Sendable`: it is only touched by code isolated to the CPU's `CPURunqueue` (task batches and
/// the CPU's drain worker), which runs one job at a time on the CPU's serial process queue.
final class CPUProcessState: @unchecked Sendable {
    let cpu: Int
    var generator: SplitMix64
    /// `deferred[handlerAllocation]`: received handler objects under that allocation's lifetime.
    var deferred: [LiveObjectSet?]

    init(cpu: Int, plan: RunPlan, seed: UInt64) {
        self.cpu = cpu
        generator = SplitMix64(seed: seed ^ (0xC0FF_EE00 &+ UInt64(cpu)) &* 0x9E37_79B9_7F4A_7C15)
        deferred = plan.handlerAllocations.map { $0.lifetime.map(LiveObjectSet.init) }
    }

    deinit {
        for set in deferred { set?.deallocate() }
    }
}

/// The runner's state for one CPU's interrupt side: its random generator, the counts of the interrupt
/// being handled, softirq work raised by hard interrupts, and where each handler allocation may be sent.
///
/// `@unchecked Sendable`: only touched on the CPU's serial IRQ queue (hard interrupt handlers and the
/// softirqs run at their `irq_exit()`).
final class CPUInterruptState: @unchecked Sendable {
    let cpu: Int
    var generator: SplitMix64
    let counts: UnsafeMutablePointer<Int64>
    /// Pending softirq runs per interrupt source.
    var pendingSoftIRQ: [Int]
    /// `targets[handlerAllocation]`: the CPUs its objects may be handed to from this CPU.
    let targets: [[Int]]

    init(cpu: Int, plan: RunPlan, seed: UInt64) {
        self.cpu = cpu
        generator = SplitMix64(seed: seed ^ (0x1A0_0000 &+ UInt64(cpu)) &* 0xBF58_476D_1CE4_E5B9)
        let width = RunCounters.width(classCount: plan.classes.count)
        counts = .allocate(capacity: width)
        counts.initialize(repeating: 0, count: width)
        pendingSoftIRQ = Array(repeating: 0, count: plan.interrupts.count)
        targets = plan.handlerAllocations.indices.map {
            plan.handlerTargets($0, cpu: cpu, cpuCount: plan.machine.cpuCount)
        }
    }

    deinit {
        counts.deallocate()
    }
}
