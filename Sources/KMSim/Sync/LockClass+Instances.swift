import Synchronization

/// The lock instances of a class and their acquisition counts. `write_holdtime.nr` is counted in each
/// `SpinLock`'s word (so `unlock` needs no locked instruction); the class total is the sum over its live
/// instances plus what instances that have been deinitialised had counted, minus the total captured by
/// the last `clear()` (`clear_lock_stats()`).
///
/// The list holds the locks unretained: a lock retires itself from its class in `deinit`, under the
/// list's mutex, so an entry never outlives its lock and no SpinLock → LockClass → SpinLock cycle leaks.
struct LockInstanceList: ~Copyable {
    var locks: [ObjectIdentifier: Unmanaged<SpinLock>] = [:]
    /// Acquisitions of instances no longer in `locks`, and synthetic ones recorded by tests.
    var retired: Int64 = 0
    /// The raw total when statistics were last cleared.
    var baseline: Int64 = 0

    /// The raw total: live instances' counts plus `retired`.
    func rawTotal() -> Int64 {
        locks.values.reduce(retired) { total, lock in
            total + lock._withUnsafeGuaranteedRef { $0.acquisitions }
        }
    }
}

extension LockClass {
    /// Adds `lock` to the class (from `SpinLock.init`).
    func register(_ lock: SpinLock) {
        instances.withLock { $0.locks[ObjectIdentifier(lock)] = Unmanaged.passUnretained(lock) }
    }

    /// Removes `lock` from the class, keeping its acquisitions (from `SpinLock.deinit`).
    func retire(_ lock: SpinLock) {
        let count = lock.acquisitions
        instances.withLock { list in
            list.locks[ObjectIdentifier(lock)] = nil
            list.retired += count
        }
    }

    /// Counts `count` acquisitions not made through a lock instance (test samples).
    func addRetiredAcquisitions(_ count: Int64) {
        instances.withLock { $0.retired += count }
    }

    /// `write_holdtime.nr` summed over the class's locks since the last `clear()`.
    func acquisitionCount() -> Int64 {
        instances.withLock { $0.rawTotal() - $0.baseline }
    }

    /// Zeroes the acquisitions column by remembering the current total.
    func clearAcquisitions() {
        instances.withLock { $0.baseline = $0.rawTotal() }
    }
}
