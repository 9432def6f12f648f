import Testing
@testable import KMSim

/// `page_zone()` through the pageblock table (`PageblockZoneTable`): the same answer as walking the zone
/// spans, for blocks inside one zone and for blocks that straddle a zone or node boundary.
@Suite struct PageblockZoneTableTests {
    /// Two nodes of 16 MiB + 12 KiB (so node 1 starts 3 pages into a pageblock) with node 0's DMA zone
    /// 1 MiB + 20 KiB (so its Normal zone starts 5 pages into one): every PFN of the machine, and a pageblock
    /// past its end, maps to the zone whose span holds it, or to none.
    @Test func pageZoneMatchesTheZoneSpansForEveryPFN() throws {
        let machine = try makeMachine(nodes: 2, memoryPerNode: (16 << 20) + (12 << 10),
                                      zoneSizes: [0: [.dma: (1 << 20) + (20 << 10)]])
        let allocator = machine.pageAllocator
        let totalPages = allocator.spec.pagesPerNode * 2
        var mismatches: [PFN] = []
        for pfn in -1..<(totalPages + PageAllocator.pageblockPages) {
            let expected = allocator.zones.first { $0.spans(pfn) }
            if allocator.zone(of: pfn) !== expected { mismatches.append(pfn) }
        }
        #expect(mismatches.isEmpty, "first wrong PFNs: \(mismatches.prefix(8))")

        let normal = allocator.zone(node: 0, type: .normal)
        let nodeOneNormal = allocator.zone(node: 1, type: .normal)
        let table = allocator.pageblockZones
        #expect(table.zoneID(of: normal.startPFN) == Int(PageblockZoneTable.straddling))
        #expect(table.zoneID(of: nodeOneNormal.startPFN) == Int(PageblockZoneTable.straddling))
        #expect(table.zoneID(of: normal.startPFN + PageAllocator.pageblockPages) == normal.id)
        #expect(table.zoneID(of: nodeOneNormal.endPFN - 1) == Int(PageblockZoneTable.straddling),
                "the machine's last block is partly outside it")
        #expect(table.zoneID(of: nodeOneNormal.endPFN - 4 * PageAllocator.pageblockPages) == nodeOneNormal.id)
    }

    /// Pages of the blocks either side of the DMA/Normal boundary go back to their own zone when freed:
    /// the DMA zone is emptied (ALLOC_NO_WATERMARKS through `__GFP_MEMALLOC`), its straddling block's
    /// pages included, and refilled.
    @Test func pagesOfAStraddlingBlockAreFreedToTheirZone() throws {
        let machine = try makeMachine(zoneSizes: [0: [.dma: (1 << 20) + (20 << 10)]])
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        let dma = allocator.zone(node: 0, type: .dma)
        let normal = allocator.zone(node: 0, type: .normal)
        allocator.drainAllPages(context: context)
        let before = (dma.freePages, normal.freePages)
        var taken: [PFN] = []
        while let pfn = allocator.allocPages(order: 0, gfp: GFPFlags.atomic.union([.dma, .memalloc]), context: context) {
            taken.append(pfn)
        }
        #expect(taken.count == dma.managedPages && dma.freePages == 0)
        #expect(taken.contains(dma.endPFN - 1), "the DMA zone's last page, in the straddling block, was handed out")
        for pfn in taken { allocator.freePages(pfn, order: 0, context: context) }
        allocator.drainAllPages(context: context)
        #expect((dma.freePages, normal.freePages) == before)
    }
}
