import Atomics
import Testing
@testable import KMSim

/// `pcp_spin_trylock()` / `pcp_spin_unlock()` on the lock word (`Zone.pcpTrylock`, `Zone.pcpUnlock`):
/// the word path and the lock object's path agree on the word, so a hold is timed exactly when its
/// class collected hold times at its acquisition, and every acquisition is counted. (`holdTime.nr`
/// counts acquisitions whether timed or not; a timed hold shows in `holdTime.total`.)
@Suite(TestTime.limit(minutes: 1)) struct PCPLockTests {
    /// Keeps the caller in its hold for at least a microsecond of the lock-stat clock, so a timed hold
    /// adds at least that much to the class's hold total.
    private func holdForAMicrosecond() {
        let start = LockStatClock.now()
        while LockStatClock.now() - start < 1_000 {}
    }

    /// One CPU's `&pcp->lock` word, the zone it is in and the machine's lock statistics.
    private func pcpLock() throws -> (machine: Machine, zone: Zone, word: UnsafeAtomic<UInt64>) {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 16 << 20))
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        return (machine, zone, UnsafeAtomic<UInt64>(at: zone.pcpSets.lockWord(1)))
    }

    @Test func untimedHoldsStayOnTheWordAndAreCounted() throws {
        let (machine, zone, word) = try pcpLock()
        machine.lockStat.collectHoldTimes = false
        let before = zone.pcpLockClass.snapshot()
        #expect(zone.pcpLocksArePlain)
        #expect(zone.pcpTrylock(1))
        #expect(word.load(ordering: .relaxed) & (SpinLock.lockedBit | SpinLock.slowReleaseBit) == SpinLock.lockedBit)
        #expect(!zone.pcpTrylock(1), "a held lock was taken again")
        #expect(!zone.pcpLocks[1].tryLock(cpu: 0), "the lock object took a lock held through its word")
        holdForAMicrosecond()
        zone.pcpUnlock(1)
        #expect(word.load(ordering: .relaxed) & (SpinLock.lockedBit | SpinLock.slowReleaseBit) == 0)
        let after = zone.pcpLockClass.snapshot()
        #expect(after.acquisitions == before.acquisitions + 1)
        #expect(after.holdTime.total == before.holdTime.total)
    }

    /// With hold times collected, the trylock goes through the lock object, which marks the hold for the
    /// slow release; `pcpUnlock` must then record the hold, not drop the word itself.
    @Test func timedHoldsAreRecordedByTheRelease() throws {
        let (machine, zone, word) = try pcpLock()
        machine.lockStat.collectHoldTimes = true
        let before = zone.pcpLockClass.snapshot()
        #expect(zone.pcpTrylock(1))
        #expect(word.load(ordering: .relaxed) & SpinLock.slowReleaseBit != 0)
        holdForAMicrosecond()
        zone.pcpUnlock(1)
        #expect(word.load(ordering: .relaxed) & (SpinLock.lockedBit | SpinLock.slowReleaseBit) == 0)
        #expect(zone.pcpLocks[1].holdStart.load(ordering: .relaxed) == 0)
        let after = zone.pcpLockClass.snapshot()
        #expect(after.acquisitions == before.acquisitions + 1)
        #expect(after.holdTime.total >= before.holdTime.total + 1_000)
    }

    /// Collection switched during a hold: the hold is timed as it was taken, never mis-timed.
    @Test func aHoldStraddlingTheSwitchFollowsItsAcquisition() throws {
        let (machine, zone, word) = try pcpLock()
        machine.lockStat.collectHoldTimes = false
        #expect(zone.pcpTrylock(1))
        machine.lockStat.collectHoldTimes = true
        let untimed = zone.pcpLockClass.snapshot().holdTime.total
        holdForAMicrosecond()
        zone.pcpUnlock(1)
        #expect(zone.pcpLockClass.snapshot().holdTime.total == untimed)

        #expect(zone.pcpTrylock(1))
        machine.lockStat.collectHoldTimes = false
        holdForAMicrosecond()
        zone.pcpUnlock(1)
        #expect(zone.pcpLockClass.snapshot().holdTime.total >= untimed + 1_000)
        #expect(word.load(ordering: .relaxed) & (SpinLock.lockedBit | SpinLock.slowReleaseBit) == 0)
    }
}
