import Testing
@testable import KMSim

/// `--check` checks the machine while it runs: a violation made mid-run and undone before the end is
/// reported by a periodic check, and the run's exit status is 1.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct RunnerCheckTests {
    @Test(TestTime.limit(minutes: 1)) func violationMadeMidRunIsReportedAndExitsOne() async throws {
        var spec = WorkloadSpec(name: "checked", machine: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 64 << 20),
                                length: .duration(seconds: 600))
        spec.taskGroups = [TaskGroupSpec(name: "g", mix: [WeightedAllocation(AllocationSpec(api: .kmalloc, size: .fixed(64), gfp: .kernel))],
                                         lifetime: .operations(16))]
        var options = RunOptions()
        options.check = true
        options.checkInterval = 0.05
        let runner = try WorkloadRunner(spec: spec, options: options)
        // Counts in node 0's kswapd row (kswapd has nothing to do in this run), not in a CPU row a task
        // writes with plain stores at the same time.
        var context = ExecutionContext.task(cpu: 0, pid: 1)
        context.counterRow = Int32(PerCPUCounters.kernelThreadRow(0, cpuCount: 2))
        // Corrupts the slab page count once a first check has passed, keeps it until a later check ran,
        // undoes it, and ends the run (through the panic hook, so the test does not wait 600 s). The
        // final check then finds nothing: only a periodic check can have seen it.
        let saboteur = Task {
            func checks() -> Int { runner.checks.withLock { $0.checked } }
            while checks() < 1 { await scheduleTimeout(nanoseconds: 5_000_000) }
            runner.machine.vmstat.count(.nrSlabUnreclaimable, 1, context: context)
            let seen = checks()
            while checks() < seen + 2 { await scheduleTimeout(nanoseconds: 5_000_000) }
            runner.machine.vmstat.count(.nrSlabUnreclaimable, -1, context: context)
            runner.machine.bugReports.panic("test: end of the checked run", log: "")
        }
        let result = await runner.run()
        await saboteur.value
        let violations = result.report.invariants.violations
        #expect(violations.contains { $0.hasPrefix("slab: vmstat counts") }, "\(violations)")
        #expect(result.report.invariants.checked >= 3)
        #expect(runner.machine.checkInvariants().isEmpty, "undone before the final check")
        #expect(result.exitStatus(failOnBug: false) == 1, "a violation outranks the panic that ended the run")
    }
}
