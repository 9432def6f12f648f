/// The accounting half of lockdep's lock_stat hooks (kernel/locking/lockdep.c). Each writes only the
/// calling CPU's row with relaxed atomics.
extension LockClass {
    /// `__lock_contended()`: a waiter on `cpu` found the lock taken. Counts a contended bounce when the
    /// last acquirer ran on another CPU, and the waiting and holding call sites.
    func recordContended(cpu: Int, bounced: Bool, siteKey: UInt64, holderSiteKey: UInt64) {
        if let slot = contentionSites.slot(for: siteKey) {
            stats.add(LockStatField.contentionPoint + slot, 1, cpu: cpu)
        }
        if let slot = contendingSites.slot(for: holderSiteKey) {
            stats.add(LockStatField.contendingPoint + slot, 1, cpu: cpu)
        }
        if bounced {
            stats.add(LockStatField.conBounces, 1, cpu: cpu)
        }
    }

    /// The waiting half of `__lock_acquired()`: `lock_time_inc(&stats->write_waittime, waittime)`.
    /// As in the kernel, a wait that measured zero nanoseconds is not counted as a contention.
    func recordWait(_ nanoseconds: Int64, cpu: Int) {
        guard nanoseconds > 0 else { return }
        recordTime(nanoseconds, count: LockStatField.contentions, min: LockStatField.waitMin,
                   max: LockStatField.waitMax, total: LockStatField.waitTotal, cpu: cpu)
        if let log = waitTrace.load() { log.recordLockWait(nanoseconds, cpu: cpu, lockClass: index) }
    }

    /// The bounce half of `__lock_acquired()`: the lock was last acquired on another CPU.
    @inline(__always)
    func recordAcquiredBounce(cpu: Int) {
        stats.add(LockStatField.acqBounces, 1, cpu: cpu)
    }

    /// `lock_release_holdtime()` for a timed hold: its minimum, maximum and total. The acquisition itself
    /// is counted in the lock word by `SpinLock.unlock(cpu:)` (the hold time's `nr`).
    func recordHoldTime(_ nanoseconds: Int64, cpu: Int) {
        let nanoseconds = max(nanoseconds, 0)
        stats.lowerMinimum(LockStatField.holdMin, to: nanoseconds, cpu: cpu)
        stats.raiseMaximum(LockStatField.holdMax, to: nanoseconds, cpu: cpu)
        stats.add(LockStatField.holdTotal, nanoseconds, cpu: cpu)
    }

    /// `lock_time_inc()` on one CPU's row.
    private func recordTime(_ nanoseconds: Int64, count: Int, min: Int, max: Int, total: Int, cpu: Int) {
        stats.lowerMinimum(min, to: nanoseconds, cpu: cpu)
        stats.raiseMaximum(max, to: nanoseconds, cpu: cpu)
        stats.add(total, nanoseconds, cpu: cpu)
        stats.add(count, 1, cpu: cpu)
    }
}
