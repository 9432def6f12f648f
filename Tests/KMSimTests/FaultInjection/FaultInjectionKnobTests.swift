import Testing
@testable import KMSim

/// Each knob of failslab and fail_page_alloc against the kernel's rules (lib/fault-inject.c
/// `should_fail_ex()`, mm/failslab.c, mm/fail_page_alloc.c), with exact counts.
@Suite(.serialized) struct FaultInjectionKnobTests {
    static func machine(_ spec: FaultInjectionSpec, usesFailNth: Bool = false) throws -> Machine {
        try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 64 << 20),
                    faults: FaultInjectionConfig(spec: spec, seed: 1, usesFailNth: usesFailNth))
    }

    static func failslab(probability: Int = 100, interval: Int = 1, times: Int = -1, space: Int = 0, verbose: Int = 0,
                         ignoreGFPWait: Bool = true, taskFilter: Bool = false, cacheFilter: Bool = false,
                         caches: [String] = []) -> FaultInjectionSpec {
        FaultInjectionSpec(failslab: FailSlabSpec(
            attr: FaultAttrSpec(probability: probability, interval: interval, times: times, space: space, verbose: verbose,
                                taskFilter: taskFilter),
            ignoreGFPWait: ignoreGFPWait, cacheFilter: cacheFilter, caches: caches))
    }

    static func failPageAlloc(probability: Int = 100, times: Int = -1, ignoreGFPWait: Bool = true,
                              ignoreGFPHighmem: Bool = true, minOrder: Int = 1) -> FaultInjectionSpec {
        FaultInjectionSpec(failPageAlloc: FailPageAllocSpec(
            attr: FaultAttrSpec(probability: probability, times: times, verbose: 0),
            ignoreGFPWait: ignoreGFPWait, ignoreGFPHighmem: ignoreGFPHighmem, minOrder: minOrder))
    }

    /// kmalloc(size) `count` times with `gfp`, freeing each success; true where the call failed.
    static func kmallocs(_ machine: Machine, _ count: Int, size: Int = 64, gfp: GFPFlags = .atomic,
                         context: ExecutionContext = .task(cpu: 0, pid: 101)) -> [Bool] {
        (0..<count).map { _ in
            guard let object = machine.slab.kmalloc(size, gfp: gfp, context: context) else { return true }
            machine.slab.kfree(object, context: context)
            return false
        }
    }

    static func pages(_ machine: Machine, _ count: Int, order: Int, gfp: GFPFlags = .atomic) -> [Bool] {
        let context = ExecutionContext.task(cpu: 0, pid: 101)
        return (0..<count).map { _ in
            guard let pfn = machine.pageAllocator.allocPages(order: order, gfp: gfp, context: context) else { return true }
            machine.pageAllocator.freePages(pfn, order: order, context: context)
            return false
        }
    }

    @Test func withoutFaultsTheAllocatorsCarryNoHook() throws {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 64 << 20))
        #expect(machine.faults == nil)
        #expect(machine.pageAllocator.faultInjection == nil)
        #expect(machine.slab.env.faults == nil)
        let slabOnly = try Self.machine(Self.failslab())
        #expect(slabOnly.slab.env.faults != nil)
        #expect(slabOnly.pageAllocator.faultInjection == nil, "fail_page_alloc not configured: no page hook")
    }

    @Test func intervalThreeWithProbability100FailsEveryThirdCall() throws {
        let machine = try Self.machine(Self.failslab(interval: 3))
        let failed = Self.kmallocs(machine, 30)
        #expect(failed == (1...30).map { $0 % 3 == 0 })
        #expect(machine.faults?.failslabInjected == 10)
    }

    @Test func timesFiveStopsAfterFive() throws {
        let machine = try Self.machine(Self.failslab(times: 5))
        #expect(Self.kmallocs(machine, 20) == Array(repeating: true, count: 5) + Array(repeating: false, count: 15))
        #expect(machine.faults?.failslab.timesLeft == 0)
    }

    @Test func timesMinusOneNeverRunsOut() throws {
        let machine = try Self.machine(Self.failslab(times: -1))
        #expect(Self.kmallocs(machine, 50).allSatisfy { $0 })
        #expect(machine.faults?.failslab.timesLeft == -1)
    }

    @Test func spaceIsUsedUpInBytesBeforeAnythingFails() throws {
        // kmalloc-64: each call uses 64 bytes while space > 64; 640 bytes let nine calls through.
        let machine = try Self.machine(Self.failslab(space: 640))
        #expect(Self.kmallocs(machine, 12) == Array(repeating: false, count: 9) + Array(repeating: true, count: 3))
        #expect(machine.faults?.failslab.spaceLeft == 64)
    }

    @Test func probabilityZeroNeverFailsAndAPercentageFailsAboutThatShare() throws {
        #expect(Self.kmallocs(try Self.machine(Self.failslab(probability: 0)), 200).allSatisfy { !$0 })
        let failed = Self.kmallocs(try Self.machine(Self.failslab(probability: 10)), 2000).filter { $0 }.count
        #expect(failed > 100 && failed < 300, "\(failed) of 2000 at 10 %")
    }

    @Test func ignoreGFPWaitSparesDirectReclaimCalls() throws {
        let spared = try Self.machine(Self.failslab())
        #expect(Self.kmallocs(spared, 10, gfp: .kernel).allSatisfy { !$0 })
        #expect(Self.kmallocs(spared, 10, gfp: .atomic).allSatisfy { $0 })
        let notSpared = try Self.machine(Self.failslab(ignoreGFPWait: false))
        #expect(Self.kmallocs(notSpared, 10, gfp: .kernel).allSatisfy { $0 })
        let pages = try Self.machine(Self.failPageAlloc())
        #expect(Self.pages(pages, 5, order: 1, gfp: .kernel).allSatisfy { !$0 })
        #expect(Self.pages(pages, 5, order: 1, gfp: .atomic).allSatisfy { $0 })
    }

    @Test func nofailNeverFails() throws {
        let slab = try Self.machine(Self.failslab(ignoreGFPWait: false))
        #expect(Self.kmallocs(slab, 20, gfp: [.kernel, .noFail]).allSatisfy { !$0 })
        let pages = try Self.machine(Self.failPageAlloc(ignoreGFPWait: false, minOrder: 0))
        #expect(Self.pages(pages, 20, order: 0, gfp: [.kernel, .noFail]).allSatisfy { !$0 })
        #expect(slab.faults?.failslabInjected == 0 && pages.faults?.failPageAllocInjected == 0)
    }

    @Test func minOrderOneSparesOrderZero() throws {
        let machine = try Self.machine(Self.failPageAlloc())
        #expect(Self.pages(machine, 10, order: 0).allSatisfy { !$0 })
        #expect(Self.pages(machine, 10, order: 1).allSatisfy { $0 })
        #expect(Self.pages(machine, 10, order: 3).allSatisfy { $0 })
        let orderZero = try Self.machine(Self.failPageAlloc(minOrder: 0))
        #expect(Self.pages(orderZero, 10, order: 0).allSatisfy { $0 })
        #expect(orderZero.faults?.sites { _ in nil } == [.init(fault: "fail_page_alloc", site: "order 0", gfp: "GFP_ATOMIC", count: 10)])
    }

    @Test func ignoreGFPHighmemSparesHighmemCalls() throws {
        let machine = try Self.machine(Self.failPageAlloc())
        #expect(Self.pages(machine, 5, order: 1, gfp: [.atomic, .highMem]).allSatisfy { !$0 })
        let notSpared = try Self.machine(Self.failPageAlloc(ignoreGFPHighmem: false))
        #expect(Self.pages(notSpared, 5, order: 1, gfp: [.atomic, .highMem]).allSatisfy { $0 })
    }

    @Test func cacheFilterFailsOnlyMarkedCaches() throws {
        let machine = try Self.machine(Self.failslab(cacheFilter: true, caches: ["kmalloc-128"]))
        #expect(machine.slab.cache(named: "kmalloc-128")?.flags.contains(.failslab) == true)
        #expect(machine.slab.cache(named: "kmalloc-64")?.flags.contains(.failslab) == false)
        #expect(Self.kmallocs(machine, 10, size: 64).allSatisfy { !$0 })
        #expect(Self.kmallocs(machine, 10, size: 128).allSatisfy { $0 })
        let names = Dictionary(machine.slab.caches.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        #expect(machine.faults?.sites { names[$0] } == [.init(fault: "failslab", site: "kmalloc-128", gfp: "GFP_ATOMIC", count: 10)])
    }

    @Test func cacheFilterAppliesToCachesCreatedLater() throws {
        let machine = try Self.machine(Self.failslab(cacheFilter: true, caches: ["skbuff_head_cache"]))
        let cache = try #require(machine.slab.kmemCacheCreate(name: "skbuff_head_cache", size: 232))
        #expect(cache.flags.contains(.failslab))
        #expect(cache.alloc(gfp: .atomic, context: .task(cpu: 0)) == nil)
    }

    @Test func taskFilterFailsOnlyMakeItFailTasksInProcessContext() throws {
        let machine = try Self.machine(Self.failslab(taskFilter: true))
        let faults = try #require(machine.faults)
        faults.setTask(pid: 101, makeItFail: true, failNth: 0)
        #expect(Self.kmallocs(machine, 5, context: .task(cpu: 0, pid: 101)).allSatisfy { $0 })
        #expect(Self.kmallocs(machine, 5, context: .task(cpu: 0, pid: 102)).allSatisfy { !$0 })
        #expect(Self.kmallocs(machine, 5, context: .hardIRQ(cpu: 1)).allSatisfy { !$0 }, "fail_task() wants in_task()")
    }

    @Test func failNthFailsExactlyTheNthEligibleCall() throws {
        // Probability 0: only fail-nth can fail. GFP_KERNEL calls stop at ignore-gfp-wait and do not count.
        let machine = try Self.machine(.none, usesFailNth: true)
        let faults = try #require(machine.faults)
        faults.setTask(pid: 101, makeItFail: false, failNth: 3)
        #expect(Self.kmallocs(machine, 4, gfp: .kernel).allSatisfy { !$0 })
        #expect(faults.failNth(pid: 101) == 3)
        #expect(Self.kmallocs(machine, 6) == [false, false, true, false, false, false])
        #expect(faults.failNth(pid: 101) == 0)
        #expect(Self.kmallocs(machine, 3, context: .hardIRQ(cpu: 1)).allSatisfy { !$0 })
    }

    @Test func failNthCountsSlabAndPageCallsAlike() throws {
        let machine = try Self.machine(.none, usesFailNth: true)
        let faults = try #require(machine.faults)
        faults.setTask(pid: 101, makeItFail: false, failNth: 2)
        #expect(Self.pages(machine, 1, order: 1) == [false])
        #expect(Self.kmallocs(machine, 1) == [true])
        #expect(faults.failslabInjected == 1 && faults.failPageAllocInjected == 0)
    }

    @Test func theLogHasTheKernelsLinesAndNOWARNSilencesThem() throws {
        let machine = try Self.machine(Self.failslab(times: 5, verbose: 1))
        _ = Self.kmallocs(machine, 1)
        #expect(machine.bugReports.reports.map(\.text) == [
            "FAULT_INJECTION: forcing a failure.\nname failslab, interval 1, probability 100, space 0, times 5\n",
        ])
        _ = Self.kmallocs(machine, 1, gfp: [.atomic, .noWarn])
        #expect(machine.bugReports.count(.faultInjection) == 1)
        #expect(machine.faults?.failslabInjected == 2, "a silent failure is still a failure")
        let quiet = try Self.machine(Self.failslab(verbose: 0))
        _ = Self.kmallocs(quiet, 3)
        #expect(quiet.bugReports.count(.faultInjection) == 0)
        let stack = try Self.machine(Self.failslab(verbose: 2))
        _ = Self.kmallocs(stack, 1)
        let text = try #require(stack.bugReports.reports.first?.text)
        #expect(text.contains("CPU: 0 UID: 0 PID: 101 Comm: kmsim/101"))
        #expect(text.contains("Call Trace:\n <TASK>\n dump_stack_lvl+0x0/0x0\n should_fail_ex+0x0/0x0\n should_failslab+0x0/0x0\n"))
    }

    @Test func defaultsAreTheKernels() {
        let attr = FaultAttrSpec()
        #expect(attr.probability == 0 && attr.interval == 1 && attr.times == 1 && attr.space == 0 && attr.verbose == 2)
        #expect(!attr.taskFilter)
        #expect(FailSlabSpec().ignoreGFPWait && !FailSlabSpec().cacheFilter)
        let pages = FailPageAllocSpec()
        #expect(pages.ignoreGFPWait && pages.ignoreGFPHighmem && pages.minOrder == 1)
    }

    @Test func bulkAllocationsPassTheHookOnce() throws {
        let machine = try Self.machine(Self.failslab(interval: 2))
        let cache = try #require(machine.slab.cache(named: "kmalloc-64"))
        let buffer = UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>.allocate(capacity: 8)
        defer { buffer.deallocate() }
        let context = ExecutionContext.task(cpu: 0)
        #expect(cache.allocBulk(gfp: .atomic, into: buffer, context: context) == 8)
        cache.freeBulk(buffer, context: context)
        #expect(cache.allocBulk(gfp: .atomic, into: buffer, context: context) == 0)
    }
}
