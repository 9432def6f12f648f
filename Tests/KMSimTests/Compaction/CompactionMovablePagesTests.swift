import Testing
@testable import KMSim

/// Migration of the pages workload tasks allocate with `__GFP_MOVABLE` (`MovablePages`, the kernel's
/// non-LRU movable pages with `movable_operations`): contents intact, the handle following the page, the
/// task freeing the new page, and the races with a task freeing an isolated page.
@Suite(TestTime.limit(minutes: 5)) struct CompactionMovablePagesTests {
    /// Writes `handle * 7919 + salt` into the first and last words of the page `handle` names.
    static func stamp(_ machine: Machine, _ movable: MovablePages, _ handle: Int, salt: UInt64) {
        let page = machine.pageAllocator.pageAddress(movable.pfn(of: handle))
        let value = UInt64(handle) &* 7919 &+ salt
        page.storeBytes(of: value, as: UInt64.self)
        page.storeBytes(of: ~value, toByteOffset: MachineSpec.pageSize - 8, as: UInt64.self)
    }

    static func intact(_ machine: Machine, _ movable: MovablePages, _ handle: Int, salt: UInt64) -> Bool {
        let page = machine.pageAllocator.pageAddress(movable.pfn(of: handle))
        let value = UInt64(handle) &* 7919 &+ salt
        return page.load(as: UInt64.self) == value && page.load(fromByteOffset: MachineSpec.pageSize - 8, as: UInt64.self) == ~value
    }

    /// A task's movable pages scattered over the zone (every other page of a seeded draw freed), a
    /// whole-zone compaction: pages move with their contents, huge-page blocks appear, the handles name
    /// the new pages, and freeing through the handles frees the new pages and gives every page back.
    @Test func movablePagesMigrateIntactAndTheTaskFreesTheNewPages() async throws {
        let machine = try CompactionTest.machine()
        let allocator = machine.pageAllocator
        let compaction = machine.reclaim.compaction
        let movable = compaction.movablePages
        let zone = ReclaimTest.zone(machine)
        let context = ExecutionContext.task(cpu: 0, pid: 60)
        allocator.drainAllPages(context: context)
        let freeAtStart = zone.freePages
        var generator = SplitMix64(seed: 21)
        var handles: [Int] = []
        var dropped: [PFN] = []
        for _ in 0..<8_000 {
            let pfn = try #require(allocator.allocPages(order: 0, gfp: .highUserMovable, context: context))
            if generator.next() & 1 == 0 {
                handles.append(movable.register(pfn))
            } else {
                dropped.append(pfn)
            }
        }
        for pfn in dropped { allocator.freePages(pfn, order: 0, context: context) }
        #expect(handles.allSatisfy { movable.pfn(of: $0) == $0 }, "a page that never moved is its own handle")
        for handle in handles { Self.stamp(machine, movable, handle, salt: 3) }
        allocator.drainAllPages(context: context)
        let hugeBefore = CompactionTest.hugeBlocks(zone)

        var cc = CompactControl(zone: zone, order: -1, gfp: .kernel, mode: .sync, highestZoneIndex: ZoneType.normal.rawValue,
                                context: context)
        cc.wholeZone = true
        cc.ignoreSkipHint = true
        #expect(await compaction.compactZone(&cc) == .complete)
        #expect(cc.migrated > 0)
        let moved = handles.filter { movable.pfn(of: $0) != $0 }
        #expect(moved.count > 100, "\(moved.count) of \(handles.count) pages moved")
        #expect(handles.allSatisfy { Self.intact(machine, movable, $0, salt: 3) })
        #expect(handles.allSatisfy { movable.isLive($0) })
        #expect(Set(handles.map { movable.pfn(of: $0) }).count == handles.count)
        #expect(handles.allSatisfy { allocator.frame(movable.pfn(of: $0)).pointee.flags == PageFlags.allocated.rawValue })
        #expect(CompactionTest.hugeBlocks(zone) >= hugeBefore + 4)
        #expect(machine.checkInvariants().isEmpty, "\(machine.checkInvariants())")

        // The task frees through its handles: the pages they name now, the moved ones included.
        let movedSet = Set(moved)
        var freed: Set<PFN> = []
        var freedMoved = 0
        for handle in handles {
            let current = movable.pfn(of: handle)
            let pfn = try #require(movable.unregister(handle))
            #expect(pfn == current)
            if movedSet.contains(handle) && pfn != handle { freedMoved += 1 }
            freed.insert(pfn)
            allocator.freePages(pfn, order: 0, context: context)
        }
        #expect(freedMoved == moved.count)
        #expect(freed.count == handles.count)
        #expect(!handles.contains { movable.isLive($0) })
        allocator.drainAllPages(context: context)
        #expect(zone.freePages == freeAtStart)
        #expect(machine.bugReports.reports.isEmpty, "\(machine.bugReports.reports.map(\.text))")
        #expect(machine.checkInvariants().isEmpty, "\(machine.checkInvariants())")
    }

    /// A page its task frees while compaction has it isolated is freed by the run, once, whether the
    /// run then migrates or puts back; pages never registered, or isolated already, are not isolated.
    @Test func aTaskFreeingAnIsolatedPageLosesNothing() async throws {
        let machine = try CompactionTest.machine()
        let allocator = machine.pageAllocator
        let compaction = machine.reclaim.compaction
        let movable = compaction.movablePages
        let zone = ReclaimTest.zone(machine)
        let context = ExecutionContext.task(cpu: 0, pid: 61)
        allocator.drainAllPages(context: context)
        let freeAtStart = zone.freePages
        let kernelPage = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: context))
        #expect(movable.isolate(kernelPage) == nil, "slab, page-table and other unregistered pages never move")
        let pfns = try (0..<3).map { _ in try #require(allocator.allocPages(order: 0, gfp: .highUserMovable, context: context)) }
        let handles = pfns.map { movable.register($0) }
        for handle in handles { Self.stamp(machine, movable, handle, salt: 9) }
        let isolated = pfns.compactMap { movable.isolate($0) }
        #expect(isolated == handles)
        #expect(movable.isolate(pfns[0]) == nil, "isolated once")

        var cc = CompactControl(zone: zone, order: -1, gfp: .kernel, mode: .sync, highestZoneIndex: ZoneType.normal.rawValue,
                                context: context)
        cc.freePFN = pageblockStartPFN(zone.endPFN - 1)
        for (pfn, handle) in zip(pfns, handles) { cc.migratepages.append(IsolatedPage(pfn: pfn, region: nil, index: handle)) }
        // The task frees pages 0 and 2 while they are isolated: the run owns the freeing.
        #expect(movable.unregister(handles[0]) == nil)
        #expect(movable.unregister(handles[2]) == nil)
        let third = cc.migratepages.removeLast()
        #expect(compaction.migratePages(&cc))
        #expect(cc.migratepages.isEmpty)
        cc.migratepages.append(third)
        compaction.putbackMovablePages(&cc)
        _ = compaction.releaseFreeList(&cc)
        // Page 1 moved with its contents; pages 0 and 2 are back on the free lists.
        let target = movable.pfn(of: handles[1])
        #expect(target != pfns[1])
        #expect(Self.intact(machine, movable, handles[1], salt: 9))
        #expect(machine.checkInvariants().isEmpty, "\(machine.checkInvariants())")
        let last = try #require(movable.unregister(handles[1]))
        #expect(last == target)
        allocator.freePages(last, order: 0, context: context)
        allocator.freePages(kernelPage, order: 0, context: context)
        allocator.drainAllPages(context: context)
        #expect(zone.freePages == freeAtStart)
        #expect(machine.bugReports.reports.isEmpty, "\(machine.bugReports.reports.map(\.text))")
        #expect(machine.checkInvariants().isEmpty, "\(machine.checkInvariants())")
    }

    /// The same on the real engine, where tasks free their pages on their CPUs' threads while
    /// compact_memory migrates them from its own: nothing is lost or freed twice (no bad-page report,
    /// the page-conservation checker clean), and pages did move.
    @Test func aWorkloadsMovablePagesMigrateOnTheRealEngine() async throws {
        let yaml = """
            name: movable-holders-real
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 64MiB}
            duration: 400ms
            seed: 5
            compaction: {compactEvery: 20ms}
            taskGroups:
              - name: holders
                cpus: 1
                tasksPerCPU: 2
                gfp: GFP_HIGHUSER_MOVABLE
                mix: [{api: allocPages, order: 0}]
                lifetime: {slots: 3000}
                opsPerSecond: 50000
            """
        // The holders stay off CPU 0, where the compact_memory task runs: a paced task on its CPU was
        // seen to keep it from running on the real engine.
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "movable-real.yaml").spec
        let report = try await WorkloadRunner(spec: spec).run().report
        #expect((report.vmstat["pgmigrate_success"] ?? 0) > 0)
        #expect(report.bugs.isEmpty, "\(report.bugs)")
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
    }

    /// A virtual-clock workload that holds movable pages in random slots while compact_memory runs
    /// every 50 ms: compaction migrates the workload's pages, the tasks free the new pages at the end,
    /// the page-conservation checker finds nothing, and the run repeats byte for byte.
    @Test func aWorkloadsMovablePagesMigrateDeterministically() async throws {
        let yaml = """
            name: movable-holders
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 64MiB}
            clock: virtual
            duration: 400ms
            seed: 5
            compaction: {compactEvery: 50ms}
            taskGroups:
              - name: holders
                cpus: 0-1
                gfp: GFP_HIGHUSER_MOVABLE
                mix: [{api: allocPages, order: 0}]
                lifetime: {slots: 3000}
                opsPerSecond: 50000
            """
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "movable.yaml").spec
        let first = try await WorkloadRunner(spec: spec).run().report
        #expect((first.vmstat["pgmigrate_success"] ?? 0) > 100)
        #expect(first.compaction.pagesMigrated == first.vmstat["pgmigrate_success"])
        #expect(first.invariants.violations.isEmpty, "\(first.invariants.violations)")
        let second = try await WorkloadRunner(spec: spec).run().report
        #expect(second.vmstat == first.vmstat)
        // Byte for byte but the host time the run took.
        func simulated(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.contains("host time") } }
        #expect(simulated(second.text) == simulated(first.text))
    }
}
