import Testing
@testable import KMSim

/// `kmsim run --measure-overhead`: what it runs and how it combines the pairs (no timing is asserted).
@Suite(TestTime.limit(minutes: 5)) struct RunnerOverheadTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(RunnerOverhead.median([3, 1, 2]) == 2)
        #expect(RunnerOverhead.median([4, 1, 3, 2]) == 2.5)
        #expect(RunnerOverhead.median([]) == 0)
    }

    /// larson's bare trace: sizes from the workload's distribution, and over a few passes of the short
    /// trace every one of the 5000 slots is replaced (each pass's choices are shifted), as in the runner.
    @Test func bareTraceReplacesEverySlotAtRandom() throws {
        let parsed = try #require(try BundledWorkloads.load(named: "larson"))
        let plan = RunPlan(spec: parsed.spec)
        let trace = RunnerOverhead.BareTrace(group: plan.groups[0], plan: plan, seed: 1)
        #expect(trace.randomSlots && trace.slotCount == 5000)
        #expect(trace.sizes.count == RunnerOverhead.traceLength)
        #expect(trace.sizes.allSatisfy { (8...1000).contains($0) })
        var cursor = RunnerOverhead.BareCursor()
        var replaced = Set<Int>()
        var firstPass = Set<Int>()
        trace.slotChoices.withUnsafeBufferPointer { choices in
            for step in 0..<(RunnerOverhead.traceLength * 12) {
                let (index, slot) = cursor.advance(trace, slotChoices: choices)
                #expect(index == step % RunnerOverhead.traceLength)
                #expect(slot >= 0 && slot < 5000)
                replaced.insert(slot)
                if step < RunnerOverhead.traceLength { firstPass.insert(slot) }
            }
        }
        #expect(firstPass.count < 5000)
        #expect(replaced.count == 5000)
    }

    /// A last-N lifetime frees the oldest: the bare loop's slots go round in order.
    @Test func bareTraceOfALastNLifetimeIsFIFO() throws {
        var spec = try #require(try BundledWorkloads.load(named: "larson")).spec
        spec.taskGroups[0].lifetime = .operations(3)
        let plan = RunPlan(spec: spec)
        let trace = RunnerOverhead.BareTrace(group: plan.groups[0], plan: plan, seed: 1)
        var cursor = RunnerOverhead.BareCursor()
        let slots = trace.slotChoices.withUnsafeBufferPointer { choices in
            (0..<7).map { _ in cursor.advance(trace, slotChoices: choices).slot }
        }
        #expect(!trace.randomSlots && slots == [0, 1, 2, 0, 1, 2, 0])
    }

    /// vmalloc-module-load's first group calls vmalloc and kvmalloc only: nothing to compare, said so.
    @Test func aFirstGroupWithoutKmallocIsRefused() async throws {
        let spec = try #require(try BundledWorkloads.load(named: "vmalloc-module-load")).spec
        await #expect(throws: RunnerOverhead.Unmeasurable.self) {
            _ = try await RunnerOverhead.measure(spec: spec, seconds: 0.1)
        }
    }

    /// dma-driver exhausts ZONE_DMA: both sides' failures are counted, which is what the CLI's warning
    /// that the ratio is not the overhead rests on.
    @Test func failuresOnBothSidesAreCounted() async throws {
        let spec = try #require(try BundledWorkloads.load(named: "dma-driver")).spec
        let result = try await RunnerOverhead.measure(spec: spec, seconds: 0.1)
        #expect(result.runnerFailures > 0)
        #expect(result.bareFailures > 0)
    }

    @Test func runsAtLeastThreePairsOfBothSides() async throws {
        let parsed = try #require(try BundledWorkloads.load(named: "larson"))
        var spec = parsed.spec
        spec.machine = MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 256 << 20)
        let result = try await RunnerOverhead.measure(spec: spec, seconds: 0.1)
        #expect(result.pairs == 3)
        #expect(result.runnerOpsPerSecond > 0)
        #expect(result.rawOpsPerSecond > 0)
        #expect(result.medianRatio.isFinite && result.medianRatio > 0)
        #expect(result.overheadPercent == (result.medianRatio - 1) * 100)
        #expect(result.progressLines >= 1, "the runner side draws the live line, so its cost is measured")
        #expect(result.runnerFailures == 0 && result.bareFailures == 0)
        #expect(result.settings == "sampling every 10ms, trace off")
        #expect(result.samplesPerRound >= 2, "the runner side samples at the default interval: its cost is measured")
    }

    /// With --sample-every and --trace the runner side samples that often and records the trace's events,
    /// and the result says so (the figure itself is measured on a release build, not asserted).
    @Test func theRunnerSideSamplesAndTracesAsAsked() async throws {
        var spec = try #require(try BundledWorkloads.load(named: "larson")).spec
        spec.machine = MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 256 << 20)
        var options = RunOptions()
        options.sampleEverySeconds = 0.001
        options.trace = true
        options.traceAll = true
        let result = try await RunnerOverhead.measure(spec: spec, seconds: 0.1, options: options)
        #expect(result.settings == "sampling every 1ms, trace-all on")
        #expect(result.samplesPerRound >= 2, "at the start and the end at least: \(result.samplesPerRound)")
        #expect(result.sampleCostNs > 0 && result.samplingCorePercent > 0, "the periodic samples' host CPU time is measured")
        #expect(result.medianRatio.isFinite && result.medianRatio > 0)
        options.sampleEverySeconds = nil
        options.traceAll = false
        let off = try await RunnerOverhead.measure(spec: spec, seconds: 0.1, options: options)
        #expect(off.settings == "sampling off, trace on")
        #expect(off.samplesPerRound == 0)
        #expect(off.sampleCostNs == 0 && off.samplingCorePercent == 0)
    }
}
