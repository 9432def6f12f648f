/// Where each field of `struct lock_class_stats` (include/linux/lockdep_types.h) sits in a lock class's
/// per-CPU row. kmsim's spin lock is never taken for reading, so only the `write_*` halves and the
/// `bounce_*_write` bounces exist; `LOCKSTAT_POINTS` is 4 as in the kernel.
enum LockStatField {
    /// `bounces[bounce_contended_write]`
    static let conBounces = 0
    /// `write_waittime.nr`: the contentions column.
    static let contentions = 1
    /// `write_waittime.min`, `.max`, `.total` in nanoseconds.
    static let waitMin = 2
    static let waitMax = 3
    static let waitTotal = 4
    /// `bounces[bounce_acquired_write]`
    static let acqBounces = 5
    /// `write_holdtime.min`, `.max`, `.total` in nanoseconds. `write_holdtime.nr`, the acquisitions
    /// column, is counted in each lock's word instead (`SpinLock`).
    static let holdMin = 6
    static let holdMax = 7
    static let holdTotal = 8
    /// `LOCKSTAT_POINTS`
    static let points = 4
    /// `contention_point[0..<4]`: how often each recorded waiting site contended.
    static let contentionPoint = 9
    /// `contending_point[0..<4]`: how often each recorded holding site made someone wait.
    static let contendingPoint = contentionPoint + points
    /// Cells per CPU row.
    static let count = contendingPoint + points

    /// Fields that are minimums and so start at `PerCPUCounters.noMinimum`.
    static let minimums = [waitMin, holdMin]
}
