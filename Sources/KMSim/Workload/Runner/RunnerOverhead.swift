/// Measures what the runner costs over the allocator calls it makes: the same kmalloc/kfree sequence run
/// (1) through `WorkloadRunner` (operation mix, size sampling, lifetimes, might_alloc, latency timing and
/// recording, counters, the gate, progress) and (2) as a tight loop of the bare calls over sizes and slot
/// choices generated before the clock starts, on the same simulated CPUs with the same tasks, one after
/// the other in the same process, each round on a freshly booted machine.
///
/// Rounds are short (`roundSeconds` per side) and paired: each pair gives one ratio, bare ops/s ÷ runner
/// ops/s, from two runs a fraction of a second apart, and the result is the median ratio. On a shared
/// host the speed available to the process drifts over seconds; a pair sees nearly the same host, and
/// the median discards the pairs a descheduling split. The overhead is `median ratio − 1`.
///
/// Both sides run the first task group's kmalloc entries with all frees local (remote frees need the
/// runner's rings, which the bare loop does not have), with slot lifetimes (larson) or last-N lifetimes.
public enum RunnerOverhead {
    public struct Result: Sendable {
        /// Median over the pairs.
        public var runnerOpsPerSecond: Double
        /// Median over the pairs.
        public var rawOpsPerSecond: Double
        /// Median of the pairs' bare ÷ runner ratios.
        public var medianRatio: Double
        public var pairs: Int
        /// Percent of extra time per operation in the runner.
        public var overheadPercent: Double { (medianRatio - 1) * 100 }
    }

    /// Sizes and slot choices generated ahead for the bare loop, cycled.
    static let traceLength = 1 << 16
    /// Seconds each side runs per pair.
    static let roundSeconds = 0.5

    /// Runs pairs for about `seconds` in all (at least three pairs).
    public static func measure(spec original: WorkloadSpec, seconds: Double) async throws -> Result {
        var spec = original
        spec.interrupts = []
        spec.bugs = []
        spec.memoryUsers = []
        spec.length = .duration(seconds: roundSeconds)
        let pairs = max(3, Int((seconds / (2 * roundSeconds)).rounded()))
        guard var group = spec.taskGroups.first else {
            return Result(runnerOpsPerSecond: 0, rawOpsPerSecond: 0, medianRatio: 1, pairs: 0)
        }
        group.mix = group.mix.filter { $0.allocation.api == .kmalloc }
        group.remoteFree = .none
        group.scoped = []
        group.opsPerSecond = nil
        if case .time = group.lifetime { group.lifetime = .operations(64) }
        if case .forever = group.lifetime { group.lifetime = .operations(64) }
        spec.taskGroups = [group]

        var runnerRates: [Double] = []
        var rawRates: [Double] = []
        var ratios: [Double] = []
        for _ in 0..<pairs {
            let runner = try WorkloadRunner(spec: spec)
            let result = await runner.run()
            let runnerRate = Double(result.report.operations) / result.report.durationSeconds
            let rawRate = await bareLoop(try WorkloadRunner(spec: spec), seconds: roundSeconds)
            runnerRates.append(runnerRate)
            rawRates.append(rawRate)
            ratios.append(runnerRate > 0 ? rawRate / runnerRate : .infinity)
        }
        return Result(runnerOpsPerSecond: median(runnerRates), rawOpsPerSecond: median(rawRates),
                      medianRatio: median(ratios), pairs: pairs)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// What one bare task replays: mix entries and sizes drawn as the runner draws them
    /// (`RunPlan.Group.pickEntry`, the operation's size distribution) and slot choices, cycled.
    struct BareTrace: Sendable {
        var sizes: [Int]
        var slotChoices: [Int]
        var slotCount: Int

        init(group: RunPlan.Group, plan: RunPlan, seed: UInt64) {
            var generator = SplitMix64(seed: seed)
            let randomSlots: Bool
            switch group.spec.lifetime {
            case .slots(let n): (slotCount, randomSlots) = (n, true)
            case .operations(let n): (slotCount, randomSlots) = (max(n, 1), false)
            case .time, .forever: (slotCount, randomSlots) = (64, false)
            }
            sizes = []
            slotChoices = []
            sizes.reserveCapacity(RunnerOverhead.traceLength)
            slotChoices.reserveCapacity(RunnerOverhead.traceLength)
            for index in 0..<RunnerOverhead.traceLength {
                let operation = plan.operations[group.operations[group.pickEntry(using: &generator)]]
                sizes.append(Int(operation.size.sample(using: &generator)))
                slotChoices.append(randomSlots ? Int(generator.next(below: UInt64(slotCount))) : index % slotCount)
            }
        }
    }

    /// The bare loop: kmalloc and kfree only, with the same lifetime rule, on the same CPUs. The traces
    /// are drawn before the clock starts.
    static func bareLoop(_ runner: WorkloadRunner, seconds: Double) async -> Double {
        guard let group = runner.plan.groups.first else { return 0 }
        var traces: [(cpu: Int, pid: Int32, trace: BareTrace)] = []
        var pid: Int32 = 1
        for cpu in group.cpus {
            for _ in 0..<group.spec.tasksPerCPU {
                traces.append((cpu, pid, BareTrace(group: group, plan: runner.plan, seed: runner.spec.seed &+ UInt64(pid))))
                pid += 1
            }
        }
        let gfp = WorkloadRunner.fastPathMask(runner.plan.operations[group.operations[0]].gfp)
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        let tasks = traces.map { entry in
            runner.cpus[entry.cpu].startTask(pid: entry.pid) { context, runqueue in
                await bareTask(runner, trace: entry.trace, gfp: gfp, deadline: deadline, context: context, runqueue: runqueue)
            }
        }
        var operations = 0
        for task in tasks { operations += await task.value }
        return Double(operations) / (Double(monotonicNanoseconds() - start) / 1e9)
    }

    static func bareTask(_ runner: WorkloadRunner, trace: BareTrace, gfp: GFPFlags, deadline: UInt64,
                         context: ExecutionContext, runqueue: isolated CPURunqueue) async -> Int {
        let slots = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: trace.slotCount)
        slots.initialize(repeating: nil, count: trace.slotCount)
        defer { slots.deallocate() }
        let slab = runner.machine.slab
        let batch = runner.options.batchOperations
        var done = 0
        var cursor = 0
        while monotonicNanoseconds() < deadline {
            trace.sizes.withUnsafeBufferPointer { sizes in
                trace.slotChoices.withUnsafeBufferPointer { slotChoices in
                    for _ in 0..<batch {
                        let object = slab.kmalloc(sizes[cursor], gfp: gfp, context: context)
                        let slot = slotChoices[cursor]
                        slab.kfree(slots[slot], context: context)
                        slots[slot] = object
                        cursor = cursor + 1 == traceLength ? 0 : cursor + 1
                    }
                }
            }
            done += batch
            await runqueue.condResched()
        }
        return done
    }
}
