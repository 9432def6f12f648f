import Testing
@testable import KMSim

@Suite struct SlabAllocFreeTests {
    @Test func allocFreeRoundTripKeepsObjectsConserved() throws {
        let machine = SlabTestMachine()
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
        for object in objects.prefix(500) { cache.free(object, context: context) }
        #expect(cache.census(pfnCount: machine.pfnCount).inUseObjects == 500)
        for object in objects.suffix(500) { cache.free(object, context: .task(cpu: 1)) }
        let after = cache.census(pfnCount: machine.pfnCount)
        #expect(after.problems == [])
        #expect(after.inUseObjects == 0)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(cache.statistic(.allocFastpath) + cache.statistic(.allocSlowpath) == 1000)
        #expect(machine.slab.kmemCacheDestroy(cache, context: context))
        #expect(machine.bugReports.reports.isEmpty)
    }
}
