import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct WaitQueueTests {
    @Test func wakeOneThenWakeAll() async {
        let cpus = makeCPUs()
        let queue = WaitQueue(debug: cpus.debug)
        let woken = Counter()
        let tasks = (0..<4).map { index in
            cpus[index].startTask(pid: Int32(100 + index)) { context, _ in
                let result = await queue.wait(context: context)
                woken.increment()
                return result
            }
        }
        #expect(await eventually { queue.waiterCount == 4 })
        #expect(queue.wakeOne())
        #expect(await eventually { woken.count == 1 })
        #expect(queue.waiterCount == 3)
        #expect(queue.wakeAll() == 3)
        for task in tasks { #expect(await task.value == .woken) }
        #expect(woken.count == 4)
        #expect(!queue.wakeOne())
        #expect(queue.wakeAll() == 0)
        #expect(cpus.debug.atomicWaits == 0)
    }

    @Test func timeoutAndConditionAlreadyTrue() async {
        let cpus = makeCPUs()
        let queue = WaitQueue(debug: cpus.debug)
        let results = await cpus[1].startTask(pid: 3) { context, _ in
            let timed = await queue.wait(context: context, timeout: .milliseconds(5))
            let ready = await queue.wait(context: context, until: { true })
            return [timed, ready]
        }.value
        #expect(results == [.timedOut, .woken])
        #expect(queue.waiterCount == 0)
    }

    @Test func cancellationEndsTheWait() async {
        let cpus = makeCPUs()
        let queue = WaitQueue(debug: cpus.debug)
        let task = cpus[0].startTask(pid: 4) { context, _ in await queue.wait(context: context) }
        #expect(await eventually { queue.waiterCount == 1 })
        task.cancel()
        #expect(await task.value == .cancelled)
        #expect(queue.waiterCount == 0)
    }

    /// Waits entered while atomic are reported, counted, and return at once.
    @Test func atomicWaitsAreCountedAndDoNotBlock() async {
        let cpus = makeCPUs()
        let queue = WaitQueue(debug: cpus.debug)
        let results = await cpus[2].startTask(pid: 9) { context, _ in
            context.spinLockAcquired()
            let waited = await queue.wait(context: context)
            let slept = await simulatedSleep(nanoseconds: 1_000_000_000, context: context, debug: cpus.debug)
            context.spinLockReleased()
            let sleptOK = await simulatedSleep(nanoseconds: 1000, context: context, debug: cpus.debug)
            return (waited, slept, sleptOK)
        }.value
        #expect(results.0 == .atomicContext)
        #expect(!results.1)
        #expect(results.2)
        #expect(cpus.debug.atomicWaits == 2)
        #expect(cpus.reportLines.count == 2)
        #expect(queue.waiterCount == 0)
    }

    /// Bounded stress: tasks on every CPU wait for a counter, wakers on every CPU's IRQ side bump it.
    @Test func stressWaitersAndWakers() async {
        let cpus = makeCPUs()
        let queue = WaitQueue(debug: cpus.debug)
        let produced = Counter()
        let rounds = 200
        let tasks = cpus.flatMap { cpu in
            (0..<3).map { index in
                cpu.startTask(pid: Int32(cpu.id * 10 + index)) { context, runqueue in
                    var woken = 0
                    for round in 1...rounds {
                        let result = await queue.wait(context: context, until: { produced.count >= round })
                        if result == .woken { woken += 1 }
                        await runqueue.condResched()
                    }
                    return woken
                }
            }
        }
        for round in 1...rounds {
            let cpu = cpus[round % cpus.count]
            cpu.raiseIRQ { _ in
                produced.increment()
                queue.wakeAll()
            }
        }
        for task in tasks { #expect(await task.value == rounds) }
        #expect(produced.count == rounds)
        #expect(cpus.debug.atomicWaits == 0)
    }
}
