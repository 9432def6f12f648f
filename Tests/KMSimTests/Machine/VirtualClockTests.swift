import Synchronization
import Testing
@testable import KMSim

/// The virtual clock's engine on its own: the lock model with hand-computed times, interrupt deferral
/// inside interrupts-off sections, and tasks sleeping and waking in simulated time.
@Suite(TestTime.limit(minutes: 1)) struct VirtualClockTests {
    /// A cost table where the work inside a hold is a round 100 ns (`pcpHit`), a lock acquire 5 ns and a
    /// line transfer 70 ns at distance 10.
    static func costs() -> CostTable {
        var table = CostTable.defaults
        table[.pcpHit] = 100
        table[.lockAcquire] = 5
        table[.lineTransfer] = 70
        return table
    }

    /// A clock for `cpus` CPUs on `nodes` nodes with `costs()`, and one lock of class `className` built on it.
    static func clockAndLock(cpusPerNode: Int, nodes: Int = 1, className: String = "test_lock")
        -> (VirtualClock, SpinLock, LockStatRegistry) {
        let spec = MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode, memoryPerNode: 64 << 20)
        let clock = VirtualClock(spec: spec, costs: costs())
        let registry = LockStatRegistry(cpuCount: spec.cpuCount)
        let lock = VirtualClock.$booting.withValue(clock) { SpinLock(class: registry.lockClass(named: className)) }
        return (clock, lock, registry)
    }

    /// Schedules a hold of `lock` by `cpu` at `time` with `work` inside it.
    static func hold(_ lock: SpinLock, on clock: VirtualClock, cpu: Int, at time: Int64, work: Bool = true) {
        clock.schedule(actor: cpu, at: time) {
            lock.lock(cpu: cpu)
            if work { clock.charge(.pcpHit) }
            lock.unlock(cpu: cpu)
        }
    }

    /// Two CPUs, one lock: CPU 0 takes it at t=0 and holds it for 100 ns of work; CPU 1 reaches it at
    /// t=50. CPU 0: acquire 5 → hold [5, 105). CPU 1 waits 55 ns until 105, pays the acquire (110) and
    /// the bounce from CPU 0 (180).
    @Test func lockWaitsUntilTheHolderReleasesAndChargesTheBounce() {
        let (clock, lock, registry) = Self.clockAndLock(cpusPerNode: 2)
        clock.runLoop {
            Self.hold(lock, on: clock, cpu: 0, at: 0)
            Self.hold(lock, on: clock, cpu: 1, at: 50, work: false)
        }
        let stats = registry.lockClass(named: "test_lock").snapshot()
        #expect(clock.clock(of: 0) == 105)
        #expect(clock.clock(of: 1) == 180)
        #expect(stats.contentions == 1)
        #expect(stats.waitTime.total == 55)
        #expect(stats.waitTime.max == 55)
        #expect(stats.acquisitions == 2)
        #expect(stats.holdTime.total == 100)
        #expect(stats.acqBounces == 1)
    }

    /// The same CPU taking a lock twice never waits, never bounces: its own holds end before its clock.
    @Test func oneCPUNeverContends() {
        let (clock, lock, registry) = Self.clockAndLock(cpusPerNode: 1)
        clock.runLoop {
            for start in [0, 10, 20] as [Int64] { Self.hold(lock, on: clock, cpu: 0, at: start) }
        }
        let stats = registry.lockClass(named: "test_lock").snapshot()
        #expect(stats.contentions == 0)
        #expect(stats.acquisitions == 3)
        #expect(stats.acqBounces == 0)
        #expect(clock.clock(of: 0) == 315)
    }

    /// A bounce between nodes costs the line transfer scaled by the SLIT distance: 70 × 20 / 10.
    @Test func remoteBounceIsScaledByNodeDistance() {
        let (clock, lock, registry) = Self.clockAndLock(cpusPerNode: 1, nodes: 2)
        clock.runLoop {
            Self.hold(lock, on: clock, cpu: 0, at: 0, work: false)
            Self.hold(lock, on: clock, cpu: 1, at: 1000, work: false)
        }
        #expect(clock.clock(of: 1) == 1000 + 5 + 140)
        #expect(registry.lockClass(named: "test_lock").snapshot().contentions == 0)
    }

    /// An interrupt arriving while its CPU holds an irqsave lock (`&zone->lock`) is deferred to the
    /// release; one arriving while the CPU runs with interrupts on waits only for the running call; one
    /// arriving on an idle CPU runs at once.
    @Test func interruptsAreDeferredByIRQSaveSections() {
        let (clock, zoneLock, _) = Self.clockAndLock(cpusPerNode: 1, className: "&zone->lock")
        let handled = Mutex<[Int64]>([])
        clock.runLoop {
            Self.hold(zoneLock, on: clock, cpu: 0, at: 0)
            clock.schedule(actor: 0, at: 300) { clock.charge(.pcpHit) }
            for arrival in [50, 350, 1000] as [Int64] {
                clock.schedule(actor: 0, at: arrival) {
                    clock.deliverInterrupt(cpu: 0, arrival: arrival) { handled.withLock { $0.append(clock.now) } }
                }
            }
        }
        #expect(handled.withLock { $0 } == [105, 400, 1000])
        #expect(clock.interruptsDeferred == 1)
        #expect(clock.interruptsDelivered == 3)
        #expect(clock.interruptDelay(percentile: 100) == 55)
    }

    /// A task that sleeps 1 ms gives its CPU to the CPU's other task, and wakes at exactly 1 ms of
    /// simulated time; a wait-queue timeout expires in simulated time too.
    @Test func sleepingTasksWakeInVirtualTime() throws {
        let spec = MachineSpec(nodes: 1, cpusPerNode: 1, memoryPerNode: 64 << 20)
        let clock = VirtualClock(spec: spec, costs: Self.costs())
        let machine = try VirtualClock.$booting.withValue(clock) { try Machine(spec: spec) }
        let times = Mutex<[String: Int64]>([:])
        let queue = WaitQueue(debug: machine.sleepDebug)
        clock.runLoop {
            let cpu = machine.cpus[0]
            cpu.startTask(pid: 1) { _, _ in
                times.withLock { $0["sleepStart"] = clock.now }
                await scheduleTimeout(nanoseconds: 1_000_000)
                times.withLock { $0["sleeper"] = clock.now }
            }
            cpu.startTask(pid: 2) { _, _ in
                clock.charge(.pcpHit, times: 3)
                times.withLock { $0["worker"] = clock.now }
            }
            cpu.startTask(pid: 3) { context, _ in
                times.withLock { $0["waitStart"] = clock.now }
                let result = await queue.wait(context: context, timeout: .milliseconds(2))
                times.withLock { $0["waiter"] = result == .timedOut ? clock.now : -1 }
            }
        }
        let recorded = times.withLock { $0 }
        // All three are runnable at t=0 and run in FIFO order. The sleeper starts at 0, but its hop from
        // the runqueue actor to the nonisolated sleep code queues it behind the worker, as does the
        // waiter's first job: both fall asleep at t=300, once the worker has used the CPU for its 300 ns,
        // and wake exactly 1 ms and 2 ms later.
        let expected: [String: Int64] = ["sleepStart": 0, "worker": 300, "waitStart": 300,
                                         "sleeper": 1_000_300, "waiter": 2_000_300]
        #expect(recorded == expected)
        #expect(clock.foreignEnqueues == 0)
    }

    /// Events at the same time run in the order they were made (the fixed tie-break).
    @Test func simultaneousEventsRunInCreationOrder() {
        let spec = MachineSpec(nodes: 1, cpusPerNode: 4, memoryPerNode: 64 << 20)
        let clock = VirtualClock(spec: spec)
        let order = Mutex<[Int]>([])
        clock.runLoop {
            for actor in [3, 1, 2, 0] {
                clock.schedule(actor: actor, at: 10) { order.withLock { $0.append(actor) } }
            }
        }
        #expect(order.withLock { $0 } == [3, 1, 2, 0])
    }
}
