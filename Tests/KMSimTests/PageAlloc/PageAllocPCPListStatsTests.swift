import Testing
@testable import KMSim

/// The per-CPU page list hit counters behind the run report's "per-CPU page lists: N% hits".
@Suite struct PageAllocPCPListStatsTests {
    @Test func refillIsAMissAndTheRestOfTheBatchHits() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 1)
        allocator.drainAllPages(context: context)
        let hits = allocator.perCPUListCounts.hits
        let misses = allocator.perCPUListCounts.misses

        let first = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: context))
        #expect(allocator.perCPUListCounts.misses == misses + 1, "an empty list is refilled: a miss")
        #expect(allocator.perCPUListCounts.hits == hits)

        let second = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: context))
        #expect(allocator.perCPUListCounts.hits == hits + 1, "the refill's batch serves the next request")
        #expect(allocator.perCPUListCounts.misses == misses + 1)

        let large = try #require(allocator.allocPages(order: 4, gfp: .kernel, context: context))
        #expect(allocator.perCPUListCounts.hits + allocator.perCPUListCounts.misses == hits + misses + 2,
                "order 4 never goes through the per-CPU lists")
        let percent = try #require(allocator.perCPUListHitPercent)
        #expect(percent > 0 && percent < 100)

        allocator.freePages(first, order: 0, context: context)
        allocator.freePages(second, order: 0, context: context)
        allocator.freePages(large, order: 4, context: context)
        #expect(machine.checkInvariants() == [])
    }
}
