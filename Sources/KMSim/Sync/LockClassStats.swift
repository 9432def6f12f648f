/// `struct lock_time` (include/linux/lockdep_types.h): a count of samples and their minimum, maximum and
/// total, in nanoseconds. `min` is 0 when there are no samples, as the kernel leaves it.
public struct LockTime: Sendable, Hashable {
    public var min: Int64
    public var max: Int64
    public var total: Int64
    public var nr: Int

    public init(min: Int64 = 0, max: Int64 = 0, total: Int64 = 0, nr: Int = 0) {
        self.min = min
        self.max = max
        self.total = total
        self.nr = nr
    }

    /// The average sample, truncated, as `div64_u64(lt->total, lt->nr)`; 0 without samples.
    public var average: Int64 { nr == 0 ? 0 : total / Int64(nr) }
}

/// One entry of `contention_point[]` / `contending_point[]`: a call site and how often it was involved.
public struct LockContentionPoint: Sendable, Hashable {
    /// The caller's `#function`, standing in for the kernel's `%pS` symbol.
    public var site: String
    public var count: Int

    public init(site: String, count: Int) {
        self.site = site
        self.count = count
    }
}

/// `struct lock_class_stats` for one lock class, summed over CPUs, with the class name attached (what
/// /proc/lock_stat's `struct lock_stat_data` pairs). Only the write side exists: kmsim's spin lock has
/// no readers, so `read_waittime`, `read_holdtime` and the read bounces are always zero and omitted.
public struct LockClassStats: Sendable, Hashable {
    public var name: String
    /// `contention_point[]`: sites that had to wait, with counts.
    public var contentionPoints: [LockContentionPoint]
    /// `contending_point[]`: sites where the holder had acquired the lock someone waited for.
    public var contendingPoints: [LockContentionPoint]
    /// `write_waittime`: `nr` is the contentions column.
    public var waitTime: LockTime
    /// `write_holdtime`: `nr` is the acquisitions column.
    public var holdTime: LockTime
    /// `bounces[bounce_contended_write]`
    public var conBounces: Int
    /// `bounces[bounce_acquired_write]`
    public var acqBounces: Int

    public init(name: String, contentionPoints: [LockContentionPoint] = [],
                contendingPoints: [LockContentionPoint] = [], waitTime: LockTime = LockTime(),
                holdTime: LockTime = LockTime(), conBounces: Int = 0, acqBounces: Int = 0) {
        self.name = name
        self.contentionPoints = contentionPoints
        self.contendingPoints = contendingPoints
        self.waitTime = waitTime
        self.holdTime = holdTime
        self.conBounces = conBounces
        self.acqBounces = acqBounces
    }

    /// Times a waiter had to wait.
    public var contentions: Int { waitTime.nr }
    /// Times the lock was taken.
    public var acquisitions: Int { holdTime.nr }
}
