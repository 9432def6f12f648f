import Atomics
import Synchronization

/// A lock class: lockdep's `struct lock_class`, the identity shared by every lock initialised at the same
/// place (every zone's `&zone->lock`, every CPU's `&pcp->lock`). lock_stat accounts per class, not per
/// lock instance, so /proc/lock_stat has one row for all zones' locks.
///
/// Statistics are kept per simulated CPU, as the kernel's `cpu_lock_stats` are, in a `PerCPUCounters`
/// block laid out by `LockStatField`, each row padded to 128 bytes. Classes come from
/// `LockStatRegistry.lockClass(named:)`; the same name always yields the same class.
public final class LockClass: Sendable {
    /// The class name as the kernel prints it (`&zone->lock`, `vmap_area_lock`).
    public let name: String
    /// Position in registration order, the order lockdep's class table is walked in.
    let index: Int
    /// The per-CPU `lock_class_stats` rows.
    let stats: PerCPUCounters
    /// `class->contention_point[]`: where waiters were when they had to wait.
    let contentionSites = LockSiteTable()
    /// `class->contending_point[]`: where the holder had taken the lock that made them wait.
    let contendingSites = LockSiteTable()
    /// Whether acquisitions read the clock to measure hold times; mirrors the registry's setting.
    let collectsHoldTimes: Atomic<Bool>
    /// The class's lock instances, whose words count its acquisitions (`LockClass+Instances`).
    let instances = OrderedMutex(LockInstanceList())
    /// For a class the kernel takes with interrupts disabled, the machine's process-side interrupt mask
    /// its locks set while held (real engine); nil for the others.
    let irqMask: ProcessIRQMask?
    /// `--trace`'s event log, set when a traced run starts: contended waits above its threshold become
    /// slices (read on the contended path only).
    let waitTrace = ManagedAtomicLazyReference<TraceEventLog>()

    init(name: String, index: Int, cpuCount: Int, collectHoldTimes: Bool, irqMask: ProcessIRQMask? = nil) {
        self.irqMask = irqMask
        self.name = name
        self.index = index
        self.stats = PerCPUCounters(cpuCount: cpuCount, counters: LockStatField.count)
        self.collectsHoldTimes = Atomic(collectHoldTimes)
        for field in LockStatField.minimums {
            stats.setAll(field, to: PerCPUCounters.noMinimum)
        }
    }

    /// The number of simulated CPUs the class keeps statistics for.
    public var cpuCount: Int { stats.cpuCount }

    /// `clear_lock_stats()`: zeroes every CPU's row and forgets the contention points.
    func clear() {
        for field in 0..<LockStatField.count {
            stats.setAll(field, to: 0)
        }
        for field in LockStatField.minimums {
            stats.setAll(field, to: PerCPUCounters.noMinimum)
        }
        contentionSites.clear()
        contendingSites.clear()
        clearAcquisitions()
    }
}
