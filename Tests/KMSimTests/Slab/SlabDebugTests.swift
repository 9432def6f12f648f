import Testing
@testable import KMSim

/// Every `slub_debug=FZPU` detection, with the kernel's report text, and the run continuing after it.
@Suite struct SlabDebugTests {
    let machine: SlabTestMachine
    let context = ExecutionContext.task(cpu: 1, pid: 42)

    init() throws {
        machine = try SlabTestMachine(debug: .debugAll, debugCaches: ["kmalloc-64"])
    }

    func alloc64() throws -> UnsafeMutableRawPointer {
        try #require(machine.slab.kmalloc(64, gfp: .kernel, context: context))
    }

    @Test func debugCachesAreOnlyThoseAskedFor() throws {
        #expect(try #require(machine.slab.cache(named: "kmalloc-64")).isDebug)
        #expect(try #require(machine.slab.cache(named: "kmalloc-128")).isDebug == false)
        #expect(SlabFlags.parseDebug("FZPU") == .debugAll)
        #expect(SlabFlags.parseDebug("") == .debugAll)
        #expect(SlabFlags.parseDebug("zp") == [.redZone, .poison])
        #expect(SlabFlags.parseDebug("X") == nil)
    }

    @Test func freshObjectsArePoisonedAndRedZoned() throws {
        let object = try alloc64()
        #expect(object.load(fromByteOffset: 0, as: UInt8.self) == 0x6b)
        #expect(object.load(fromByteOffset: 63, as: UInt8.self) == 0xa5)
        #expect(object.load(fromByteOffset: 64, as: UInt8.self) == 0xcc)
        #expect(object.load(fromByteOffset: -1, as: UInt8.self) == 0xcc)
        machine.slab.kfree(object, context: context)
        #expect(object.load(fromByteOffset: 64, as: UInt8.self) == 0xbb)
        #expect(machine.bugReports.reports.isEmpty)
    }

    @Test func doubleFreeIsReportedWithTracking() throws {
        let keeper = try alloc64()
        let object = try alloc64()
        machine.slab.kfree(object, context: context)
        machine.slab.kfree(object, context: context)
        let reports = machine.reports(.doubleFree)
        #expect(reports.count == 1)
        let text = try #require(reports.first)
        #expect(text.hasPrefix(String(repeating: "=", count: 77) + "\nBUG kmalloc-64 (Not tainted): Object already free\n"))
        #expect(text.contains("Allocated in alloc64() age="))
        #expect(text.contains("cpu=1 pid=42"))
        #expect(text.contains("Freed in doubleFreeIsReportedWithTracking() age="))
        #expect(text.contains("Slab 0x"))
        #expect(text.contains("objects=") && text.contains("used=") && text.contains("fp=0x"))
        #expect(text.contains("Object   "))
        #expect(machine.bugReports.reports.contains { $0.text == "FIX kmalloc-64: Object at \(SlabReporter.pointer(UInt(bitPattern: object))) not freed\n" })
        #expect(machine.problems() == [])
        // The run continues: the cache still works.
        let next = try alloc64()
        machine.slab.kfree(next, context: context)
        machine.slab.kfree(keeper, context: context)
    }

    @Test func freeingMoreThanASlabHoldsIsReported() throws {
        let object = try alloc64()
        machine.slab.kfree(object, context: context)
        machine.slab.kfree(object, context: context)
        let text = try #require(machine.reports(.freelistCorrupt).first)
        #expect(text.contains("BUG kmalloc-64 (Not tainted): Slab has 0 allocated objects but 1 are to be freed"))
    }

    @Test func rightRedZoneOverwriteIsReportedAndRepaired() throws {
        let object = try alloc64()
        object.storeBytes(of: 0x41, toByteOffset: 64, as: UInt8.self)
        machine.slab.kfree(object, context: context)
        let text = try #require(machine.reports(.redzoneOverwritten).first)
        #expect(text.contains("BUG kmalloc-64 (Not tainted): Right Redzone overwritten"))
        let address = SlabReporter.pointer(UInt(bitPattern: object + 64))
        #expect(text.contains("\(address)-\(address) @offset="))
        #expect(text.contains("First byte 0x41 instead of 0xcc"))
        #expect(text.contains("FIX kmalloc-64: Restoring Right Redzone \(address)-\(address)=0xcc"))
        // Repaired: the object was not freed, its red zone is active again.
        #expect(object.load(fromByteOffset: 64, as: UInt8.self) == 0xcc)
        #expect(machine.problems() == [])
    }

    @Test func leftRedZoneOverwriteIsReported() throws {
        let object = try alloc64()
        object.storeBytes(of: 0x00, toByteOffset: -3, as: UInt8.self)
        machine.slab.kfree(object, context: context)
        let text = try #require(machine.reports(.redzoneOverwritten).first)
        #expect(text.contains("BUG kmalloc-64 (Not tainted): Left Redzone overwritten"))
        #expect(text.contains("First byte 0x0 instead of 0xcc"))
    }

    /// 6.12's `check_object()` reports each damaged area and prints the object's trailer once, after
    /// the last report: two red zones overwritten give two reports but one `print_trailer()`.
    @Test func bothRedZonesOverwrittenPrintTheTrailerOnce() throws {
        let object = try alloc64()
        object.storeBytes(of: 0x00, toByteOffset: -3, as: UInt8.self)
        object.storeBytes(of: 0x41, toByteOffset: 64, as: UInt8.self)
        machine.slab.kfree(object, context: context)
        let reports = machine.reports(.redzoneOverwritten)
        #expect(reports.count == 2)
        #expect(reports.first?.contains("Left Redzone overwritten") == true)
        #expect(reports.last?.contains("Right Redzone overwritten") == true)
        let objectLine = "Object \(SlabReporter.pointer(UInt(bitPattern: object))) @offset="
        #expect(reports.first?.contains(objectLine) == false)
        #expect(reports.first?.contains("FIX kmalloc-64: Restoring Left Redzone") == true)
        let log = reports.joined()
        #expect(log.components(separatedBy: objectLine).count - 1 == 1)
        #expect(log.components(separatedBy: "\nSlab 0x").count - 1 == 1)
        // The trailer follows the last FIX line, as the kernel prints it at the end of check_object().
        let last = try #require(reports.last)
        let fix = try #require(last.range(of: "FIX kmalloc-64: Restoring Right Redzone"))
        let trailer = try #require(last.range(of: objectLine))
        #expect(fix.lowerBound < trailer.lowerBound)
        #expect(object.load(fromByteOffset: -3, as: UInt8.self) == 0xcc)
        #expect(machine.problems() == [])
    }

    @Test func writeAfterFreeIsFoundAtTheNextAllocation() throws {
        let object = try alloc64()
        machine.slab.kfree(object, context: context)
        object.storeBytes(of: 0x1122_3344, toByteOffset: 8, as: UInt32.self)
        #expect(machine.reports(.poisonOverwritten).isEmpty)
        _ = try alloc64()
        let text = try #require(machine.reports(.poisonOverwritten).first)
        #expect(text.contains("BUG kmalloc-64 (Not tainted): Poison overwritten"))
        #expect(text.contains("First byte 0x44 instead of 0x6b"))
        #expect(text.contains("Freed in writeAfterFreeIsFoundAtTheNextAllocation() age="))
        #expect(text.contains("FIX kmalloc-64: Restoring Poison"))
        #expect(machine.bugReports.reports.contains { $0.text == "FIX kmalloc-64: Marking all objects used\n" })
        #expect(machine.problems() == [])
    }

    @Test func invalidPointerIsReportedAndNotFreed() throws {
        let object = try alloc64()
        machine.slab.kfree(object + 8, context: context)
        let text = try #require(machine.reports(.invalidObjectPointer).first)
        #expect(text.contains("BUG kmalloc-64 (Not tainted): Invalid object pointer \(SlabReporter.pointer(UInt(bitPattern: object + 8)))"))
        machine.slab.kfree(object, context: context)
        #expect(machine.reports(.doubleFree).isEmpty)
        #expect(machine.problems() == [])
    }

    @Test func wrongCacheIsReportedAndTheObjectGoesHome() throws {
        let cacheA = try #require(machine.slab.kmemCacheCreate(name: "cache-a", size: 64))
        let cacheB = try #require(machine.slab.kmemCacheCreate(name: "cache-b", size: 64))
        let object = try #require(cacheB.alloc(gfp: .kernel, context: context))
        cacheA.free(object, context: context)
        let text = try #require(machine.reports(.wrongCache).first)
        #expect(text.contains("kmem_cache_free: Wrong slab cache. cache-a but object is from cache-b"))
        #expect(cacheB.census(pfnCount: machine.pfnCount).inUseObjects == 0)
    }

    @Test func nonSlabFreesAreReportedNotCrashing() throws {
        var local = 0
        withUnsafeMutablePointer(to: &local) { machine.slab.kfree(UnsafeMutableRawPointer($0), context: context) }
        let page = try #require(machine.pageAllocator.allocPages(order: 0, gfp: .kernel, context: context))
        machine.slab.kfree(machine.pageAllocator.pageAddress(page), context: context)
        #expect(machine.reports(.invalidFree).count == 2)
        #expect(machine.reports(.invalidFree).allSatisfy { $0.contains("is neither a slab object nor a kmalloc_large allocation") })
        machine.slab.kfree(nil, context: context)
        machine.slab.kfree(SlabAllocator.zeroSizePointer, context: context)
        #expect(machine.reports(.invalidFree).count == 2)
    }

    @Test func hardenedFreelistCatchesANaiveDoubleFreeWithoutDebugging() throws {
        let object = try #require(machine.slab.kmalloc(128, gfp: .kernel, context: context))
        machine.slab.kfree(object, context: context)
        machine.slab.kfree(object, context: context)
        let text = try #require(machine.reports(.doubleFree).first)
        #expect(text.contains("BUG kmalloc-128 (Not tainted): Object already free"))
        #expect(text.contains("naive detection of double free or corruption"))
        #expect(machine.problems() == [])
    }

    @Test func freePointersAreHardened() throws {
        let cache = try #require(machine.slab.cache(named: "kmalloc-256"))
        let first = try #require(cache.alloc(gfp: .kernel, context: context))
        let second = try #require(cache.alloc(gfp: .kernel, context: context))
        cache.free(second, context: context)
        cache.free(first, context: context)
        let field = UInt(bitPattern: first) + UInt(cache.geometry.offset)
        let stored = UnsafeRawPointer(bitPattern: field)!.load(as: UInt.self)
        #expect(stored != UInt(bitPattern: second))
        #expect(stored == UInt(bitPattern: second) ^ cache.random ^ field.byteSwapped)
    }

    @Test func paddingOverwriteIsReported() throws {
        let cache = try #require(machine.slab.kmemCacheCreate(name: "pad-40", size: 40, align: 64, flags: [.poison, .consistencyChecks]))
        let object = try #require(cache.alloc(gfp: .kernel, context: context))
        let paddingStart = cache.geometry.metadataEnd
        #expect(cache.geometry.sizeFromObject > paddingStart)
        object.storeBytes(of: 0x99, toByteOffset: paddingStart, as: UInt8.self)
        cache.free(object, context: context)
        let text = try #require(machine.reports(.paddingOverwritten).first)
        #expect(text.contains("BUG pad-40 (Not tainted): Object padding overwritten"))
        #expect(text.contains("First byte 0x99 instead of 0x5a"))
    }
}
