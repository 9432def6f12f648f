import Synchronization
import Testing
@testable import KMSim

@Suite struct SlabAllocFreeTests {
    @Test func allocFreeRoundTripKeepsObjectsConserved() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "test-64", size: 64))
        var objects: [UnsafeMutableRawPointer] = []
        for index in 0..<1000 {
            let object = try #require(cache.alloc(gfp: .kernel, context: context))
            object.storeBytes(of: index, as: Int.self)
            objects.append(object)
        }
        #expect(Set(objects).count == 1000)
        for (index, object) in objects.enumerated() { #expect(object.load(as: Int.self) == index) }
        let census = cache.census(pfnCount: machine.pfnCount)
        #expect(census.problems == [])
        #expect(census.inUseObjects == 1000)
        #expect(census.slabs == cache.slabInfo.numSlabs)
        for object in objects.prefix(500) { cache.free(object, context: context) }
        #expect(cache.census(pfnCount: machine.pfnCount).inUseObjects == 500)
        for object in objects.suffix(500) { cache.free(object, context: .task(cpu: 1)) }
        let after = cache.census(pfnCount: machine.pfnCount)
        #expect(after.problems == [])
        #expect(after.inUseObjects == 0)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(cache.statistic(.allocFastpath) + cache.statistic(.allocSlowpath) == 1000)
        #expect(cache.statistic(.freeFastpath) + cache.statistic(.freeSlowpath) == 1000)
        // Objects freed far from the CPU slab all took __slab_free; an alloc+free pair is all fast path.
        let fastFrees = cache.statistic(.freeFastpath)
        let pair = try #require(cache.alloc(gfp: .kernel, context: context))
        cache.free(pair, context: context)
        #expect(cache.statistic(.freeFastpath) == fastFrees + 1)
        #expect(machine.slab.kmemCacheDestroy(cache, context: context))
        #expect(machine.bugReports.reports.isEmpty)
        #expect(machine.slab.cache(named: "test-64") == nil)
    }

    @Test func slabPagesAreAccountedAndReturned() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "acct-256", size: 256, flags: .reclaimAccount))
        var objects: [UnsafeMutableRawPointer] = []
        for _ in 0..<300 { objects.append(try #require(cache.alloc(gfp: .kernel, context: context))) }
        let census = cache.census(pfnCount: machine.pfnCount)
        #expect(census.pages > 0)
        #expect(machine.pageAllocator.vmstat.value(.nrSlabReclaimable) == census.pages)
        #expect(machine.pageAllocator.vmstat.value(.nrSlabUnreclaimable) == 0)
        for object in objects { cache.free(object, context: context) }
        #expect(machine.slab.kmemCacheDestroy(cache, context: context))
        #expect(machine.pageAllocator.vmstat.value(.nrSlabReclaimable) == 0)
    }

    @Test func geometryMatchesTheKernelsFormulas() throws {
        // calculate_order on 2 CPUs: min_objects = 4 * (fls(2) + 1) = 12.
        #expect(SlabGeometry.calculateOrder(size: 64, cpuCount: 2) == 0)
        #expect(SlabGeometry.calculateOrder(size: 512, cpuCount: 2) == 1)
        #expect(SlabGeometry.calculateOrder(size: 1024, cpuCount: 2) == 2)
        #expect(SlabGeometry.calculateOrder(size: 8192, cpuCount: 2) == 3)
        // 64 CPUs: min_objects = 4 * (7 + 1) = 32 → kmalloc-256 needs order 1.
        #expect(SlabGeometry.calculateOrder(size: 256, cpuCount: 64) == 1)
        let plain = try #require(SlabGeometry(objectSize: 64, align: 64, flags: .kmalloc, hasConstructor: false, cpuCount: 2))
        #expect(plain.size == 64 && plain.offset == 32 && plain.objectsPerSlab == 64 && plain.redLeftPad == 0)
        let debug = try #require(SlabGeometry(objectSize: 64, align: 64, flags: [.kmalloc, .debugAll],
                                              hasConstructor: false, cpuCount: 2))
        // 64 + right red zone 8 = inuse 72; free pointer after it (80); 2 tracks (144) + orig_size (148);
        // padding word (156); left red zone aligned to 64 (220); size aligned to 64.
        #expect(debug.inuse == 72 && debug.offset == 72 && debug.redLeftPad == 64 && debug.size == 256)
        #expect(SlabGeometry(objectSize: 0, align: 0, flags: [], hasConstructor: false, cpuCount: 2) == nil)
        #expect(SlabGeometry(objectSize: 64, align: 3, flags: [], hasConstructor: false, cpuCount: 2) == nil)
    }

    @Test func slabWordsSitWhereTheDoubleWordCASExpectsThem() {
        #expect(MemoryLayout<PageFrame>.offset(of: \PageFrame.slabFreelist) == Slab.slabWordsOffset)
        #expect(MemoryLayout<PageFrame>.offset(of: \PageFrame.slabCounters) == Slab.slabWordsOffset + 8)
        #expect(MemoryLayout<PageFrame>.stride % 16 == 0 && Slab.slabWordsOffset % 16 == 0)
        #expect(MemoryLayout<KMemCacheCPU>.size <= KMemCacheCPU.stride)
    }

    @Test func cpuFreelistAndTidShareOneWordAndEachTransactionAdvancesTheTid() throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.kmemCacheCreate(name: "pair-16", size: 16))
        let c = cache.cpus.cpu(1)
        #expect(c.pointee.freelistTid.load(ordering: .relaxed) == 0)
        let object = try #require(cache.alloc(gfp: .kernel, context: .task(cpu: 1)))
        let afterAlloc = c.pointee.freelistTid.load(ordering: .relaxed)
        let head = cache.cpus.packing.object(in: afterAlloc)
        #expect(head != 0 && head != UInt(bitPattern: object))
        cache.free(object, context: .task(cpu: 1))
        let afterFree = c.pointee.freelistTid.load(ordering: .relaxed)
        #expect(cache.cpus.packing.object(in: afterFree) == UInt(bitPattern: object))
        #expect(FreelistTid.tid(in: afterFree) == FreelistTid.tid(in: afterAlloc) + 1)
        #expect(cache.freePointer(UInt(bitPattern: object)) == head)
    }

    @Test func freelistTidPacksEveryWordAlignedAddressOfA64TiBDirectMapAndWrapsTheTid() {
        let base: UInt = 0x7f00_0000_0000
        let packing = FreelistTid(directMapBase: base)
        let last = base + (64 << 40) - 8
        for object in [base, base + 8, base + 4096 + 64, last] {
            let word = packing.word(after: 0, object: object)
            #expect(packing.object(in: word) == object)
            #expect(FreelistTid.tid(in: word) == 1)
        }
        #expect(packing.object(in: packing.word(after: 0, object: 0)) == 0)
        let wrapped = packing.word(after: UInt64.max & ~FreelistTid.objectMask, object: last)
        #expect(FreelistTid.tid(in: wrapped) == 0 && packing.object(in: wrapped) == last)
    }

    @Test func cpuPartialLimitsAndMinPartialFollowTheKernel() throws {
        let machine = try SlabTestMachine()
        let small = try #require(machine.slab.cache(named: "kmalloc-64"))
        #expect(small.cpuPartialObjects == 120 && small.minPartial == 5)
        #expect(small.cpuPartialSlabs == (120 * 2 + 63) / 64)
        let k1 = try #require(machine.slab.cache(named: "kmalloc-1k"))
        #expect(k1.cpuPartialObjects == 24)
        let k4 = try #require(machine.slab.cache(named: "kmalloc-4k"))
        #expect(k4.cpuPartialObjects == 6 && k4.minPartial == 6)
        let k512 = try #require(machine.slab.cache(named: "kmalloc-512"))
        #expect(k512.cpuPartialObjects == 52)
    }

    @Test func bulkAllocAndFree() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 1)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "bulk-128", size: 128))
        let buffer = UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>.allocate(capacity: 100)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: nil)
        #expect(cache.allocBulk(gfp: .kernel, into: buffer, context: context) == 100)
        #expect(Set(buffer.compactMap { $0 }).count == 100)
        #expect(cache.census(pfnCount: machine.pfnCount).inUseObjects == 100)
        cache.freeBulk(buffer, context: context)
        let census = cache.census(pfnCount: machine.pfnCount)
        #expect(census.inUseObjects == 0 && census.problems == [])
        #expect(machine.bugReports.reports.isEmpty)
    }

    @Test func constructorRunsOncePerObjectAtSlabCreation() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "ctor-48", size: 48) { object in
            object.storeBytes(of: 0x1234_5678, as: UInt64.self)
        })
        let object = try #require(cache.alloc(gfp: .kernel, context: context))
        #expect(object.load(as: UInt64.self) == 0x1234_5678)
        #expect(cache.geometry.offset == cache.geometry.inuse)
        cache.free(object, context: context)
        let again = try #require(cache.alloc(gfp: .kernel, context: context))
        #expect(again.load(as: UInt64.self) == 0x1234_5678)
        let zeroed = try #require(cache.zalloc(gfp: .kernel, context: context))
        #expect(zeroed.load(as: UInt64.self) == 0)
    }

    @Test func allocNodeHonoursTheNode() throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.kmemCacheCreate(name: "node-32", size: 32))
        let object = try #require(cache.allocNode(gfp: .kernel, node: 0, context: .task(cpu: 0)))
        let pfn = try #require(machine.pageAllocator.pfn(of: object))
        #expect(machine.pageAllocator.node(of: pfn) == 0)
        #expect(cache.allocNode(gfp: .kernel, node: 7, context: .task(cpu: 0)) == nil)
    }

    @Test func destroyWithObjectsLeftReportsThemAndKeepsTheCache() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "leaky-96", size: 96))
        let kept = try #require(cache.alloc(gfp: .kernel, context: context))
        let other = try #require(cache.alloc(gfp: .kernel, context: context))
        cache.free(other, context: context)
        #expect(!machine.slab.kmemCacheDestroy(cache, context: context))
        let remaining = machine.reports(.objectsRemaining)
        #expect(remaining.count == 1)
        #expect(remaining.first?.contains("BUG leaky-96 (Not tainted): Objects remaining in leaky-96 on __kmem_cache_shutdown()") == true)
        #expect(remaining.first?.contains("Object \(SlabReporter.pointer(UInt(bitPattern: kept)))") == true)
        #expect(machine.reports(.cacheStillHasObjects).first?.contains("kmem_cache_destroy leaky-96: Slab cache still has objects") == true)
        #expect(machine.slab.cache(named: "leaky-96") === cache)
        cache.free(kept, context: context)
        #expect(machine.slab.kmemCacheDestroy(cache, context: context))
    }

    @Test func requestsFromAMissingCPUAreRefused() throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.kmemCacheCreate(name: "cpu-check", size: 64))
        #expect(cache.alloc(gfp: .kernel, context: .task(cpu: 9)) == nil)
        #expect(machine.reports(.invalidContext).count == 1)
    }
}
