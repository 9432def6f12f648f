import Dispatch
import Synchronization
import Testing
@testable import KMSim

/// Many CPUs (host threads) allocating, touching and freeing at once: the address space stays exactly
/// accounted, no two live areas overlap, every page comes back, and TLBs never hand out another area's
/// memory. Bounded by operation count, not time; meant to run under ThreadSanitizer.
@Suite(TestTime.limit(minutes: 5)) struct VmallocConcurrencyTests {
    @Test func concurrentVmallocAndVfreeKeepAreasDisjointAndPagesExact() throws {
        let spec = MachineSpec(nodes: 1, cpusPerNode: 4, memoryPerNode: 256 << 20)
        let machine = try Machine(spec: spec)
        let cpus = SimulatedCPUs(spec: spec, host: .current(), debug: AtomicSleepDebug(bugReports: machine.bugReports))
        let vmalloc = try Vmalloc(machine: machine, cpus: cpus)
        let initialFree = freePages(machine)
        let initialTables = machine.vmstat.value(.nrPageTablePages)
        let corrupted = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { cpu in
            let context = ExecutionContext.task(cpu: cpu, pid: Int32(100 + cpu))
            var rng = SystemRandomNumberGenerator()
            var live: [(KernelAddress, Int, UInt64)] = []
            for step in 0..<600 {
                if live.count < 24 && (live.isEmpty || Bool.random(using: &rng)) {
                    let size = Int.random(in: 1...40, using: &rng) * 4096 - Int.random(in: 0..<4096, using: &rng)
                    guard let address = vmalloc.vmalloc(size, context: context) else {
                        failures.add(1, ordering: .relaxed)
                        continue
                    }
                    let stamp = UInt64(cpu) << 32 | UInt64(step)
                    for offset in stride(from: 0, to: size - 7, by: 4096) {
                        vmalloc.store(stamp, at: address + UInt64(offset), context: context)
                    }
                    live.append((address, size, stamp))
                } else {
                    let (address, size, stamp) = live.remove(at: Int.random(in: 0..<live.count, using: &rng))
                    for offset in stride(from: 0, to: size - 7, by: 4096)
                    where vmalloc.load(UInt64.self, at: address + UInt64(offset), context: context) != stamp {
                        corrupted.add(1, ordering: .relaxed)
                    }
                    vmalloc.vfree(address, context: context)
                }
            }
            for (address, _, _) in live { vmalloc.vfree(address, context: context) }
        }
        vmalloc.waitForDeferredWork()
        #expect(corrupted.load(ordering: .relaxed) == 0, "an area read another area's stamp: overlap or stale TLB")
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(vmalloc.checkInvariants() == [])
        #expect(vmalloc.nrVmallocPages == 0)
        #expect(vmalloc.busyAreaCount == 0)
        let newTables = machine.vmstat.value(.nrPageTablePages) - initialTables
        #expect(freePages(machine) == initialFree - newTables, "every data page returned; only page tables stay")
        #expect(machine.checkInvariants() == [])
        #expect(machine.bugReports.counts.isEmpty)
        vmalloc.purgeVmapAreaLazy(context: .task(cpu: 0))
        #expect(vmalloc.lazyPages == 0)
        #expect(vmalloc.checkInvariants() == [])
    }
}
