import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct CPUStressTests {
    /// Bounded stress of every piece at once: tasks that record latencies, yield and broadcast IPIs with
    /// `onEachCPU(wait: true)`, interrupt sources raising softirqs, all recording into the same latency
    /// registry. Invariants: every IPI handler runs once per CPU per call, every recorded value is in the
    /// merged report exactly once, nothing waited while atomic.
    @Test func tasksInterruptsAndIPIsTogether() async throws {
        let cpus = makeCPUs()
        let latency = AllocationLatency(cpus: cpus)
        let taskRecords = Counter()
        let irqRecords = Counter()
        let ipiRuns = Counter()
        let iterations = 200
        let broadcastEvery = 20
        for cpu in cpus {
            cpu.openSoftIRQ(.netRX) { context in
                latency.record(nanoseconds: 300, context: context, gfp: .atomic, size: .slab(size: 256))
                irqRecords.increment()
            }
        }
        let sources = try cpus.map { cpu in
            try cpu.startInterruptSource(name: "eth\(cpu.id)", hertz: 2000, jitter: 0.1) { context in
                latency.record(nanoseconds: 200, context: context, gfp: .atomic, size: .pages(order: 0))
                irqRecords.increment()
                cpu.raiseSoftIRQ(.netRX)
            }
        }
        let tasks = cpus.flatMap { cpu in
            (0..<2).map { index in
                cpu.startTask(pid: Int32(100 + cpu.id * 2 + index)) { context, runqueue in
                    for iteration in 1...iterations {
                        latency.record(nanoseconds: UInt64(iteration), context: context, gfp: .kernel, size: .slab(size: 64))
                        taskRecords.increment()
                        if iteration % broadcastEvery == 0 {
                            await cpus.onEachCPU(context: context, wait: true) { _ in ipiRuns.increment() }
                        }
                        await runqueue.condResched()
                    }
                }
            }
        }
        for task in tasks { await task.value }
        for source in sources { source.cancel() }
        // A barrier on each IRQ queue: anything the sources queued before cancel has run after it.
        for cpu in cpus {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                cpu.raiseIRQ { _ in continuation.resume() }
            }
        }
        let report = await latency.merged()
        #expect(ipiRuns.count == tasks.count * (iterations / broadcastEvery) * cpus.count)
        #expect(taskRecords.count == tasks.count * iterations)
        #expect(report.totalCount == UInt64(taskRecords.count + irqRecords.count))
        #expect(cpus.debug.atomicWaits == 0)
        #expect(cpus.debug.invalidContextSleeps == 0)
    }
}
