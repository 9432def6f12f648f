import Testing
@testable import KMSim

/// (e) An OOM kill frees memory and the waiting GFP_KERNEL allocation then succeeds, while
/// __GFP_NORETRY fails instead; the victim is the task with the largest footprint.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimOOMKillerTests {
    @Test func killFreesMemoryForTheWaitingAllocation() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let killed = EventLog<Int32>()
        let onKill: OOMKillHook = { pid, _ in killed.append(pid) }
        let big = try #require(reclaim.registerTask(pid: 41, comm: "hog", onKill: onKill))
        let small = try #require(reclaim.registerTask(pid: 42, comm: "small", onKill: onKill))
        let hog = reclaim.mapAnonymous(big, pages: 4000)
        let other = reclaim.mapAnonymous(small, pages: 100)
        for index in 0..<4000 { #expect(await reclaim.touchAnonymous(hog, page: index, context: .task(cpu: 0, pid: 41))) }
        for index in 0..<100 { #expect(await reclaim.touchAnonymous(other, page: index, context: .task(cpu: 1, pid: 42))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)

        // __GFP_NORETRY: one direct reclaim round (nothing reclaimable without swap), then failure.
        let noRetry = await ReclaimTest.inTask(machine, cpu: 0, pid: 50) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noRetry], context: context)
        }
        #expect(noRetry == nil)
        #expect(machine.vmstat.value(.oomKill) == 0)
        #expect(machine.bugReports.count(.allocFailure) == 1)

        // GFP_KERNEL: reclaim fails, the OOM killer takes the hog, the allocation retries and succeeds.
        let kernel = await ReclaimTest.inTask(machine, cpu: 0, pid: 50) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: .kernel, context: context)
        }
        #expect(kernel != nil)
        #expect(machine.vmstat.value(.oomKill) == 1 && reclaim.oomKiller.killCount == 1)
        #expect(killed.all == [41])
        #expect(reclaim.tasks.task(pid: 41) == nil)
        #expect(reclaim.tasks.task(pid: 42)?.anonRSS == 100)
        #expect(hog.residentPages == 0)
        let report = machine.bugReports.reports.filter { $0.kind == .oomKill }.map(\.text)
        #expect(report.count == 1)
        let lines = report.first?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.first == "kmsim/50 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")
        #expect(lines.contains("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=41,uid=0"))
        #expect(lines.contains("Out of memory: Killed process 41 (hog) total-vm:16000kB, anon-rss:16000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0"))

        if let kernel { held.append(kernel) }
        ReclaimTest.free(machine, held)
        reclaim.exitTask(small, context: .task(cpu: 1, pid: 42))
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Nothing killable (the only user process has oom_score_adj -1000): the kernel logs "Out of memory
    /// and no killable processes..." and panics; kmsim logs both once and halts the machine, so a second
    /// request fails at once and logs nothing more.
    @Test(TestTime.limit(minutes: 1)) func unkillableTasksAreSkippedAndNothingToKillPanics() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let task = try #require(reclaim.registerTask(pid: 43, comm: "init", oomScoreAdj: SimulatedTask.oomScoreAdjMin))
        let region = reclaim.mapAnonymous(task, pages: 1000)
        for index in 0..<1000 { #expect(await reclaim.touchAnonymous(region, page: index, context: .task(cpu: 0, pid: 43))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let result = await ReclaimTest.inTask(machine, cpu: 1, pid: 51) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: .kernel, context: context)
        }
        #expect(result == nil)
        #expect(machine.vmstat.value(.oomKill) == 0)
        #expect(machine.bugReports.panicReason == "System is deadlocked on memory")
        #expect(machine.bugReports.count(.kernelPanic) == 1 && machine.bugReports.count(.oomNoVictim) == 0)
        let again = await ReclaimTest.inTask(machine, cpu: 0, pid: 52) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: .kernel, context: context)
        }
        #expect(again == nil)
        let log = machine.bugReports.renderLog()
        #expect(log.components(separatedBy: "Out of memory and no killable processes...\n").count == 2, "\(log)")
        #expect(log.components(separatedBy: "Kernel panic - not syncing: System is deadlocked on memory\n").count == 2)
        #expect(log.hasSuffix("Kernel panic - not syncing: System is deadlocked on memory\n"), "nothing is logged after the panic")
        #expect(log.contains("kmsim/51 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0"))
        #expect(region.residentPages == 1000)
        ReclaimTest.free(machine, held)
    }

    @Test func badnessFollowsTheKernelFormula() {
        let task = SimulatedTask(pid: 1, comm: "t", oomScoreAdj: 500, anonRSS: 100, fileRSS: 20, swapEntries: 5,
                                 kernelPages: 3, totalVM: 200, oomVictim: false)
        #expect(OOMKiller.badness(task, totalPages: 100_000) == 128 + 500 * 100)
        var unkillable = task
        unkillable.oomScoreAdj = -1000
        #expect(OOMKiller.badness(unkillable, totalPages: 100_000) == nil)
    }
}
