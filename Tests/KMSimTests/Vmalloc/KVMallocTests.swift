import Testing
@testable import KMSim

/// kvmalloc's choice between kmalloc and vmalloc (mm/util.c, 6.12).
@Suite struct KVMallocTests {
    let task = ExecutionContext.task(cpu: 0, pid: 100)

    func make() throws -> (Machine, KVMalloc) {
        let (machine, vmalloc) = try makeVmallocMachine()
        let slab = SlabAllocator(pageAllocator: machine.pageAllocator, cpuNodes: [0, 0, 0, 0], nodeCount: 1,
                                 lockStat: machine.lockStat, bugReports: machine.bugReports)
        return (machine, KVMalloc(slab: slab, vmalloc: vmalloc))
    }

    @Test func kmallocAttemptIsMadeGentleAbovePageSize() {
        #expect(KVMalloc.kmallocFlags(.kernel, size: 4096) == .kernel)
        #expect(KVMalloc.kmallocFlags(.kernel, size: 4097) == GFPFlags.kernel.union([.noWarn, .noRetry]))
        #expect(KVMalloc.kmallocFlags(GFPFlags.kernel.union(.retryMayFail), size: 1 << 20)
                == GFPFlags.kernel.union([.noWarn, .retryMayFail]))
        #expect(KVMalloc.kmallocFlags(GFPFlags.kernel.union(.noFail), size: 1 << 20) == GFPFlags.kernel.union([.noWarn, .noRetry]))
    }

    @Test func smallAndModerateRequestsComeFromKmalloc() throws {
        let (machine, kv) = try make()
        let small = try #require(kv.kvmallocNode(100, gfp: .kernel, node: nil, context: task))
        #expect(small.source == .kmalloc)
        let large = try #require(kv.kvmallocNode(64 << 10, gfp: .kernel, node: nil, context: task))
        #expect(large.source == .kmalloc, "a 64 KiB kmalloc_large succeeds on an unfragmented machine")
        kv.kvfree(small.address, context: task)
        kv.kvfree(large.address, context: task)
        #expect(machine.bugReports.counts.isEmpty)
    }

    @Test func requestsKmallocCannotServeFallBackToVmallocWhenBlockingIsAllowed() throws {
        let (machine, kv) = try make()
        let huge = try #require(kv.kvmallocNode(8 << 20, gfp: .kernel, node: nil, context: task))
        #expect(huge.source == .vmalloc, "above KMALLOC_MAX_SIZE only vmalloc can serve")
        #expect(reportTexts(machine, .allocFailure).isEmpty, "the kmalloc attempt carried __GFP_NOWARN")
        let zeroed = try #require(kv.kvzalloc(5 << 20, gfp: .kernel, context: task))
        #expect(kv.vmalloc.load(UInt64.self, at: zeroed + (4 << 20), context: task) == 0)
        kv.kvfree(huge.address, context: task)
        kv.kvfree(zeroed, context: task)
        #expect(kv.vmalloc.nrVmallocPages == 0)
    }

    @Test func nonBlockingAndSubPageRequestsNeverFallBack() throws {
        let (_, kv) = try make()
        #expect(kv.kvmallocNode(8 << 20, gfp: .atomic, node: nil, context: task) == nil)
        #expect(kv.kvmallocNode(8 << 20, gfp: .noWait, node: nil, context: task) == nil)
        #expect(kv.vmalloc.busyAreaCount == 0)
        #expect(kv.kvmallocNode(Int(Int32.max) + 1, gfp: .kernel, node: nil, context: task) == nil)
    }
}
