import Testing
@testable import KMSim

/// Direct compaction in the slow path, kcompactd and compact_memory.
@Suite(TestTime.limit(minutes: 5)) struct CompactionDirectTests {
    static let hugeGFP: GFPFlags = [.highUserMovable, .retryMayFail, .noWarn]

    /// An order-9 movable request on a zone whose free memory is scattered succeeds through direct
    /// compaction (a compact_stall and a compact_success); the contents of the moved page cache survive.
    @Test func costlyRequestSucceedsThroughDirectCompaction() async throws {
        let machine = try CompactionTest.machine()
        let (task, file) = try await CompactionTest.fragmentWithPageCache(machine)
        CompactionTest.stamp(machine, file, salt: 3)
        let zone = ReclaimTest.zone(machine)
        let before = CompactionTest.hugeBlocks(zone)
        var got: [PFN] = []
        for _ in 0..<(before + 3) {
            let pfn = await ReclaimTest.inTask(machine, cpu: 0, pid: 60) { context in
                await machine.pageAllocator.allocPagesMaySleep(order: 9, gfp: Self.hugeGFP, context: context)
            }
            if let pfn { got.append(pfn) }
        }
        #expect(got.count == before + 3)
        #expect(machine.vmstat.value(.compactStall) >= 1)
        #expect(machine.vmstat.value(.compactSuccess) >= 1)
        #expect(machine.vmstat.value(.pgmigrateSuccess) > 0)
        #expect(CompactionTest.badStamps(machine, file, salt: 3) == 0)
        #expect(CompactionTest.badMappings(machine, file) == 0)
        let context = ExecutionContext.task(cpu: 0, pid: 60)
        for pfn in got { machine.pageAllocator.freePages(pfn, order: 9, context: context) }
        machine.reclaim.exitTask(task, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Compaction switched off: the same requests never stall in compaction.
    @Test func disabledCompactionNeverRuns() async throws {
        let machine = try CompactionTest.machine(config: CompactionConfig(enabled: false))
        let (task, _) = try await CompactionTest.fragmentWithPageCache(machine)
        let zone = ReclaimTest.zone(machine)
        let before = CompactionTest.hugeBlocks(zone)
        var got: [PFN] = []
        for _ in 0..<(before + 3) {
            if let pfn = await ReclaimTest.inTask(machine, cpu: 0, pid: 60, { context in
                await machine.pageAllocator.allocPagesMaySleep(order: 9, gfp: Self.hugeGFP, context: context)
            }) { got.append(pfn) }
        }
        #expect(machine.vmstat.value(.compactStall) == 0)
        #expect(machine.vmstat.value(.pgmigrateSuccess) == 0)
        let context = ExecutionContext.task(cpu: 0, pid: 60)
        for pfn in got { machine.pageAllocator.freePages(pfn, order: 9, context: context) }
        machine.reclaim.exitTask(task, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Without `__GFP_IO` (GFP_NOIO) compaction is not allowed: no stall.
    @Test func noCompactionWithoutIO() async throws {
        let machine = try CompactionTest.machine()
        let (task, _) = try await CompactionTest.fragmentWithPageCache(machine)
        let zone = ReclaimTest.zone(machine)
        var got: [PFN] = []
        for _ in 0..<(CompactionTest.hugeBlocks(zone) + 2) {
            if let pfn = await ReclaimTest.inTask(machine, cpu: 0, pid: 60, { context in
                await machine.pageAllocator.allocPagesMaySleep(order: 9, gfp: [.noIO, .movable, .retryMayFail, .noWarn],
                                                               context: context)
            }) { got.append(pfn) }
        }
        #expect(machine.vmstat.value(.compactStall) == 0)
        let context = ExecutionContext.task(cpu: 0, pid: 60)
        for pfn in got { machine.pageAllocator.freePages(pfn, order: 9, context: context) }
        machine.reclaim.exitTask(task, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// kcompactd woken for order 9 on a fragmented node compacts it (compact_daemon_wake) and leaves a
    /// free huge-page block.
    @Test func kcompactdCompactsWhenWoken() async throws {
        let machine = try CompactionTest.machine(config: CompactionConfig(proactiveness: 0))
        let (task, file) = try await CompactionTest.fragmentWithPageCache(machine)
        CompactionTest.stamp(machine, file, salt: 9)
        let zone = ReclaimTest.zone(machine)
        let before = CompactionTest.hugeBlocks(zone)
        let compaction = machine.reclaim.compaction
        compaction.startKcompactds()
        #expect(await eventually { compaction.kcompactds[0].isSleeping })
        compaction.wakeupKcompactd(node: 0, order: 9, highestZoneIndex: ZoneType.normal.rawValue)
        #expect(await eventually { machine.vmstat.value(.compactDaemonWake) >= 1 && compaction.kcompactds[0].isSleeping })
        #expect(CompactionTest.hugeBlocks(zone) > before)
        #expect(machine.vmstat.value(.compactDaemonMigrateScanned) > 0)
        await machine.shutdown()
        #expect(CompactionTest.badStamps(machine, file, salt: 9) == 0)
        machine.reclaim.exitTask(task, context: .task(cpu: 0, pid: 1))
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Tasks fault and drop page cache on two CPUs while compact_memory runs again and again on a third:
    /// afterwards every resident page is its region's, on an LRU list, and every page is accounted for.
    @Test func compactionBesideChurningTasksKeepsEveryPage() async throws {
        let machine = try CompactionTest.machine(cpus: 3)
        let reclaim = machine.reclaim
        let workers = (0..<2).map { cpu in
            machine.cpus[cpu].startTask(pid: Int32(80 + cpu)) { context, _ -> Int in
                var generator = SplitMix64(seed: UInt64(cpu + 1))
                var failures = 0
                for round in 0..<6 {
                    guard let task = reclaim.registerTask(pid: Int32(300 + cpu * 10 + round), comm: "churn") else { return -1 }
                    let file = reclaim.mapFile(task, pages: 1500)
                    let anon = reclaim.mapAnonymous(task, pages: 500)
                    for _ in 0..<3000 {
                        let index = Int(generator.next(below: 1500))
                        if !(await reclaim.readFile(file, page: index, context: context)) { failures += 1 }
                        if !(await reclaim.touchAnonymous(anon, page: index % 500, context: context)) { failures += 1 }
                    }
                    reclaim.exitTask(task, context: context)
                }
                return failures
            }
        }
        let keeperTask = try #require(reclaim.registerTask(pid: 90, comm: "keeper"))
        let kept = reclaim.mapFile(keeperTask, pages: 2000)
        for index in 0..<2000 { _ = await reclaim.readFile(kept, page: index, context: .task(cpu: 2, pid: 90)) }
        let compactor = machine.cpus[2].startTask(pid: 95) { context, _ -> Int in
            for _ in 0..<6 { await reclaim.compaction.compactNodes(context: context) }
            return 0
        }
        for worker in workers { #expect(await worker.value >= 0) }
        _ = await compactor.value
        #expect(CompactionTest.badMappings(machine, kept) == 0)
        #expect(kept.residentPages == 2000)
        reclaim.exitTask(keeperTask, context: .task(cpu: 2, pid: 90))
        machine.pageAllocator.drainAllPages(context: .task(cpu: 0, pid: 1))
        #expect(machine.checkInvariants().isEmpty)
        #expect(reclaim.lruvecs[0].totalPages == 0)
    }
}
