import Testing
@testable import KMSim

@Suite struct PageAllocZonelistTests {
    /// Allocates order-0 pages until refused; returns the pages by zone (type and node).
    func exhaust(_ allocator: PageAllocator, gfp: GFPFlags, cpu: Int, preferredNode: Int? = nil) -> [PFN] {
        var held: [PFN] = []
        while let pfn = allocator.allocPages(order: 0, gfp: gfp.union(.noWarn), context: .task(cpu: cpu),
                                             preferredNode: preferredNode) {
            held.append(pfn)
        }
        return held
    }

    @Test func zonesFallBackDownwardWithinANode() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let first = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 0)))
        #expect(allocator.zone(of: first)?.type == .dma32)
        let dmaOnly = try #require(allocator.allocPages(order: 0, gfp: .gfpDMA, context: .task(cpu: 0)))
        #expect(allocator.zone(of: dmaOnly)?.type == .dma)
        let pages = exhaust(allocator, gfp: .kernel, cpu: 0)
        let types = pages.compactMap { allocator.zone(of: $0)?.type }
        let firstDMA = try #require(types.firstIndex(of: .dma))
        #expect(types[..<firstDMA].allSatisfy { $0 == .dma32 }, "DMA32 is used up before DMA")
        // Drained and exhausted again until refused: DMA32 stops at its min watermark, DMA keeps
        // lowmem_reserve[Normal] = DMA32's managed pages / 256 on top of its own.
        repeat { allocator.drainAllPages(context: .task(cpu: 0)) } while !exhaust(allocator, gfp: .kernel, cpu: 0).isEmpty
        let dma = allocator.zone(node: 0, type: .dma)
        let dma32 = allocator.zone(node: 0, type: .dma32)
        #expect(dma.lowmemReserve[ZoneType.normal.rawValue] == 12288 / 256)
        #expect(dma.freePages == dma.watermarkMin + 48)
        #expect(dma32.freePages == dma32.watermarkMin)
        // GFP_DMA32 (highest zone DMA32) meets DMA's smaller reserve for DMA32 requests: still 48.
        #expect(dma.lowmemReserve[ZoneType.dma32.rawValue] == 48)
    }

    @Test func nodeOrderFollowsDistance() throws {
        let spec = MachineSpec(nodes: 4, cpusPerNode: 1, memoryPerNode: 32 << 20,
                               distances: [[10, 20, 30, 30], [20, 10, 30, 30], [30, 30, 10, 20], [30, 30, 20, 10]])
        let machine = try Machine(spec: spec)
        let order = machine.pageAllocator.zonelists.nodeOrder
        #expect(order[0] == [0, 1, 2, 3] || order[0] == [0, 1, 3, 2])
        #expect(order[1].prefix(2) == [1, 0])
        #expect(order[2].prefix(2) == [2, 3])
        #expect(order[3].prefix(2) == [3, 2])
        #expect(Set(order[3]) == [0, 1, 2, 3])
        let equal = try Machine(spec: MachineSpec(nodes: 3, cpusPerNode: 1, memoryPerNode: 32 << 20))
        // find_next_best_node's node_load spreads equally distant nodes: 1 → [1, 2, 0] since 0 < 1.
        #expect(equal.pageAllocator.zonelists.nodeOrder[1] == [1, 2, 0])
    }

    @Test func remoteFallbackAndNUMACounters() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1)
        let allocator = machine.pageAllocator
        let node1Normal = allocator.zone(node: 1, type: .normal)
        // CPU 1 is on node 1, whose memory is all Normal.
        let local = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 1)))
        #expect(allocator.node(of: local) == 1)
        #expect(node1Normal.numaEvents.sum(NUMAStatItem.numaHit.rawValue) == 1)
        #expect(node1Normal.numaEvents.sum(NUMAStatItem.numaLocal.rawValue) == 1)
        // alloc_pages_node(1) from CPU 0: a hit for node 1, but not local to the CPU.
        _ = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 0), preferredNode: 1))
        #expect(node1Normal.numaEvents.sum(NUMAStatItem.numaHit.rawValue) == 2)
        #expect(node1Normal.numaEvents.sum(NUMAStatItem.numaOther.rawValue) == 1)
        // __GFP_THISNODE never leaves node 1.
        let pinned = exhaust(allocator, gfp: [.kernel, .thisNode], cpu: 1)
        #expect(pinned.allSatisfy { allocator.node(of: $0) == 1 })
        // Without it the allocation spills to node 0: a miss there, foreign on node 1, other for CPU 1.
        let spill = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 1)))
        #expect(allocator.node(of: spill) == 0)
        let supplier = try #require(allocator.zone(of: spill))
        #expect(supplier.numaEvents.sum(NUMAStatItem.numaMiss.rawValue) == 1)
        #expect(supplier.numaEvents.sum(NUMAStatItem.numaOther.rawValue) == 1)
        #expect(node1Normal.numaEvents.sum(NUMAStatItem.numaForeign.rawValue) == 1)
        let numastat1 = ProcFS.numastat(machine, node: 1)
        #expect(numastat1.hasPrefix("numa_hit \(2 + pinned.count)\nnuma_miss 0\nnuma_foreign 1\ninterleave_hit 0\nlocal_node \(1 + pinned.count)\nother_node 1\n"))
    }
}
