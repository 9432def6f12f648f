import Testing
@testable import KMSim

@Suite struct KmallocTests {
    let machine: SlabTestMachine
    let context = ExecutionContext.task(cpu: 0)

    init() throws {
        machine = try SlabTestMachine()
    }

    @Test(arguments: [
        (1, "kmalloc-8"), (8, "kmalloc-8"), (9, "kmalloc-16"), (17, "kmalloc-32"), (33, "kmalloc-64"),
        (64, "kmalloc-64"), (65, "kmalloc-96"), (96, "kmalloc-96"), (97, "kmalloc-128"), (128, "kmalloc-128"),
        (129, "kmalloc-192"), (192, "kmalloc-192"), (193, "kmalloc-256"), (257, "kmalloc-512"),
        (1000, "kmalloc-1k"), (1025, "kmalloc-2k"), (4096, "kmalloc-4k"), (4097, "kmalloc-8k"), (8192, "kmalloc-8k"),
    ])
    func sizeSelectsTheKernelsCache(size: Int, expected: String) throws {
        #expect(machine.slab.kmallocCache(size: size, gfp: .kernel)?.name == expected)
        let object = try #require(machine.slab.kmalloc(size, gfp: .kernel, context: context))
        #expect(machine.slab.ksize(object) == machine.slab.cache(named: expected)?.size)
        machine.slab.kfree(object, context: context)
    }

    @Test func flagsSelectTheKindWithTheKernelsPrecedence() throws {
        #expect(machine.slab.kmallocCache(size: 64, gfp: .kernel)?.name == "kmalloc-64")
        #expect(machine.slab.kmallocCache(size: 64, gfp: [.kernel, .reclaimable])?.name == "kmalloc-rcl-64")
        #expect(machine.slab.kmallocCache(size: 64, gfp: .kernelAccount)?.name == "kmalloc-cg-64")
        #expect(machine.slab.kmallocCache(size: 64, gfp: [.kernel, .dma])?.name == "dma-kmalloc-64")
        #expect(machine.slab.kmallocCache(size: 64, gfp: [.kernel, .dma, .reclaimable, .account])?.name == "dma-kmalloc-64")
        #expect(machine.slab.kmallocCache(size: 64, gfp: [.kernel, .reclaimable, .account])?.name == "kmalloc-rcl-64")
        #expect(machine.slab.kmallocCache(size: 2048, gfp: .kernelAccount)?.name == "kmalloc-cg-2k")
        #expect(machine.slab.kmallocCache(size: 64, gfp: [.kernel, .dma32])?.name == "kmalloc-64")
    }

    @Test func dmaKmallocTakesSlabsFromZoneDMA() throws {
        let object = try #require(machine.slab.kmalloc(100, gfp: [.kernel, .dma], context: context))
        let pfn = try #require(machine.pageAllocator.pfn(of: object))
        #expect(machine.pageAllocator.zone(of: pfn)?.type == .dma)
        let reclaimable = try #require(machine.slab.kmalloc(100, gfp: [.kernel, .reclaimable], context: context))
        #expect(machine.pageAllocator.vmstat.value(.nrSlabReclaimable) > 0)
        machine.slab.kfree(object, context: context)
        machine.slab.kfree(reclaimable, context: context)
    }

    @Test func largeKmallocUsesCompoundPagesUpToFourMiB() throws {
        let large = try #require(machine.slab.kmalloc(100_000, gfp: .kernel, context: context))
        #expect(machine.slab.ksize(large) == 128 << 10)
        let pfn = try #require(machine.pageAllocator.pfn(of: large))
        #expect(machine.pageAllocator.frame(pfn).pointee.flags & PageFlags.head.rawValue != 0)
        #expect(machine.pageAllocator.vmstat.value(.nrSlabUnreclaimable) >= 32)
        #expect(machine.problems() == [])
        machine.slab.kfree(large, context: context)
        let max = try #require(machine.slab.kmalloc(KmallocSizes.maxSize, gfp: .kernel, context: context))
        machine.slab.kfree(max, context: context)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(machine.problems() == [])
    }

    @Test func beyondFourMiBFailsWithAWarningUnlessNoWarn() throws {
        #expect(machine.slab.kmalloc(KmallocSizes.maxSize + 1, gfp: .kernel, context: context) == nil)
        let warning = try #require(machine.reports(.allocationTooLarge).first)
        #expect(warning.contains("WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_noprof"))
        #expect(machine.slab.kmalloc(KmallocSizes.maxSize + 1, gfp: [.kernel, .noWarn], context: context) == nil)
        #expect(machine.slab.kmalloc(-5, gfp: [.kernel, .noWarn], context: context) == nil)
        #expect(machine.reports(.allocationTooLarge).count == 1)
    }

    @Test func zeroSizeAndArrayOverflow() throws {
        #expect(machine.slab.kmalloc(0, gfp: .kernel, context: context) == SlabAllocator.zeroSizePointer)
        #expect(machine.slab.ksize(SlabAllocator.zeroSizePointer) == 0)
        #expect(machine.slab.kmallocArray(count: Int.max / 2, size: 4, gfp: .kernel, context: context) == nil)
        #expect(machine.slab.kcalloc(count: 1 << 40, size: 1 << 30, gfp: .kernel, context: context) == nil)
        #expect(machine.slab.kmallocArray(count: -1, size: 8, gfp: .kernel, context: context) == nil)
        let array = try #require(machine.slab.kcalloc(count: 10, size: 12, gfp: .kernel, context: context))
        #expect(machine.slab.ksize(array) == 128)
        #expect((0..<120).allSatisfy { array.load(fromByteOffset: $0, as: UInt8.self) == 0 })
        machine.slab.kfree(array, context: context)
        #expect(machine.bugReports.reports.isEmpty)
    }

    @Test func kzallocZeroesAReusedObject() throws {
        let dirty = try #require(machine.slab.kmalloc(200, gfp: .kernel, context: context))
        dirty.initializeMemory(as: UInt8.self, repeating: 0xee, count: 200)
        machine.slab.kfree(dirty, context: context)
        let clean = try #require(machine.slab.kzalloc(200, gfp: .kernel, context: context))
        #expect(clean == dirty)
        #expect((0..<256).allSatisfy { clean.load(fromByteOffset: $0, as: UInt8.self) == 0 })
        machine.slab.kfree(clean, context: context)
    }

    @Test func kreallocKeepsContents() throws {
        let small = try #require(machine.slab.kmalloc(40, gfp: .kernel, context: context))
        for index in 0..<40 { small.storeBytes(of: UInt8(index), toByteOffset: index, as: UInt8.self) }
        let same = try #require(machine.slab.krealloc(small, newSize: 60, gfp: .kernel, context: context))
        #expect(same == small)
        let bigger = try #require(machine.slab.krealloc(same, newSize: 20_000, gfp: .kernel, context: context))
        #expect(bigger != small)
        #expect((0..<40).allSatisfy { bigger.load(fromByteOffset: $0, as: UInt8.self) == UInt8($0) })
        let fresh = try #require(machine.slab.krealloc(nil, newSize: 10, gfp: .kernel, context: context))
        #expect(machine.slab.ksize(fresh) == 16)
        #expect(machine.slab.krealloc(bigger, newSize: 0, gfp: .kernel, context: context) == SlabAllocator.zeroSizePointer)
        machine.slab.kfree(fresh, context: context)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(machine.problems() == [])
    }

    @Test func kmallocNodeRejectsAMissingNode() throws {
        #expect(machine.slab.kmallocNode(64, gfp: .kernel, node: 3, context: context) == nil)
        let object = try #require(machine.slab.kmallocNode(64, gfp: .kernel, node: 0, context: context))
        machine.slab.kfree(object, context: context)
    }
}

@Suite struct SlabOutOfMemoryTests {
    @Test func exhaustionReturnsNilWithTheKernelsReportAndRecovers() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        var objects: [UnsafeMutableRawPointer] = []
        while objects.count < 100_000, let object = machine.slab.kmalloc(8192, gfp: .kernel, context: context) {
            objects.append(object)
        }
        #expect(objects.count > 1000 && objects.count < 100_000)
        let report = try #require(machine.reports(.outOfMemory).first)
        #expect(report.hasPrefix("SLUB: Unable to allocate memory on node -1, gfp=0xcc0(GFP_KERNEL)"))
        #expect(report.contains("cache: kmalloc-8k, object size: 8192, buffer size: 8192, default order: 3, min order: 1"))
        #expect(machine.slab.kmalloc(8192, gfp: [.kernel, .noWarn], context: context) == nil)
        #expect(machine.reports(.outOfMemory).count == 1)
        for object in objects { machine.slab.kfree(object, context: context) }
        #expect(machine.problems() == [])
        let again = try #require(machine.slab.kmalloc(8192, gfp: .kernel, context: context))
        machine.slab.kfree(again, context: context)
    }
}
