import Dispatch
import Atomics
import Testing
@testable import KMSim

/// A plain counter that only the lock under test protects; ThreadSanitizer would report the increments
/// if the lock failed to order them.
private final class Unprotected: @unchecked Sendable {
    var value = 0
}

@Suite(TestTime.limit(minutes: 5)) struct SyncSpinLockTests {
    @Test func mutualExclusionUnderStress() {
        let registry = LockStatRegistry(cpuCount: 4)
        let lock = SpinLock(class: registry.lockClass(named: "&zone->lock"))
        let counter = Unprotected()
        let threads = 4
        let iterations = 100_000
        DispatchQueue.concurrentPerform(iterations: threads) { cpu in
            for _ in 0..<iterations {
                lock.withLock(cpu: cpu) { counter.value += 1 }
            }
        }
        #expect(counter.value == threads * iterations)
        let stats = lock.lockClass.snapshot()
        #expect(stats.acquisitions == threads * iterations)
        #expect(stats.holdTime.nr == threads * iterations)
        #expect(stats.holdTime.max >= stats.holdTime.min)
    }

    /// Locks built one after another (a zone's per-CPU list locks, say) must not share a cache line:
    /// neither their objects (the holder writes its site there) nor their words.
    @Test func locksBuiltTogetherLieOnSeparateCacheLines() throws {
        let registry = LockStatRegistry(cpuCount: 8)
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 8, memoryPerNode: 16 << 20))
        let locks = machine.pageAllocator.zone(node: 0, type: .normal).pcpLocks + (0..<8).map { _ in SpinLock(class: registry.lockClass(named: "&pcp->lock")) }
        let addresses = locks.map { UInt(bitPattern: Unmanaged.passUnretained($0).toOpaque()) }.sorted()
        for (lower, upper) in zip(addresses, addresses.dropFirst()) {
            #expect(upper - lower >= UInt(SpinLock.minimumSpacing), "two lock objects \(upper - lower) bytes apart")
        }
        let words = locks.map { lock -> UInt in
            lock.withLock(cpu: 0) { UInt(bitPattern: lock.wordAddress) }
        }.sorted()
        for (lower, upper) in zip(words, words.dropFirst()) {
            #expect(lower / 64 != upper / 64, "two lock words on one cache line, \(upper - lower) bytes apart")
        }
    }

    /// Each CPU's `&pcp->lock` is the first word of that CPU's per-CPU page set, on the cache line of its
    /// counts and order-0 lists: taking the lock sets the word there.
    @Test func pcpLockWordIsOnItsCPUsPageSetLine() throws {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 4, memoryPerNode: 16 << 20))
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        for cpu in 0..<4 {
            let word = UnsafeAtomic<UInt64>(at: zone.pcpSets.lockWord(cpu))
            let header = UInt(bitPattern: zone.pcp(cpu))
            let orderZeroLists = UInt(bitPattern: zone.pcpLists(cpu) + MigrateType.pcpTypes) - 1
            let wordAddress = UInt(bitPattern: zone.pcpSets.lockWord(cpu))
            #expect(wordAddress / 64 == header / 64 && wordAddress / 64 == orderZeroLists / 64)
            #expect(word.load(ordering: .relaxed) & SpinLock.lockedBit == 0)
            zone.pcpLocks[cpu].lock(cpu: cpu)
            #expect(word.load(ordering: .relaxed) & SpinLock.lockedBit != 0)
            #expect(zone.pcpLocks[cpu].wordAddress == UnsafeRawPointer(zone.pcpSets.lockWord(cpu)))
            zone.pcpLocks[cpu].unlock(cpu: cpu)
            #expect(word.load(ordering: .relaxed) & SpinLock.lockedBit == 0)
        }
    }

    @Test func tryLockTakesOnlyAFreeLock() {
        let registry = LockStatRegistry(cpuCount: 2)
        let lock = SpinLock(class: registry.lockClass(named: "&pcp->lock"))
        #expect(lock.tryLock(cpu: 0))
        #expect(!lock.tryLock(cpu: 0))
        #expect(!lock.tryLock(cpu: 1))
        lock.unlock(cpu: 0)
        #expect(lock.tryLock(cpu: 1))
        lock.unlock(cpu: 1)
        let stats = lock.lockClass.snapshot()
        #expect(stats.acquisitions == 2)
        #expect(stats.contentions == 0)
        // spin_trylock does not call lock_acquired(), so it never counts a bounce.
        #expect(stats.acqBounces == 0)
    }

    @Test func contentionIsRecordedWithSitesAndBounces() {
        let registry = LockStatRegistry(cpuCount: 2)
        let lock = SpinLock(class: registry.lockClass(named: "&n->list_lock"))
        let held = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)

        DispatchQueue.global().async {
            Self.holdUntilContended(lock, held: held)
            done.signal()
        }
        held.wait()
        Self.waitForLock(lock)
        done.wait()

        let stats = lock.lockClass.snapshot()
        #expect(stats.acquisitions == 2)
        #expect(stats.contentions == 1)
        #expect(stats.conBounces == 1)
        #expect(stats.acqBounces == 1)
        #expect(stats.waitTime.min > 0 && stats.waitTime.min == stats.waitTime.max)
        #expect(stats.contentionPoints == [LockContentionPoint(site: "waitForLock(_:)", count: 1)])
        #expect(stats.contendingPoints == [
            LockContentionPoint(site: "holdUntilContended(_:held:)", count: 1)])
    }

    /// CPU 0 takes the lock, lets the test go on, and releases only once CPU 1's contention is on record.
    private static func holdUntilContended(_ lock: SpinLock, held: DispatchSemaphore) {
        lock.lock(cpu: 0)
        held.signal()
        while lock.lockClass.snapshot().contentionPoints.isEmpty {}
        lock.unlock(cpu: 0)
    }

    private static func waitForLock(_ lock: SpinLock) {
        lock.lock(cpu: 1)
        lock.unlock(cpu: 1)
    }

    @Test func bouncesCountWhenCPUsAlternate() {
        let registry = LockStatRegistry(cpuCount: 2)
        let lock = SpinLock(class: registry.lockClass(named: "&lruvec->lru_lock"))
        for round in 0..<10 {
            lock.withLock(cpu: round % 2) {}
        }
        for _ in 0..<5 {
            lock.withLock(cpu: 1) {}
        }
        let stats = lock.lockClass.snapshot()
        #expect(stats.acquisitions == 15)
        // The first acquisition has no previous holder; the next nine each change CPU; the last
        // alternating round ran on CPU 1, so the five on CPU 1 add none.
        #expect(stats.acqBounces == 9)
        #expect(stats.conBounces == 0)
    }

    @Test func holdTimesCanBeTurnedOff() {
        let registry = LockStatRegistry(cpuCount: 1)
        registry.collectHoldTimes = false
        let lock = SpinLock(class: registry.lockClass(named: "oom_lock"))
        for _ in 0..<100 {
            lock.withLock(cpu: 0) {}
        }
        let off = lock.lockClass.snapshot()
        #expect(off.acquisitions == 100)
        #expect(off.holdTime == LockTime(nr: 100))

        registry.collectHoldTimes = true
        lock.withLock(cpu: 0) {}
        #expect(lock.lockClass.snapshot().acquisitions == 101)
    }

    @Test func classCountsAcquisitionsOfAllItsLocksAcrossDeinitAndReset() {
        let registry = LockStatRegistry(cpuCount: 2)
        let lockClass = registry.lockClass(named: "&zone->lock")
        let kept = SpinLock(class: lockClass)
        do {
            let dropped = SpinLock(class: lockClass)
            for cpu in [0, 1, 0] { dropped.withLock(cpu: cpu) {} }
            #expect(lockClass.snapshot().acquisitions == 3)
        }
        kept.withLock(cpu: 1) {}
        #expect(kept.tryLock(cpu: 0))
        kept.unlock(cpu: 0)
        let stats = lockClass.snapshot()
        #expect(stats.acquisitions == 5)
        // The bounce bits survive the count: only the second lock of `dropped` (cpu 0 → 1) and its
        // third (1 → 0) bounced.
        #expect(stats.acqBounces == 2)
        registry.reset()
        #expect(lockClass.snapshot().acquisitions == 0)
        kept.withLock(cpu: 1) {}
        #expect(lockClass.snapshot().acquisitions == 1)
    }
}
