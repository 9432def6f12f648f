import Synchronization

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
/// The runner side samples the timeline (at the default 10 ms unless told otherwise) and, when asked,
/// records the `--trace` events (and `--trace-all`'s allocations and frees), so their cost is in the
/// figure; `Result.settings` says which were on.
public enum RunnerOverhead {
    public struct Result: Sendable {
        /// Median over the pairs.
        public var runnerOpsPerSecond: Double
        /// Median over the pairs.
        public var rawOpsPerSecond: Double
        /// Median of the pairs' bare ÷ runner ratios.
        public var medianRatio: Double
        public var pairs: Int
        /// Progress lines the runner side drew over all its rounds.
        public var progressLines: Int
        /// Allocations that failed, over all rounds, on each side. Non-zero means the workload ran out of
        /// memory: the runner's allocations then wait in reclaim while the bare loop's (fast-path mask)
        /// fail at once, so the two sides no longer do the same work and the ratio is not the overhead.
        public var runnerFailures: Int64
        public var bareFailures: Int
        /// The runner side's timeline interval in seconds (nil: sampling off), and whether it traced.
        public var sampleEverySeconds: Double?
        public var traced: Bool
        public var tracedAll: Bool
        /// Timeline samples the runner side took per round (the last round's).
        public var samplesPerRound: Int
        /// The host CPU time the runner side's sampler spent per periodic sample, in nanoseconds (mean over
        /// all rounds; 0 without sampling), and that time over all rounds as a percentage of one host core
        /// for the rounds' duration: sampling's cost measured directly, which a loaded host's noise in
        /// `overheadPercent` cannot hide.
        public var sampleCostNs: Double
        public var samplingCorePercent: Double
        /// Percent of extra time per operation in the runner.
        public var overheadPercent: Double { (medianRatio - 1) * 100 }

        /// What the runner side had on: `sampling every 10ms, trace off`.
        public var settings: String {
            let sampling = sampleEverySeconds.map { "sampling every \(TimeSpan.format($0))" } ?? "sampling off"
            return sampling + ", " + (tracedAll ? "trace-all on" : traced ? "trace on" : "trace off")
        }
    }

    /// Sizes and slot choices generated ahead for the bare loop, cycled.
    static let traceLength = 1 << 12
    /// How far each pass over the bare trace shifts its slot choices (mod the slot count).
    static let slotRotation = 1237
    /// Seconds each side runs per pair.
    static let roundSeconds = 0.5
    /// The runner side draws the live progress line at the terminal's rate (`kmsim run` on a tty), so its
    /// cost is in the measurement; the line is rendered and dropped rather than written.
    static let progressOptions: RunOptions = {
        var options = RunOptions()
        options.progressInterval = 0.25
        return options
    }()

    /// Runs pairs for about `seconds` in all (at least three pairs). The runner side takes `options`'
    /// timeline interval and trace settings (`sampleEverySeconds`, `trace`, `traceAll`).
    public static func measure(spec original: WorkloadSpec, seconds: Double, options: RunOptions = RunOptions()) async throws -> Result {
        var runnerOptions = progressOptions
        runnerOptions.sampleEverySeconds = options.sampleEverySeconds
        runnerOptions.trace = options.trace
        runnerOptions.traceAll = options.trace && options.traceAll
        var spec = original
        spec.interrupts = []
        spec.bugs = []
        spec.memoryUsers = []
        spec.length = .duration(seconds: roundSeconds)
        // Bounded before the conversion: the CLI passes at most TimeSpan.maximumSeconds, a caller anything.
        let bounded = seconds.isFinite ? min(max(seconds, 0), TimeSpan.maximumSeconds) : 0
        let pairs = max(3, Int((bounded / (2 * roundSeconds)).rounded()))
        guard var group = spec.taskGroups.first, group.mix.contains(where: { $0.allocation.api == .kmalloc }) else {
            throw Unmeasurable.noKmallocInFirstGroup(workload: original.name)
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
        let progressLines = Atomic<Int>(0)
        var runnerFailures: Int64 = 0
        var bareFailures = 0
        var samplesPerRound = 0
        var sampleCostNs: Int64 = 0
        var timedSamples = 0
        var runnerSeconds = 0.0
        for _ in 0..<pairs {
            let runner = try WorkloadRunner(spec: spec, options: runnerOptions)
            let result = await runner.run { progress in
                if !progress.line.isEmpty { progressLines.add(1, ordering: .relaxed) }
            }
            let runnerRate = Double(result.report.operations) / result.report.durationSeconds
            runnerFailures += result.report.classes.reduce(0) { $0 + $1.failures }
            samplesPerRound = result.report.timeline?.samples.count ?? 0
            sampleCostNs += runner.timelineRecorder?.sampleCostNs.load(ordering: .relaxed) ?? 0
            timedSamples += runner.timelineRecorder?.timedSamples.load(ordering: .relaxed) ?? 0
            runnerSeconds += result.report.durationSeconds
            let bare = await bareLoop(try WorkloadRunner(spec: spec), seconds: roundSeconds)
            let rawRate = bare.operationsPerSecond
            bareFailures += bare.failures
            runnerRates.append(runnerRate)
            rawRates.append(rawRate)
            ratios.append(runnerRate > 0 ? rawRate / runnerRate : .infinity)
        }
        return Result(runnerOpsPerSecond: median(runnerRates), rawOpsPerSecond: median(rawRates),
                      medianRatio: median(ratios), pairs: pairs, progressLines: progressLines.load(ordering: .relaxed),
                      runnerFailures: runnerFailures, bareFailures: bareFailures,
                      sampleEverySeconds: runnerOptions.sampleEverySeconds, traced: runnerOptions.trace,
                      tracedAll: runnerOptions.traceAll, samplesPerRound: samplesPerRound,
                      sampleCostNs: timedSamples > 0 ? Double(sampleCostNs) / Double(timedSamples) : 0,
                      samplingCorePercent: runnerSeconds > 0 ? Double(sampleCostNs) / (runnerSeconds * 1e9) * 100 : 0)
    }

    /// A workload `measure` cannot compare with bare calls.
    public enum Unmeasurable: Error, CustomStringConvertible {
        case noKmallocInFirstGroup(workload: String)

        public var description: String {
            switch self {
            case .noKmallocInFirstGroup(let workload):
                return "--measure-overhead compares the runner with bare kmalloc/kfree calls, and the first task group of \(workload) has no kmalloc entry"
            }
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// What one bare task replays: sizes drawn as the runner draws them (`BatchTrace.fill`) and, for slot
    /// lifetimes, random slot choices; both cycled. The trace is short (`traceLength` entries of 32 bits,
    /// 32 KiB a task) so that reading it costs the bare side next to nothing; the earlier 64 Ki-entry trace
    /// of 64-bit values streamed 1 MiB a task through the caches, which could only slow the bare side
    /// and flatter the runner (side by side on larson the two measured the same). Each pass over the slot
    /// choices is shifted by `slotRotation`, so the bare loop still replaces every slot at random:
    /// replayed unshifted, a trace of 8192 choices keeps replacing only the ~80 % of larson's slots it
    /// names, a smaller live set, and that measured the overhead about seven points higher than the
    /// workload's own.
    struct BareTrace: Sendable {
        var sizes: [UInt32]
        /// Slot lifetimes only: the slot each entry replaces, before its pass's shift (empty for FIFO).
        var slotChoices: [UInt32]
        var slotCount: Int
        /// Slot lifetimes (larson): replace a random slot; otherwise free the oldest (FIFO).
        var randomSlots: Bool

        init(group: RunPlan.Group, plan: RunPlan, seed: UInt64) {
            var generator = SplitMix64(seed: seed)
            switch group.spec.lifetime {
            case .slots(let n): (slotCount, randomSlots) = (n, true)
            case .operations(let n): (slotCount, randomSlots) = (max(n, 1), false)
            case .time, .forever: (slotCount, randomSlots) = (64, false)
            }
            let draws = BatchTrace(capacity: RunnerOverhead.traceLength)
            defer { draws.deallocate() }
            draws.fill(group, plan: plan, count: RunnerOverhead.traceLength, using: &generator)
            sizes = (0..<RunnerOverhead.traceLength).map { UInt32(clamping: draws.sizes[$0]) }
            let slots = UInt64(slotCount)
            slotChoices = randomSlots ? (0..<RunnerOverhead.traceLength).map { _ in UInt32(generator.next(below: slots)) } : []
        }
    }

    /// Where a bare task is in its trace: the entry to replay next, the shift of the current pass's slot
    /// choices, and the oldest slot of a FIFO lifetime.
    struct BareCursor {
        var index = 0
        var rotation = 0
        var oldest = 0

        /// The trace entry to replay (its size) and the slot whose object it replaces, then moves on.
        @inline(__always)
        mutating func advance(_ trace: BareTrace, slotChoices: UnsafeBufferPointer<UInt32>) -> (index: Int, slot: Int) {
            let current = index
            let slot: Int
            if trace.randomSlots {
                let shifted = Int(slotChoices[current]) + rotation
                slot = shifted >= trace.slotCount ? shifted - trace.slotCount : shifted
            } else {
                slot = oldest
                oldest = oldest + 1 == trace.slotCount ? 0 : oldest + 1
            }
            index += 1
            if index == RunnerOverhead.traceLength {
                index = 0
                rotation += RunnerOverhead.slotRotation % trace.slotCount
                if rotation >= trace.slotCount { rotation -= trace.slotCount }
            }
            return (current, slot)
        }
    }

    /// The bare loop: kmalloc and kfree only, with the same lifetime rule, on the same CPUs. The traces
    /// are drawn before the clock starts. Returns its rate and how many of its kmalloc calls failed.
    static func bareLoop(_ runner: WorkloadRunner, seconds: Double) async -> (operationsPerSecond: Double, failures: Int) {
        guard let group = runner.plan.groups.first else { return (0, 0) }
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
        let deadline = start &+ min(nanoseconds(seconds: seconds), UInt64.max - start)
        let tasks = traces.map { entry in
            runner.cpus[entry.cpu].startTask(pid: entry.pid) { context, runqueue in
                await bareTask(runner, trace: entry.trace, gfp: gfp, deadline: deadline, context: context, runqueue: runqueue)
            }
        }
        var operations = 0
        var failures = 0
        for task in tasks {
            let counts = await task.value
            operations += counts.operations
            failures += counts.failures
        }
        return (Double(operations) / (Double(monotonicNanoseconds() - start) / 1e9), failures)
    }

    static func bareTask(_ runner: WorkloadRunner, trace: BareTrace, gfp: GFPFlags, deadline: UInt64,
                         context: ExecutionContext, runqueue: isolated CPURunqueue) async -> (operations: Int, failures: Int) {
        let slots = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: trace.slotCount)
        slots.initialize(repeating: nil, count: trace.slotCount)
        defer { slots.deallocate() }
        let slab = runner.machine.slab
        let batch = runner.options.batchOperations
        var done = 0
        var failures = 0
        var cursor = BareCursor()
        while monotonicNanoseconds() < deadline {
            trace.sizes.withUnsafeBufferPointer { sizes in
                trace.slotChoices.withUnsafeBufferPointer { slotChoices in
                    for _ in 0..<batch {
                        let (index, slot) = cursor.advance(trace, slotChoices: slotChoices)
                        let object = slab.kmalloc(Int(sizes[index]), gfp: gfp, context: context)
                        slab.kfree(slots[slot], context: context)
                        slots[slot] = object
                        failures &+= object == nil ? 1 : 0
                    }
                }
            }
            done += batch
            await runqueue.condResched()
        }
        return (done, failures)
    }
}
