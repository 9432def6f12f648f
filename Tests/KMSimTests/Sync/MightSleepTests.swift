import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct MightSleepTests {
    @Test func gfpKernelFromHardIRQReportsLikeTheKernel() async {
        let cpus = makeCPUs()
        let verdicts = EventLog<Bool>()
        cpus[1].raiseIRQ { context in
            verdicts.append(cpus.debug.mightAlloc(gfp: .kernel, context: context))
            verdicts.append(cpus.debug.mightAlloc(gfp: .atomic, context: context))
        }
        #expect(await eventually { verdicts.count == 2 })
        #expect(verdicts.all == [false, false])
        #expect(cpus.debug.invalidContextSleeps == 1, "GFP_ATOMIC must not report")
        #expect(cpus.reportLines == [[
            "BUG: sleeping function called from invalid context at include/linux/sched/mm.h:337",
            "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 0, name: swapper/1",
            "preempt_count: 10000, expected: 0",
            "RCU nest depth: 0, expected: 0",
            "CPU: 1 UID: 0 PID: 0 Comm: swapper/1 Not tainted 6.12.0-kmsim #1",
        ]])
        #expect(cpus.debug.atomicWaits == 0, "a report is not a wait")
    }

    @Test func spinLockHeldAndIRQsDisabledReport() async {
        let cpus = makeCPUs()
        await cpus[0].startTask(pid: 42) { context, _ in
            #expect(cpus.debug.mightAlloc(gfp: .kernel, context: context), "a plain task may sleep")
            context.spinLockAcquired()
            cpus.debug.mightAlloc(gfp: .kernel, context: context)
            context.spinLockReleased()
            let flags = context.localIRQSave()
            cpus.debug.mightSleep(context: context, file: "mm/vmscan.c", line: 6400)
            cpus.debug.mightAlloc(gfp: .noWait, context: context)
            context.localIRQRestore(flags)
        }.value
        let all = cpus.reportLines
        #expect(all.count == 2)
        #expect(all.first?[1] == "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 42, name: kmsim/42")
        #expect(all.first?[2] == "preempt_count: 1, expected: 0")
        #expect(all.first?[4] == "CPU: 0 UID: 0 PID: 42 Comm: kmsim/42 Not tainted 6.12.0-kmsim #1")
        #expect(all.last?[0] == "BUG: sleeping function called from invalid context at mm/vmscan.c:6400")
        #expect(all.last?[1] == "in_atomic(): 0, irqs_disabled(): 1, non_block: 0, pid: 42, name: kmsim/42")
        #expect(all.last?[2] == "preempt_count: 0, expected: 0")
        #expect(all.last?[4] == "CPU: 0 UID: 0 PID: 42 Comm: kmsim/42 Tainted: G        W          6.12.0-kmsim #1")
        #expect(cpus.debug.invalidContextSleeps == 2)
    }

    @Test func softirqReportCarriesTheSoftIRQOffset() {
        let debug = AtomicSleepDebug(bugReports: BugReports())
        debug.mightAlloc(gfp: .noFS, context: ExecutionContext(cpu: 2, kind: .softirq, preemptCount: 1))
        let lines = debug.bugReports.reports.first?.text.split(separator: "\n").map(String.init)
        #expect(debug.bugReports.count(.sleepingInAtomic) == 1)
        #expect(lines?[1] == "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 0, name: swapper/2")
        #expect(lines?[2] == "preempt_count: 101, expected: 0")
    }
}
