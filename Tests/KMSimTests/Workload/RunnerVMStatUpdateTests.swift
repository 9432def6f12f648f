import Testing
@testable import KMSim

/// Each CPU's `vmstat_update` in a run on the virtual clock: `decay_pcp_high()` once a simulated second,
/// the first one second after the start.
@Suite(TestTime.limit(minutes: 5)) struct RunnerVMStatUpdateTests {
    /// CPU 1 runs nothing but its vmstat_update. Its DMA32 list (48 MiB zone, 12288 pages: high_max =
    /// 12288 / 8 / 2 CPUs = 768), set to high_max and empty before the run, decays at 1 s and 2 s of a
    /// 2.5 s run: 768 − 96 = 672, then 672 − 84 = 588 (both above high_min).
    @Test func aVirtualRunDecaysAnIdleCPUsHighOnceASecond() async throws {
        let yaml = """
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 64MiB}
            clock: virtual
            duration: 2500ms
            taskGroups:
              - name: t
                cpus: [0]
                opsPerSecond: 2000
                mix: [{api: kmalloc, size: 64}]

            """
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "w.yaml").spec
        let runner = try WorkloadRunner(spec: spec)
        let zone = runner.machine.pageAllocator.zone(node: 0, type: .dma32)
        let before = zone.pcpSnapshot(cpu: 1, lockingCPU: 1)
        #expect(zone.managedPages == 12288 && before.highMax == 768 && before.count == 0 && before.highMin < 588)
        zone.pcpLocks[1].withLock(cpu: 1) { zone.pcp(1).pointee.high = Int32(before.highMax) }
        let result = await runner.run()
        #expect(result.report.operations > 0)
        #expect(zone.pcpSnapshot(cpu: 1, lockingCPU: 1).high == 588)
    }
}
