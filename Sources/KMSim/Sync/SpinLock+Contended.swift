/// The contended path of `SpinLock.lock(cpu:site:)`, kept out of line so the fast path stays small (the
/// kernel likewise splits `queued_spin_lock()` from `queued_spin_lock_slowpath()`).
extension SpinLock {
    /// `lock_contended()`, the spin, then `lock_acquired()`: records the contention, waits for the lock
    /// with test-and-test-and-set, and records the wait time.
    @inline(never)
    func lockContended(cpu: Int, siteKey: UInt64) {
        let waitStart = LockStatClock.now()
        var observed = word.load(ordering: .relaxed)
        let holderCPU = Self.lastCPU(in: observed)
        lockClass.recordContended(
            cpu: cpu, bounced: holderCPU != 0 && holderCPU != Self.cpuField(cpu),
            siteKey: siteKey, holderSiteKey: holderSite.load(ordering: .relaxed))

        var backoff = SpinBackoff()
        while true {
            if observed & Self.lockedBit == 0 {
                let (exchanged, original) = word.compareExchange(
                    expected: observed, desired: Self.lockedWord(cpu: cpu, previous: observed),
                    successOrdering: .acquiring, failureOrdering: .relaxed)
                if exchanged { break }
                observed = original
            }
            backoff.wait(on: word)
            observed = word.load(ordering: .relaxed)
        }

        let now = LockStatClock.now()
        lockClass.recordWait(now - waitStart, cpu: cpu)
        didAcquire(cpu: cpu, previous: observed, siteKey: siteKey, now: now)
    }
}
