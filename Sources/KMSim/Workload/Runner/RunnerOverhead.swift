/// Measures what the runner costs over the allocator calls it makes: the same kmalloc/kfree sequence run
/// (1) through `WorkloadRunner` (operation mix, size sampling, lifetimes, might_alloc, latency timing and
/// recording, counters, the gate, progress) and (2) as a tight loop of the bare calls over sizes and slot
/// choices generated before the clock starts, on the same simulated CPUs with the same tasks, one after
/// the other in the same process. The two alternate for `rounds` rounds, each on a freshly booted machine,
/// and each side keeps its best round, so load from other processes on the host disturbs both alike. The
/// overhead is `raw ops/s ÷ runner ops/s − 1`.
///
/// Both sides run the first task group's kmalloc entries with all frees local (remote frees need the
/// runner's rings, which the bare loop does not have), with slot lifetimes (larson) or last-N lifetimes.
public enum RunnerOverhead {
    public struct Result: Sendable {
        public var runnerOpsPerSecond: Double
        public var rawOpsPerSecond: Double
        /// Percent of extra time per operation in the runner.
        public var overheadPercent: Double { (rawOpsPerSecond / runnerOpsPerSecond - 1) * 100 }
    }

    /// Sizes and slot choices generated ahead for the bare loop, cycled.
    static let traceLength = 1 << 16

    public static func measure(spec original: WorkloadSpec, seconds: Double, rounds: Int = 3) async throws -> Result {
        var spec = original
        spec.interrupts = []
        spec.bugs = []
        spec.memoryUsers = []
        let perRound = seconds / Double(max(rounds, 1))
        spec.length = .duration(seconds: perRound)
        guard var group = spec.taskGroups.first else { return Result(runnerOpsPerSecond: 0, rawOpsPerSecond: 0) }
        group.mix = group.mix.filter { $0.allocation.api == .kmalloc }
        group.remoteFree = .none
        group.scoped = []
        group.opsPerSecond = nil
        if case .time = group.lifetime { group.lifetime = .operations(64) }
        if case .forever = group.lifetime { group.lifetime = .operations(64) }
        spec.taskGroups = [group]

        var best = Result(runnerOpsPerSecond: 0, rawOpsPerSecond: 0)
        for _ in 0..<max(rounds, 1) {
            let runner = try WorkloadRunner(spec: spec)
            let result = await runner.run()
            best.runnerOpsPerSecond = max(best.runnerOpsPerSecond, Double(result.report.operations) / result.report.durationSeconds)
            let raw = try WorkloadRunner(spec: spec)
            best.rawOpsPerSecond = max(best.rawOpsPerSecond, await bareLoop(raw, group: group, seconds: perRound))
        }
        return best
    }

    /// The bare loop: kmalloc and kfree only, with the same lifetime rule, on the same CPUs.
    static func bareLoop(_ runner: WorkloadRunner, group: TaskGroupSpec, seconds: Double) async -> Double {
        let cpus = group.cpus.cpus(on: runner.spec.machine)
        let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
        let start = monotonicNanoseconds()
        var tasks: [Task<Int, Never>] = []
        var pid: Int32 = 1
        for cpu in cpus {
            for _ in 0..<group.tasksPerCPU {
                let seed = runner.spec.seed &+ UInt64(pid)
                tasks.append(runner.cpus[cpu].startTask(pid: pid) { context, runqueue in
                    await bareTask(runner, group: group, seed: seed, deadline: deadline, context: context, runqueue: runqueue)
                })
                pid += 1
            }
        }
        var operations = 0
        for task in tasks { operations += await task.value }
        return Double(operations) / (Double(monotonicNanoseconds() - start) / 1e9)
    }

    static func bareTask(_ runner: WorkloadRunner, group: TaskGroupSpec, seed: UInt64, deadline: UInt64,
                         context: ExecutionContext, runqueue: isolated CPURunqueue) async -> Int {
        var generator = SplitMix64(seed: seed)
        let slotCount: Int
        let randomSlots: Bool
        switch group.lifetime {
        case .slots(let n): (slotCount, randomSlots) = (n, true)
        case .operations(let n): (slotCount, randomSlots) = (max(n, 1), false)
        case .time, .forever: (slotCount, randomSlots) = (64, false)
        }
        let weights = group.mix.map(\.weight)
        let total = weights.reduce(0, +)
        let sizes = UnsafeMutablePointer<Int>.allocate(capacity: traceLength)
        let slotChoices = UnsafeMutablePointer<Int>.allocate(capacity: traceLength)
        for index in 0..<traceLength {
            var pick = Double.random(in: 0..<total, using: &generator)
            var entry = 0
            while entry < weights.count - 1 && pick >= weights[entry] {
                pick -= weights[entry]
                entry += 1
            }
            sizes[index] = Int(group.mix[entry].allocation.size.sample(using: &generator))
            slotChoices[index] = randomSlots ? Int.random(in: 0..<slotCount, using: &generator) : index % slotCount
        }
        let gfp = group.mix.first?.allocation.gfp.flags ?? .kernel
        let slots = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
        defer {
            sizes.deallocate()
            slotChoices.deallocate()
            slots.deallocate()
        }
        let slab = runner.machine.slab
        let batch = runner.options.batchOperations
        var done = 0
        var cursor = 0
        while monotonicNanoseconds() < deadline {
            for _ in 0..<batch {
                let object = slab.kmalloc(sizes[cursor], gfp: gfp, context: context)
                let slot = slotChoices[cursor]
                slab.kfree(slots[slot], context: context)
                slots[slot] = object
                cursor = cursor + 1 == traceLength ? 0 : cursor + 1
            }
            done += batch
            await runqueue.condResched()
        }
        return done
    }
}
