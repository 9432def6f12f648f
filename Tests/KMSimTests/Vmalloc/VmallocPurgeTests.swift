import Dispatch
import Testing
@testable import KMSim

/// The lazy purge and the TLB shootdown: no CPU keeps a translation across a purge, with or without the
/// simulated CPUs' IPIs, and crossing lazy_max_pages schedules the drain.
@Suite(TestTime.limit(minutes: 5)) struct VmallocPurgeTests {
    let task = ExecutionContext.task(cpu: 0, pid: 100)

    @Test func lazyMaxPagesFollowsTheKernelFormula() {
        #expect(VmallocLayout.lazyMaxPages(onlineCPUs: 1) == 8192)
        #expect(VmallocLayout.lazyMaxPages(onlineCPUs: 4) == 3 * 8192)
        #expect(VmallocLayout.lazyMaxPages(onlineCPUs: 64) == 7 * 8192)
        #expect(VmallocLayout.end == 0xffff_e8ff_ffff_ffff)
        #expect(VmallocLayout.total >> 10 == 34_359_738_367, "meminfo's VmallocTotal on x86-64")
    }

    /// CPU 1 caches a translation; the area is freed and purged; the same address is handed out again
    /// with different pages; CPU 1 must miss and read the new contents.
    func checkNoStaleTranslation(vmalloc: Vmalloc) throws {
        let reader = ExecutionContext.task(cpu: 1, pid: 200)
        let old = try #require(vmalloc.vmalloc(4096, context: task))
        vmalloc.store(UInt64(0x1111), at: old, context: task)
        #expect(vmalloc.load(UInt64.self, at: old, context: reader) == 0x1111)
        let oldPFN = try #require(vmalloc.tlb.lookup(old, cpu: 1))
        vmalloc.vfree(old, context: task)
        #expect(vmalloc.tlb.lookup(old, cpu: 1) == oldPFN, "vfree alone does not flush: the purge does")
        #expect(vmalloc.purgeVmapAreaLazy(context: task) == 1)
        #expect(vmalloc.tlb.lookup(old, cpu: 1) == nil)
        let new = try #require(vmalloc.vmalloc(4096, context: task))
        #expect(new == old, "lowest fit hands out the purged range again")
        vmalloc.store(UInt64(0x2222), at: new, context: task)
        let misses = vmalloc.tlbStatistics.misses
        #expect(vmalloc.load(UInt64.self, at: new, context: reader) == 0x2222)
        #expect(vmalloc.tlbStatistics.misses == misses + 1, "the reader walked the tables again")
        #expect(vmalloc.checkInvariants() == [])
    }

    @Test func noStaleTranslationAfterPurgeWithDirectFlush() throws {
        let (_, vmalloc) = try makeVmallocMachine()
        try checkNoStaleTranslation(vmalloc: vmalloc)
        #expect(vmalloc.tlbShootdowns == 1)
    }

    @Test func noStaleTranslationAfterPurgeWithIPIs() async throws {
        let spec = MachineSpec(nodes: 1, cpusPerNode: 4, memoryPerNode: 128 << 20)
        let machine = try Machine(spec: spec)
        let cpus = SimulatedCPUs(spec: spec, host: .current(), debug: AtomicSleepDebug(bugReports: machine.bugReports))
        let vmalloc = try Vmalloc(machine: machine, cpus: cpus)
        try checkNoStaleTranslation(vmalloc: vmalloc)
        #expect((0..<4).map { vmalloc.tlb.flushes(cpu: $0) } == [1, 1, 1, 1], "one flush IPI per CPU")
        #expect(await eventually { cpus.map(\.hardIRQCount).reduce(0, +) >= 4 }, "the flushes ran as hard interrupts")
    }

    @Test func crossingLazyMaxPagesSchedulesTheDrain() throws {
        let (machine, vmalloc) = try makeVmallocMachine(cpusPerNode: 1)
        #expect(vmalloc.lazyMaxPages == 8192)
        // 2 MiB areas are 513 pages of address space with the guard; 16 of them cross 8192.
        for _ in 0..<16 {
            let address = try #require(vmalloc.vmalloc(2 << 20, context: task))
            vmalloc.vfree(address, context: task)
        }
        vmalloc.waitForDeferredWork()
        #expect(vmalloc.tlbShootdowns >= 1)
        #expect(vmalloc.lazyPages < vmalloc.lazyMaxPages)
        #expect(vmalloc.checkInvariants() == [])
        #expect(machine.checkInvariants() == [])
    }

    @Test func aFlushWithdrawsAFillThatRacedWithIt() throws {
        let tlb = SoftwareTLB(cpuCount: 1)
        let address = VmallocLayout.start + 0x5000
        let generation = tlb.fillGeneration(cpu: 0)
        tlb.flush(cpu: 0, start: address, end: address + 4096)
        tlb.fill(address, pfn: 42, cpu: 0, generation: generation)
        #expect(tlb.lookup(address, cpu: 0) == nil, "the walk began before the flush, so its result is dropped")
        tlb.fill(address, pfn: 42, cpu: 0, generation: tlb.fillGeneration(cpu: 0))
        #expect(tlb.lookup(address, cpu: 0) == 42)
        tlb.flush(cpu: 0, start: VmallocLayout.start, end: VmallocLayout.start + (1 << 30))
        #expect(tlb.validEntries(cpu: 0) == 0)
    }
}
