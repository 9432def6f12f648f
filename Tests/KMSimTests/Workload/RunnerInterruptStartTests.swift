import Testing
@testable import KMSim

/// The runner starts every interrupt source the workload declares, or says why not: nothing is swallowed.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct RunnerInterruptStartTests {
    static func spec(rate: Double) -> WorkloadSpec {
        var spec = WorkloadSpec(name: "irq", machine: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 64 << 20),
                                length: .duration(seconds: 0.2))
        let allocation = AllocationSpec(api: .kmalloc, size: .fixed(64), gfp: .atomic)
        spec.interrupts = [InterruptSourceSpec(name: "nic", cpus: .all, ratePerSecond: rate,
                                               allocations: [HandlerAllocationSpec(allocation, freedBy: .handler)])]
        return spec
    }

    /// A rate the parser would refuse, built in code: the run reports the source that did not start as a
    /// violation (exit status 1) instead of running without interrupts and saying nothing.
    @Test(TestTime.limit(minutes: 1)) func sourceThatCannotStartIsAViolation() async throws {
        let result = await (try WorkloadRunner(spec: Self.spec(rate: 5_000_000))).run()
        let violations = result.report.invariants.violations
        #expect(violations.contains { $0.hasPrefix("interrupt source nic did not start on CPU 0: interrupt rate must be") }, "\(violations)")
        #expect(violations.contains { $0.hasPrefix("interrupt source nic did not start on CPU 1:") }, "\(violations)")
        #expect(result.report.interrupts == 0)
    }

    /// The same workload at the top of the range runs its interrupts with no violation.
    @Test(TestTime.limit(minutes: 1)) func sourceAtTheTopOfTheRangeRuns() async throws {
        let result = await (try WorkloadRunner(spec: Self.spec(rate: InterruptSource.rateRange.upperBound))).run()
        #expect(result.report.invariants.violations.isEmpty, "\(result.report.invariants.violations)")
        #expect(result.report.interrupts > 0)
        #expect(result.report.missedInterrupts >= 0)
    }
}
