import Testing
@testable import KMSim

/// The free-space tree on its own: the four split cases of va_clip(), lowest-fit search, merging on free,
/// and the structure under a long random sequence checked against a plain model.
@Suite struct VmapAreaTreeTests {
    static let page: UInt64 = 4096

    /// A tree holding one free block [0x10000, 0x20000).
    func singleBlock() -> (VmapAreaTree<FreeSpace>, Int32) {
        let tree = VmapAreaTree<FreeSpace>()
        let index = tree.insert(start: 0x10000, end: 0x20000, payload: FreeSpace())!
        return (tree, index)
    }

    func blocks(_ tree: VmapAreaTree<FreeSpace>) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        tree.forEach { _, node in result.append(node.start...(node.end - 1)) }
        return result
    }

    @Test func fullFitRemovesTheBlock() {
        let (tree, index) = singleBlock()
        #expect(tree.classifyFit(index, start: 0x10000, size: 0x10000) == .fullFit)
        #expect(tree.allocate(size: 0x10000, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == 0x10000)
        #expect(tree.count == 0)
        #expect(tree.validate() == [])
    }

    @Test func leftEdgeFitKeepsTheRightRemainder() {
        let (tree, index) = singleBlock()
        #expect(tree.classifyFit(index, start: 0x10000, size: 0x3000) == .leftEdgeFit)
        #expect(tree.allocate(size: 0x3000, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == 0x10000)
        #expect(blocks(tree) == [0x13000...0x1ffff])
        #expect(tree.validate() == [])
    }

    @Test func rightEdgeFitKeepsTheLeftRemainder() {
        let (tree, index) = singleBlock()
        #expect(tree.classifyFit(index, start: 0x1c000, size: 0x4000) == .rightEdgeFit)
        #expect(tree.clip(index, start: 0x1c000, size: 0x4000, payload: FreeSpace()) == .rightEdgeFit)
        #expect(blocks(tree) == [0x10000...0x1bfff])
        #expect(tree.subtreeMaxSize(tree.root) == 0xc000)
        #expect(tree.validate() == [])
    }

    @Test func noEdgeFitSplitsInTwo() {
        let (tree, index) = singleBlock()
        // An alignment of 0x8000 above vstart 0x11000 places the request strictly inside the block.
        #expect(tree.classifyFit(index, start: 0x18000, size: 0x2000) == .noEdgeFit)
        #expect(tree.allocate(size: 0x2000, align: 0x8000, vstart: 0x11000, vend: .max, payload: FreeSpace()) == 0x18000)
        #expect(blocks(tree) == [0x10000...0x17fff, 0x1a000...0x1ffff])
        #expect(tree.validate() == [])
    }

    @Test func nothingFitOutsideTheBlock() {
        let (tree, index) = singleBlock()
        #expect(tree.classifyFit(index, start: 0x1f000, size: 0x2000) == .nothingFit)
        #expect(tree.clip(index, start: 0x1f000, size: 0x2000, payload: FreeSpace()) == .nothingFit)
        #expect(blocks(tree) == [0x10000...0x1ffff])
    }

    @Test func lowestFitPicksTheLowestBlockThatHoldsTheRequest() {
        let tree = VmapAreaTree<FreeSpace>()
        // Free blocks of 1, 4, 2 and 8 pages, in address order.
        for (start, pages) in [(0x100000, 1), (0x200000, 4), (0x300000, 2), (0x400000, 8)] as [(UInt64, UInt64)] {
            _ = tree.insert(start: start, end: start + pages * Self.page, payload: FreeSpace())
        }
        #expect(tree.allocate(size: 2 * Self.page, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == 0x200000)
        #expect(tree.allocate(size: 2 * Self.page, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == 0x202000)
        #expect(tree.allocate(size: 2 * Self.page, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == 0x300000)
        #expect(tree.allocate(size: 5 * Self.page, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == 0x400000)
        #expect(tree.allocate(size: 4 * Self.page, align: 1, vstart: 0, vend: .max, payload: FreeSpace()) == nil)
        #expect(tree.allocate(size: 1 * Self.page, align: 1, vstart: 0x101000, vend: .max, payload: FreeSpace()) == 0x405000)
        #expect(tree.validate() == [])
    }

    @Test func vendRestrictsTheFit() {
        let (tree, _) = singleBlock()
        #expect(tree.allocate(size: 0x2000, align: 1, vstart: 0, vend: 0x11000, payload: FreeSpace()) == nil)
        #expect(blocks(tree) == [0x10000...0x1ffff])
    }

    @Test func freeMergesWithBothNeighbours() {
        let tree = VmapAreaTree<FreeSpace>()
        _ = tree.insert(start: 0x10000, end: 0x20000, payload: FreeSpace())
        let a = tree.allocate(size: 0x1000, align: 1, vstart: 0, vend: .max, payload: FreeSpace())!
        let b = tree.allocate(size: 0x1000, align: 1, vstart: 0, vend: .max, payload: FreeSpace())!
        let c = tree.allocate(size: 0x1000, align: 1, vstart: 0, vend: .max, payload: FreeSpace())!
        #expect(tree.mergeOrAdd(start: a, end: a + 0x1000, payload: FreeSpace()))
        #expect(tree.mergeOrAdd(start: c, end: c + 0x1000, payload: FreeSpace()))
        #expect(blocks(tree) == [0x10000...0x10fff, 0x12000...0x1ffff])
        #expect(tree.mergeOrAdd(start: b, end: b + 0x1000, payload: FreeSpace()))
        #expect(blocks(tree) == [0x10000...0x1ffff])
        #expect(!tree.mergeOrAdd(start: b, end: b + 0x1000, payload: FreeSpace()), "freeing free space twice must be refused")
        #expect(tree.validate() == [])
    }

    @Test func randomOperationsKeepTheTreeConsistentWithAModel() {
        let tree = VmapAreaTree<FreeSpace>()
        let base: UInt64 = 0x1000_0000, limit: UInt64 = base + 4096 * Self.page
        _ = tree.insert(start: base, end: limit, payload: FreeSpace())
        var busy: [(UInt64, UInt64)] = []
        var rng = SystemRandomNumberGenerator()
        for step in 0..<4000 {
            if busy.isEmpty || Int.random(in: 0..<3, using: &rng) > 0 {
                let size = UInt64.random(in: 1...24, using: &rng) * Self.page
                let align = UInt64(1) << UInt64.random(in: 12...17, using: &rng)
                guard let start = tree.allocate(size: size, align: align, vstart: base, vend: limit, payload: FreeSpace()) else { continue }
                #expect(start % align == 0)
                #expect(!busy.contains { $0.0 < start + size && start < $0.1 }, "step \(step): overlap at \(start)")
                busy.append((start, start + size))
            } else {
                let victim = busy.remove(at: Int.random(in: 0..<busy.count, using: &rng))
                #expect(tree.mergeOrAdd(start: victim.0, end: victim.1, payload: FreeSpace()))
            }
        }
        #expect(tree.validate() == [])
        var freeTotal: UInt64 = 0
        var previousEnd: UInt64 = 0
        tree.forEach { _, node in
            freeTotal += node.size
            #expect(node.start != previousEnd, "adjacent free blocks were not merged")
            previousEnd = node.end
        }
        #expect(freeTotal + busy.reduce(0) { $0 + $1.1 - $1.0 } == limit - base)
    }
}
