import Testing
@testable import KMSim

/// How deep each kind of request may dig into a zone's reserve, measured end to end.
@Suite struct PageAllocReserveTests {
    /// One node, 64 MiB, all ZONE_NORMAL: 16384 managed pages, min_free_kbytes = int_sqrt(65536 * 16)
    /// = 1024, so min = 256 pages.
    func normalOnlyMachine() throws -> Machine {
        try makeMachine(cpusPerNode: 1, zoneSizes: [0: [:]])
    }

    /// Allocates order-0 pages with `gfp` until even a drained zone refuses one; returns NR_FREE_PAGES
    /// then. Draining between rounds returns the per-CPU lists' surplus, so the result is the exact
    /// level where the watermark check starts failing.
    func allocateUntilRefused(_ machine: Machine, gfp: GFPFlags, holding held: inout [PFN]) -> Int {
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        while true {
            var got = 0
            while let pfn = allocator.allocPages(order: 0, gfp: gfp.union(.noWarn), context: context) {
                held.append(pfn)
                got += 1
            }
            allocator.drainAllPages(context: context)
            if got == 0 { return allocator.zone(node: 0, type: .normal).freePages }
        }
    }

    @Test func eachRequestStopsAtItsReserve() throws {
        let machine = try normalOnlyMachine()
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        #expect(zone.managedPages == 16384 && zone.watermarkMin == 256)
        var held: [PFN] = []
        #expect(allocateUntilRefused(machine, gfp: .kernel, holding: &held) == 256)
        #expect(allocateUntilRefused(machine, gfp: .noWait, holding: &held) == 256)
        // __GFP_HIGH alone (a blocking request): min - min/2.
        #expect(allocateUntilRefused(machine, gfp: [.kernel, .high], holding: &held) == 128)
        // GFP_ATOMIC: __GFP_HIGH and non-blocking: min - min/2 - (min - min/2)/4 = 37.5 % of min.
        #expect(allocateUntilRefused(machine, gfp: .atomic, holding: &held) == 96)
        // __GFP_NOMEMALLOC stops a memalloc request at its normal level; __GFP_MEMALLOC ignores watermarks.
        #expect(allocateUntilRefused(machine, gfp: [.atomic, .memalloc, .noMemalloc], holding: &held) == 96)
        #expect(allocateUntilRefused(machine, gfp: [.kernel, .memalloc], holding: &held) == 0)
        // Boot took the vmalloc range's page tables (PGD and preallocated PUDs) from the page allocator.
        #expect(held.count == 16384 - machine.vmstat.value(.nrPageTablePages))
        for pfn in held { machine.pageAllocator.freePages(pfn, order: 0, context: .task(cpu: 0)) }
        #expect(machine.checkInvariants() == [])
    }

    @Test func pfMemallocTaskIgnoresWatermarksButNotInInterrupts() throws {
        let machine = try normalOnlyMachine()
        var held: [PFN] = []
        #expect(allocateUntilRefused(machine, gfp: .kernel, holding: &held) == 256)
        let allocator = machine.pageAllocator
        let irq = ExecutionContext(cpu: 0, kind: .hardirq, irqsDisabled: true, taskFlags: .memalloc)
        allocator.drainAllPages(context: .task(cpu: 0))
        #expect(allocator.allocPages(order: 0, gfp: [.kernel, .noWarn], context: irq) == nil)
        let reclaimer = ExecutionContext(cpu: 0, kind: .task, taskFlags: .memalloc, pid: 7)
        #expect(allocator.allocPages(order: 0, gfp: .kernel, context: reclaimer) != nil)
    }

    @Test func watermarkCheckHonoursAllocFlags() throws {
        let machine = try normalOnlyMachine()
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        let normal = ZoneType.normal.rawValue
        func passes(_ flags: AllocFlags, free: Int) -> Bool {
            zone.watermarkOK(order: 0, mark: 256, highestZoneIndex: normal, allocFlags: flags, freePages: free)
        }
        #expect(!passes([], free: 256) && passes([], free: 257))
        #expect(!passes(.nonBlock, free: 256) && passes(.nonBlock, free: 257))
        #expect(!passes(.minReserve, free: 128) && passes(.minReserve, free: 129))
        #expect(!passes([.minReserve, .nonBlock], free: 96) && passes([.minReserve, .nonBlock], free: 97))
        #expect(!passes(.oom, free: 128) && passes(.oom, free: 129))
        // Order 3 needs a free block of order ≥ 3 besides the page count.
        #expect(zone.watermarkOK(order: 3, mark: 256, highestZoneIndex: normal, allocFlags: [], freePages: 1000))
    }
}
