import Testing
@testable import KMSim

/// Small machines for page allocator tests: 1 node of 64 MiB (DMA 16 MiB + DMA32 48 MiB) unless asked.
func makeMachine(nodes: Int = 1, cpusPerNode: Int = 2, memoryPerNode: UInt64 = 64 << 20,
                 zoneSizes: [Int: [ZoneType: UInt64]] = [:], minFreeKbytes: Int? = nil,
                 managedPages: [Int: [ZoneType: Int]] = [:]) throws -> Machine {
    try Machine(spec: MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode, memoryPerNode: memoryPerNode,
                                  zoneSizes: zoneSizes, minFreeKbytes: minFreeKbytes),
                managedPages: managedPages)
}

@Suite struct PageAllocatorTests {
    @Test func allocatesAndFreesEveryOrder() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        var blocks: [(PFN, Int)] = []
        for order in 0...PageAllocator.maxOrder {
            let pfn = try #require(allocator.allocPages(order: order, gfp: .kernel, context: context))
            #expect(pfn & ((1 << order) - 1) == 0, "order-\(order) block at \(pfn) is not aligned")
            blocks.append((pfn, order))
        }
        let starts = Set(blocks.map(\.0))
        #expect(starts.count == blocks.count)
        #expect(machine.checkInvariants() == [])
        for (pfn, order) in blocks { allocator.freePages(pfn, order: order, context: context) }
        #expect(machine.checkInvariants() == [])
        #expect(machine.bugReports.count(.badPageState) == 0)
    }

    @Test func zeroFlagClearsRealMemoryAndCompoundMarksTails() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 1)
        let dirty = try #require(allocator.allocPages(order: 2, gfp: .kernel, context: context))
        allocator.pageAddress(dirty).initializeMemory(as: UInt8.self, repeating: 0xAA, count: 4 * 4096)
        allocator.freePages(dirty, order: 2, context: context)
        let pfn = try #require(allocator.allocPages(order: 2, gfp: [.kernel, .zero, .comp], context: context))
        #expect(pfn == dirty, "the per-CPU list hands back the block just freed")
        let bytes = UnsafeRawBufferPointer(start: allocator.pageAddress(pfn), count: 4 * 4096)
        #expect(bytes.allSatisfy { $0 == 0 })
        #expect(allocator.frame(pfn).pointee.has(.head))
        for tail in 1..<4 {
            #expect(allocator.frame(pfn + tail).pointee.has(.tail))
            #expect(allocator.frame(pfn + tail).pointee.owner == UInt32(pfn))
        }
        allocator.freePages(pfn, order: 2, context: context)
        #expect(!allocator.frame(pfn + 1).pointee.has(.tail))
        #expect(machine.checkInvariants() == [])
    }

    @Test func addressAPIRoundTrips() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        let page = try #require(allocator.getZeroedPage(gfp: .kernel, context: context))
        #expect(page.load(as: UInt64.self) == 0)
        let pfn = try #require(allocator.pfn(of: page + 17))
        #expect(allocator.pageAddress(pfn) == page)
        allocator.freePages(address: page, order: 0, context: context)
        let block = try #require(allocator.getFreePages(gfp: .kernel, order: 5, context: context))
        allocator.freePages(address: block, order: 5, context: context)
        #expect(allocator.getFreePages(gfp: [.kernel, .highMem], order: 0, context: context) == nil)
        #expect(machine.checkInvariants() == [])
    }

    @Test func invalidRequestsFailWithAWarning() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        #expect(allocator.allocPages(order: 11, gfp: .kernel, context: .task(cpu: 0)) == nil)
        #expect(allocator.allocPages(order: 0, gfp: [.dma, .highMem], context: .task(cpu: 0)) == nil)
        #expect(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 9)) == nil)
        #expect(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 0), preferredNode: 3) == nil)
        #expect(machine.bugReports.count(.allocWarning) == 4)
    }
}
