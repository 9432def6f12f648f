import Testing
@testable import KMSim

@Suite struct PageAllocBadFreeTests {
    @Test func badFreesAreReportedNotCrashed() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0, pid: 42)
        let pfn = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: context))
        allocator.freePages(pfn, order: 0, context: context)
        allocator.freePages(pfn, order: 0, context: context)  // double free (on the pcp list now)
        #expect(machine.bugReports.count(.badPageState) == 1)
        let report = try #require(machine.bugReports.reports.last?.text)
        let hex = String(pfn, radix: 16)
        #expect(report.hasPrefix("BUG: Bad page state in process kmsim/42  pfn:\(String(repeating: "0", count: max(0, 5 - hex.count)) + hex)\n"))
        #expect(report.contains("page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x\(hex)\n"))
        #expect(report.contains("\nflags: 0x"))
        #expect(report.contains("page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)\n"))

        let block = try #require(allocator.allocPages(order: 2, gfp: .kernel, context: context))
        allocator.freePages(block, order: 1, context: context)  // wrong order
        #expect(machine.bugReports.reports.last?.text.contains("freed with order 1, allocated with order 2") == true)
        let compound = try #require(allocator.allocPages(order: 3, gfp: [.kernel, .comp], context: context))
        allocator.freePages(compound + 1, order: 0, context: context)  // a tail page
        allocator.freePages(compound, order: 2, context: context)
        #expect(machine.bugReports.reports.last?.text.contains("compound_order(page) != order") == true)
        // Never-allocated memory, a block in the buddy lists, and PFNs outside the machine.
        let big = try #require(allocator.allocPages(order: 6, gfp: .kernel, context: context))
        allocator.freePages(big, order: 6, context: context)
        allocator.freePages(big, order: 6, context: context)
        allocator.freePages(-5, order: 0, context: context)
        allocator.freePages(1 << 40, order: 0, context: context)
        allocator.freePages(block + 1, order: 1, context: context)  // misaligned
        allocator.freePages(block, order: 12, context: context)
        #expect(machine.bugReports.count(.badPageState) == 9)
        // The good frees still work and nothing leaked or was corrupted.
        allocator.freePages(block, order: 2, context: context)
        allocator.freePages(compound, order: 3, context: context)
        #expect(machine.checkInvariants() == [])
        #expect(machine.bugReports.count(.badPageState) == 9)
    }

    @Test func pagesStillInUseBySlabAreRefused() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let context = ExecutionContext.hardIRQ(cpu: 1)
        let pfn = try #require(allocator.allocPages(order: 1, gfp: .atomic, context: context))
        allocator.frame(pfn).pointee.flags |= PageFlags.slab.rawValue
        allocator.freePages(pfn, order: 1, context: context)
        #expect(machine.bugReports.reports.last?.text.contains("PAGE_FLAGS_CHECK_AT_FREE flag set") == true)
        #expect(machine.bugReports.reports.last?.text.contains("in process swapper/1") == true)
        allocator.frame(pfn).pointee.flags &= ~PageFlags.slab.rawValue
        allocator.freePages(pfn, order: 1, context: context)
        #expect(machine.checkInvariants() == [])
    }
}
