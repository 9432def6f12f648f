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
    }

    /// The bounce half of `__lock_acquired()`: the lock was last acquired on another CPU.
    @inline(__always)
    func recordAcquiredBounce(cpu: Int) {
        stats.add(LockStatField.acqBounces, 1, cpu: cpu)
    }

    /// `lock_release_holdtime()`: one acquisition ended. `nanoseconds` is nil when hold times were not
    /// being measured for it; the acquisition still counts, its hold time does not.
    @inline(__always)
    func recordRelease(holdTime nanoseconds: Int64?, cpu: Int) {
        guard let nanoseconds else {
            stats.add(LockStatField.acquisitions, 1, cpu: cpu)
            return
        }
        recordTime(max(nanoseconds, 0), count: LockStatField.acquisitions, min: LockStatField.holdMin,
                   max: LockStatField.holdMax, total: LockStatField.holdTotal, cpu: cpu)
    }

    /// `lock_time_inc()` on one CPU's row.
    private func recordTime(_ nanoseconds: Int64, count: Int, min: Int, max: Int, total: Int, cpu: Int) {
        stats.lowerMinimum(min, to: nanoseconds, cpu: cpu)
        stats.raiseMaximum(max, to: nanoseconds, cpu: cpu)
        stats.add(total, nanoseconds, cpu: cpu)
        stats.add(count, 1, cpu: cpu)
    }
}
