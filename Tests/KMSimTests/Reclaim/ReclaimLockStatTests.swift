import Testing
@testable import KMSim

/// (g) /proc/lock_stat after a contended run names the allocator's real lock classes in the kernel's
/// version 0.4 layout.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimLockStatTests {
    @Test func lockStatLayoutWithTheAllocatorsLockClasses() async throws {
        let machine = try ReclaimTest.machine(cpus: 4, swapPages: 2048)
        let reclaim = machine.reclaim
        // Four tasks on four CPUs share one node's lru_lock, zone lock and kmalloc list locks.
        let workers = (0..<4).map { cpu in
            machine.cpus[cpu].startTask(pid: Int32(100 + cpu)) { context, runqueue -> Bool in
                guard let task = reclaim.registerTask(pid: context.pid, comm: "worker\(cpu)") else { return false }
                let file = reclaim.mapFile(task, pages: 256)
                let anon = reclaim.mapAnonymous(task, pages: 256)
                var objects: [UnsafeMutableRawPointer] = []
                for round in 0..<3 {
                    for index in 0..<256 {
                        _ = round.isMultiple(of: 2) ? await reclaim.readFile(file, page: index, context: context)
                                                    : await reclaim.writeFile(file, page: index, context: context)
                        _ = await reclaim.touchAnonymous(anon, page: index, context: context)
                        if let object = await machine.slab.kmallocMaySleep(512, gfp: .kernel, context: context) {
                            objects.append(object)
                        }
                    }
                    for object in objects { machine.slab.kfree(object, context: context) }
                    objects.removeAll()
                    await runqueue.condResched()
                }
                reclaim.exitTask(task, context: context)
                return true
            }
        }
        for worker in workers { #expect(await worker.value) }
        // One OOM-lock acquisition: a request nothing can satisfy reaches __alloc_pages_may_oom().
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        _ = await ReclaimTest.inTask(machine, cpu: 0, pid: 110) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noWarn], context: context)
        }
        ReclaimTest.free(machine, held)

        let text = machine.lockStat.renderProcLockStat()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "lock_stat version 0.4")
        let width = 40 + 1 + 12 * 15
        #expect(lines.dropFirst().first == String(repeating: "-", count: width))
        #expect(lines.dropFirst(2).first?.hasPrefix(String(repeating: " ", count: 30) + "class name    con-bounces") == true)
        for name in ["&zone->lock", "&pcp->lock", "&lruvec->lru_lock", "&n->list_lock", "oom_lock"] {
            let row = lines.first { $0.hasPrefix(String(repeating: " ", count: 40 - name.count) + name + ":") }
            #expect(row != nil, "no lock_stat row for \(name)")
            guard let row else { continue }
            // Name column, colon, then 12 right-aligned 14-wide columns separated by one space (the
            // dashed rule is one character wider: seq_line's 12 × (14 + 1)).
            #expect(row.count == width - 1)
            let columns = row.dropFirst(41).split(separator: " ", omittingEmptySubsequences: true)
            #expect(columns.count == 12)
            // Times are µs with two decimals.
            for index in [2, 3, 4, 5, 8, 9, 10, 11] where index < columns.count {
                #expect(columns[index].split(separator: ".").last?.count == 2)
            }
            // Acquisitions are counted.
            if columns.count == 12 { #expect((Int(columns[7]) ?? 0) > 0) }
        }
        #expect(machine.lockStat.snapshot().first { $0.name == "&lruvec->lru_lock" }.map { $0.acquisitions > 1000 } == true)
        #expect(machine.sleepDebug.atomicWaits == 0)
        #expect(machine.checkInvariants().isEmpty)
    }
}
