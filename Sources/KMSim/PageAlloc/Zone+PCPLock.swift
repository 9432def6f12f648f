import Atomics

/// `pcp_spin_trylock()` / `pcp_spin_unlock()` (mm/page_alloc.c, 6.12): each CPU's `&pcp->lock` on the
/// allocator's fast paths.
///
/// The lock's word is the first word of the CPU's per-CPU page set (`PerCPUPages.lockOffset`), beside
/// the counts and lists the fast path touches anyway, so an untimed trylock and release work on that
/// word directly (`SpinLock.tryAcquire(_:)`, `SpinLock.release(_:current:)`) instead of going through
/// the lock's object for its word, its kind and its timing state: the object is needed only to take a
/// virtual or irqsave lock or to time a hold, and to release a hold marked for the slow release
/// (`SpinLock.slowReleaseBit`). Both ways keep one word layout, so a hold taken one way may be
/// released the other (hold-time collection switched on mid-hold, for example).
extension Zone {
    /// The CPU's `&pcp->lock`, unretained.
    @inline(__always)
    func pcpLock(_ cpu: Int) -> Unmanaged<SpinLock> { pcpLockTable[cpu] }

    /// The CPU's `&pcp->lock` word.
    @inline(__always)
    func pcpLockWord(_ cpu: Int) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: (pcpStorage + cpu &* PerCPUPages.stride + PerCPUPages.lockOffset)
            .assumingMemoryBound(to: UnsafeAtomic<UInt64>.Storage.self))
    }

    /// `pcp_spin_trylock()`: the CPU's `&pcp->lock` if it is free right now. A plain lock whose class
    /// does not time holds is taken on its word; any other goes through `SpinLock.tryLock(cpu:)`.
    @inline(__always)
    func pcpTrylock(_ cpu: Int) -> Bool {
        if pcpLocksArePlain && !pcpLockClass.collectsHoldTimes.load(ordering: .relaxed) {
            return SpinLock.tryAcquire(pcpLockWord(cpu))
        }
        return pcpLock(cpu)._withUnsafeGuaranteedRef { $0.tryLock(cpu: cpu) }
    }

    /// `pcp_spin_unlock()`: a hold not marked for the slow release is released on its word; any other
    /// goes through `SpinLock.unlock(cpu:)`.
    @inline(__always)
    func pcpUnlock(_ cpu: Int) {
        let word = pcpLockWord(cpu)
        let current = word.load(ordering: .relaxed)
        if current & (SpinLock.lockedBit | SpinLock.slowReleaseBit) == SpinLock.lockedBit {
            return SpinLock.release(word, current: current)
        }
        pcpLock(cpu)._withUnsafeGuaranteedRef { $0.unlock(cpu: cpu) }
    }
}
