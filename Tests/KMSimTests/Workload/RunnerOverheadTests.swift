import Testing
@testable import KMSim

/// `kmsim run --measure-overhead`: what it runs and how it combines the pairs (no timing is asserted).
@Suite struct RunnerOverheadTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(RunnerOverhead.median([3, 1, 2]) == 2)
        #expect(RunnerOverhead.median([4, 1, 3, 2]) == 2.5)
        #expect(RunnerOverhead.median([]) == 0)
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
    }
}
