import Testing
@testable import KMSim

/// lib/test_vmalloc.c's cases on simulated CPUs: the ordinary ones pass, the two the module documents
/// as failing on 6.12 fail, and the Summary lines keep the module's format.
@Suite struct VmallocSelfTestTests {
    @Test func casesPassOrFailAsOnLinux612() throws {
        let spec = MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 256 << 20)
        let machine = try Machine(spec: spec)
        let cpus = SimulatedCPUs(spec: spec, host: .current(), debug: AtomicSleepDebug(bugReports: machine.bugReports))
        let vmalloc = try Vmalloc(machine: machine, cpus: cpus)
        var parameters = VmallocSelfTest.Parameters()
        parameters.nrThreads = 2
        parameters.testLoopCount = 40
        parameters.runTestMask = 1 | 8 | 16 | 32 | 64 | 2048
        let results = VmallocSelfTest.run(parameters, vmalloc: vmalloc, cpus: cpus)
        #expect(results.count == 2)
        for worker in results {
            for testCase in VmallocTestCase.allCases where parameters.runTestMask & testCase.maskBit != 0 {
                let data = worker.cases[testCase.rawValue]
                #expect(data.passed + data.failed == 1)
                #expect(data.failed == (testCase.expectedToFail ? 1 : 0), "\(testCase.kernelName)")
            }
            #expect(worker.cases[VmallocTestCase.fullFitAlloc.rawValue] == VmallocSelfTest.CaseResult(), "not selected")
        }
        let lines = VmallocSelfTest.summaryLines(results, parameters)
        #expect(lines.count == 12)
        #expect(lines[0].hasPrefix("Summary: fix_size_alloc_test passed: 1 failed: 0 repeat: 1 loops: 40 avg: "))
        #expect(lines[0].hasSuffix(" usec"))
        #expect(machine.bugReports.count(.sleepingInAtomic) > 0)
        vmalloc.purgeVmapAreaLazy(context: .task(cpu: 0))
        #expect(vmalloc.checkInvariants() == [])
        #expect(vmalloc.nrVmallocPages == 0)
    }
}
