import Foundation
import Synchronization
import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct SimulatedCPUTests {
    @Test func cpusFollowTheSpecAndPlacement() {
        let host = HostTopology.current()
        let cpus = makeCPUs(nodes: 3, cpusPerNode: 2)
        #expect(cpus.count == 6)
        for cpu in cpus {
            #expect(cpu.node == cpu.id / 2)
            #expect(cpu.hostNode == host.hostNode(forSimulatedNode: cpu.node).id)
            #expect(cpu.processSide.cpu == cpu.id && cpu.processSide.kind == .process)
            #expect(cpu.irqSide.cpu == cpu.id && cpu.irqSide.kind == .interrupt)
        }
        #expect(throws: InterruptError.noSuchCPU(6, cpuCount: 6)) { try cpus.cpu(6) }
    }

    /// Task A sleeps on a wait queue; task B then runs on the same CPU, wakes A and finishes its own job
    /// before A resumes: the CPU ran another task while A slept, one job at a time.
    @Test func aSleepingTaskLetsTheSameCPURunAnother() async {
        let cpus = makeCPUs()
        let cpu = cpus[1]
        let queue = WaitQueue(debug: cpus.debug)
        let log = EventLog<String>()
        let sides = EventLog<CPUSide?>()
        let a = cpu.startTask(pid: 10) { context, _ in
            log.append("A1")
            sides.append(CPUSide.current)
            let result = await queue.wait(context: context)
            log.append("A2")
            sides.append(CPUSide.current)
            return result
        }
        #expect(await eventually { queue.waiterCount == 1 })
        let b = cpu.startTask(pid: 11) { context, _ in
            log.append("B1")
            sides.append(CPUSide.current)
            queue.wakeOne()
            log.append("B2")
        }
        await b.value
        #expect(await a.value == .woken)
        #expect(log.all == ["A1", "B1", "B2", "A2"])
        #expect(sides.all == Array(repeating: cpu.processSide, count: 3))
        #expect(cpus.debug.atomicWaits == 0)
    }

    /// Nonisolated async code a task calls runs on the task's CPU too (the CPU is its executor preference).
    @Test func nonisolatedAsyncCodeStaysOnTheTasksCPU() async {
        let cpus = makeCPUs()
        let side = await cpus[3].startTask(pid: 2) { _, _ in await sideAfterSuspending() }.value
        #expect(side == cpus[3].processSide)
    }

    /// Many tasks on one CPU that yield between steps interleave, and never run two steps at once.
    @Test func condReschedInterleavesTasksOnOneCPU() async {
        let cpus = makeCPUs(nodes: 1, cpusPerNode: 1)
        let running = Atomic<Int>(0)
        let overlap = Counter()
        let log = EventLog<Int32>()
        let started = Atomic<Int>(0)
        let tasks = (1...4).map { pid in
            cpus[0].startTask(pid: Int32(pid)) { context, runqueue in
                // Every task is on the runqueue before any takes a step, however late the host
                // scheduled their start: only then does interleaving depend on condResched alone.
                started.add(1, ordering: .relaxed)
                while started.load(ordering: .relaxed) < 4 { await runqueue.condResched() }
                for _ in 0..<50 {
                    if running.add(1, ordering: .relaxed).newValue != 1 { overlap.increment() }
                    log.append(context.pid)
                    running.subtract(1, ordering: .relaxed)
                    await runqueue.condResched()
                }
            }
        }
        for task in tasks { await task.value }
        #expect(overlap.count == 0)
        let order = log.all
        #expect(order.count == 200)
        let switches = zip(order, order.dropFirst()).filter { $0 != $1 }.count
        #expect(switches > 3, "tasks ran back to back instead of interleaving")
    }

    /// A task that spins on the process side sees an interrupt handler on the same CPU run meanwhile.
    @Test func interruptsRunWhileTheProcessSideIsBusy() async {
        let cpus = makeCPUs()
        let cpu = cpus[2]
        let irqRan = Counter()
        let task = cpu.startTask(pid: 5) { _, _ in
            let deadline = ContinuousClock.now + .seconds(20)
            cpu.raiseIRQ { context in
                if context.kind == .hardirq && context.cpu == 2 && CPUSide.current == cpu.irqSide { irqRan.increment() }
            }
            while irqRan.count == 0 && ContinuousClock.now < deadline {}
            return irqRan.count
        }
        #expect(await task.value == 1)
        #expect(cpu.hardIRQCount == 1)
    }

    /// Work items on both sides run on the host CPUs of the host node the simulated node is placed on.
    @Test(.enabled(if: HostTopology.current().numaAvailable, HostTopology.numaUnavailableReason))
    func workRunsOnThePinnedHostCPUs() async throws {
        let cpus = makeCPUs()
        for cpu in cpus {
            let fromTask = await cpu.startTask(pid: 1) { _, _ in
                (HostPinning.currentThreadAffinity(), HostThreadState.boundHostNode)
            }.value
            #expect(fromTask.0 == cpu.hostCPUs)
            #expect(fromTask.1 == cpu.hostNode)
            let fromIRQ = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
                cpu.raiseIRQ { _ in continuation.resume(returning: HostPinning.currentThreadAffinity()) }
            }
            #expect(fromIRQ == cpu.hostCPUs)
        }
    }

    @Test func hardIRQRaisesSoftIRQRunAfterIt() async {
        let cpus = makeCPUs()
        let cpu = cpus[3]
        let log = EventLog<String>()
        cpu.openSoftIRQ(.netRX) { context in
            log.append("\(context.kind.rawValue) cpu\(context.cpu) irqsOff=\(context.irqsDisabled) "
                + "\(CPUSide.current == cpu.irqSide)")
        }
        cpu.raiseIRQ { context in
            cpu.raiseSoftIRQ(.netRX)
            log.append("\(context.kind.rawValue) cpu\(context.cpu) irqsOff=\(context.irqsDisabled) "
                + "\(CPUSide.current == cpu.irqSide)")
        }
        #expect(await eventually { log.count == 2 })
        #expect(log.all == ["hardirq cpu3 irqsOff=true true", "softirq cpu3 irqsOff=false true"])
        cpu.raiseSoftIRQ(.netRX)
        #expect(await eventually { log.count == 3 })
        #expect(cpu.softIRQCount == 2)
    }
}

/// Suspends once, then reports which CPU side the calling thread is.
private func sideAfterSuspending() async -> CPUSide? {
    await Task.yield()
    return CPUSide.current
}
