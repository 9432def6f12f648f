import Foundation
import Synchronization
import Testing
@testable import KMSim

/// The real engine's interrupt sides respect the process side's irqsave sections (`ProcessIRQMask`).
@Suite(TestTime.limit(minutes: 1)) struct IRQSaveMaskTests {
    static func spin(milliseconds: Double) {
        let end = Date().addingTimeInterval(milliseconds / 1000)
        while Date() < end {}
    }

    /// While CPU 0's process side holds `&zone->lock` (taken with irqsave in the kernel), an interrupt
    /// raised on CPU 0 does not run; it runs once the lock is released. A plain lock does not hold it off.
    @Test func handlerWaitsForTheIRQSaveSectionToEnd() async throws {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 1, memoryPerNode: 64 << 20))
        let zone = try #require(machine.pageAllocator.zones.first { $0.managedPages > 0 })
        let plain = SpinLock(class: machine.lockStat.lockClass(named: "test_plain_lock"))
        let cpu = machine.cpus[0]
        let observed = await cpu.startTask(pid: 1) { _, _ -> (duringIRQSave: Bool, afterRelease: Bool, duringPlain: Bool) in
            let ran = Atomic<Int>(0)
            zone.lock.lock(cpu: 0)
            cpu.raiseIRQ { _ in ran.add(1, ordering: .sequentiallyConsistent) }
            Self.spin(milliseconds: 50)
            let duringIRQSave = ran.load(ordering: .sequentiallyConsistent) > 0
            zone.lock.unlock(cpu: 0)
            var waited = 0
            while ran.load(ordering: .sequentiallyConsistent) == 0 && waited < 5000 {
                Self.spin(milliseconds: 1)
                waited += 1
            }
            let afterRelease = ran.load(ordering: .sequentiallyConsistent) == 1
            plain.lock(cpu: 0)
            cpu.raiseIRQ { _ in ran.add(1, ordering: .sequentiallyConsistent) }
            waited = 0
            while ran.load(ordering: .sequentiallyConsistent) == 1 && waited < 5000 {
                Self.spin(milliseconds: 1)
                waited += 1
            }
            let duringPlain = ran.load(ordering: .sequentiallyConsistent) == 2
            plain.unlock(cpu: 0)
            return (duringIRQSave, afterRelease, duringPlain)
        }.value
        #expect(!observed.duringIRQSave, "the handler ran inside spin_lock_irqsave()")
        #expect(observed.afterRelease, "the handler did not run after spin_unlock_irqrestore()")
        #expect(observed.duringPlain, "a handler must still run while a plain spin lock is held")
        #expect(!machine.lockStat.irqMask.isMasked(cpu: 0))
    }

    /// A CPU's process side and its interrupt side hammering the same irqsave lock never contend with
    /// each other (lock_stat shows no contention on a 1-CPU machine).
    @Test func oneCPUsTwoSidesNeverContendOnIRQSaveLocks() async throws {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 1, memoryPerNode: 64 << 20))
        let zone = try #require(machine.pageAllocator.zones.first { $0.managedPages > 0 })
        let cpu = machine.cpus[0]
        let handled = Atomic<Int>(0)
        let before = machine.lockStat.lockClass(named: "&zone->lock").snapshot().contentions
        await cpu.startTask(pid: 1) { _, _ in
            for round in 0..<20_000 {
                if round % 10 == 0 {
                    cpu.raiseIRQ { _ in
                        zone.lock.lock(cpu: 0)
                        zone.lock.unlock(cpu: 0)
                        handled.add(1, ordering: .relaxed)
                    }
                }
                zone.lock.lock(cpu: 0)
                for _ in 0..<50 { _ = handled.load(ordering: .relaxed) }
                zone.lock.unlock(cpu: 0)
            }
        }.value
        var waited = 0
        while handled.load(ordering: .relaxed) < 2_000 && waited < 5000 {
            Self.spin(milliseconds: 1)
            waited += 1
        }
        #expect(handled.load(ordering: .relaxed) == 2_000)
        #expect(machine.lockStat.lockClass(named: "&zone->lock").snapshot().contentions == before)
    }
}
