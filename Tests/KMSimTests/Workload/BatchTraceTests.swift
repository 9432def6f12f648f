import Testing
@testable import KMSim

/// The runner's batch draws: the bounded generator, a distribution's `fill`, and `BatchTrace`'s entries,
/// scopes and sizes against the group's weights and distributions.
@Suite struct BatchTraceTests {
    @Test func boundedDrawsStayBelowTheBoundAndSpreadEvenly() {
        var generator = SplitMix64(seed: 11)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            let value = generator.next(below: 10)
            #expect(value < 10)
            buckets[Int(value)] += 1
        }
        #expect(buckets.allSatisfy { abs($0 - 10_000) < 500 }, "\(buckets)")
        #expect(generator.next(below: 1) == 0)
        let huge = UInt64.max - 1
        #expect((0..<1000).allSatisfy { _ in generator.next(below: huge) < huge })
    }

    @Test func unitDoublesStayInTheHalfOpenInterval() {
        var generator = SplitMix64(seed: 12)
        let draws = (0..<100_000).map { _ in generator.nextUnitDouble() }
        #expect(draws.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(draws.reduce(0, +) / Double(draws.count) - 0.5) < 0.01)
    }

    @Test(arguments: [
        SizeDistribution.fixed(192),
        .uniform(min: 8, max: 1000),
        .uniform(min: 0, max: .max),
        .powerOfTwo(min: 8, max: 4096),
        .lognormal(median: 128, p99: 4096, min: 8, max: 16384),
        .pareto(scale: 64, shape: 1.2, min: 64, max: 65536),
    ])
    func fillStaysWithinTheBounds(_ distribution: SizeDistribution) {
        var generator = SplitMix64(seed: 4141)
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: 20_000)
        defer { buffer.deallocate() }
        distribution.fill(buffer, count: 20_000, using: &generator)
        let values = UnsafeBufferPointer(start: buffer, count: 20_000)
        #expect(values.allSatisfy { $0 >= distribution.minimum && $0 <= distribution.maximum })
        if case .uniform(let min, let max) = distribution, max - min < 10_000 {
            #expect(values.contains(min) && values.contains(max))
        }
    }

    static func group(_ mix: [WeightedAllocation], scoped: [ScopedSection] = []) throws -> (RunPlan, RunPlan.Group) {
        var spec = try WorkloadSpec(stress: StressOptions())
        spec.taskGroups[0].mix = mix
        spec.taskGroups[0].scoped = scoped
        let plan = RunPlan(spec: spec)
        return (plan, try #require(plan.groups.first))
    }

    @Test func aOneOperationMixDrawsOnlySizes() throws {
        let (plan, group) = try Self.group([WeightedAllocation(AllocationSpec(api: .kmalloc, size: .uniform(min: 8, max: 64),
                                                                              gfp: .kernel))])
        let trace = BatchTrace(capacity: 1024)
        defer { trace.deallocate() }
        var generator = SplitMix64(seed: 3)
        trace.fill(group, plan: plan, count: 1024, using: &generator)
        #expect((0..<1024).allSatisfy { trace.entries[$0] == 0 && trace.scopes[$0] == 0 })
        #expect((0..<1024).allSatisfy { (8...64).contains(trace.sizes[$0]) })
        #expect(Set((0..<1024).map { trace.sizes[$0] }).count > 40)
    }

    /// Entries follow the weights (3:1), scopes their fraction (25 % NOFS), and each size comes from its
    /// own entry's distribution.
    @Test func aMixedScopedGroupFollowsItsWeightsAndFractions() throws {
        let (plan, group) = try Self.group([
            WeightedAllocation(AllocationSpec(api: .kmalloc, size: .fixed(64), gfp: .kernel), weight: 3),
            WeightedAllocation(AllocationSpec(api: .allocPages, size: .fixed(2), gfp: .kernel), weight: 1),
        ], scoped: [ScopedSection(kind: .nofs, fraction: 0.25)])
        let trace = BatchTrace(capacity: 1024)
        defer { trace.deallocate() }
        var generator = SplitMix64(seed: 5)
        var entryCounts = [0, 0]
        var scoped = 0
        let batches = 40
        for _ in 0..<batches {
            trace.fill(group, plan: plan, count: 1024, using: &generator)
            for index in 0..<1024 {
                let entry = Int(trace.entries[index])
                entryCounts[entry] += 1
                scoped += trace.scopes[index] == 1 ? 1 : 0
                #expect(trace.scopes[index] == 0 || trace.scopes[index] == 1)
                #expect(trace.sizes[index] == (entry == 0 ? 64 : 2))
            }
        }
        let total = Double(batches * 1024)
        #expect(abs(Double(entryCounts[0]) / total - 0.75) < 0.01)
        #expect(abs(Double(scoped) / total - 0.25) < 0.01)
    }

    @Test func aShortFillNeverWritesPastItsCapacity() throws {
        let (plan, group) = try Self.group([WeightedAllocation(AllocationSpec(api: .kmalloc, size: .fixed(32), gfp: .kernel))])
        let trace = BatchTrace(capacity: 16)
        defer { trace.deallocate() }
        var generator = SplitMix64(seed: 1)
        trace.fill(group, plan: plan, count: 4096, using: &generator)
        #expect((0..<16).allSatisfy { trace.sizes[$0] == 32 })
    }
}
