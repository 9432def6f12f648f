import Synchronization

/// The set of lock classes of one simulated machine and their lock_stat switches: lockdep's class table
/// (`lock_classes[]`) with the `kernel.lock_stat` knob and the /proc/lock_stat file on top.
///
/// Registration is not a hot path, so the table sits behind a `Mutex`; the per-acquisition setting
/// (`collectHoldTimes`) is copied into every class so a lock reads it from its own class.
public final class LockStatRegistry: Sendable {
    private struct Table {
        var byName: [String: LockClass] = [:]
        var ordered: [LockClass] = []
        var collectHoldTimes: Bool
    }

    /// The number of simulated CPUs each class keeps a statistics row for.
    public let cpuCount: Int
    private let table: OrderedMutex<Table>
    /// The CPUs whose process side holds an irqsave-class lock (real engine), shared with the CPUs'
    /// interrupt sides.
    public let irqMask: ProcessIRQMask
    /// The classes the kernel takes with interrupts disabled (`spin_lock_irqsave()`/`spin_lock_irq()`).
    public static let irqSafeClasses: Set<String> = ["&zone->lock", "&n->list_lock", "&lruvec->lru_lock"]

    /// A registry for a machine of `cpuCount` CPUs. See `collectHoldTimes` for the default.
    public init(cpuCount: Int, collectHoldTimes: Bool = true) {
        precondition(cpuCount > 0, "a LockStatRegistry needs at least one CPU")
        self.cpuCount = cpuCount
        self.table = OrderedMutex(Table(collectHoldTimes: collectHoldTimes))
        self.irqMask = ProcessIRQMask(cpuCount: cpuCount)
    }

    /// Whether acquisitions measure hold time. The kernel always does when lock_stat is on, so this
    /// defaults to true. It costs two clock reads per acquisition (one at acquire, one at release): an
    /// uncontended lock+unlock measured 64 ns with it and 7.6 ns without (release build, one host thread,
    /// clock_gettime at 28 ns through the vDSO), so benchmarks of raw allocator speed may turn it off.
    /// Acquisitions are counted either way; the holdtime columns then stay 0. Change it between runs:
    /// a hold that straddles the change is either timed or merely counted, never mis-timed.
    public var collectHoldTimes: Bool {
        get { table.withLock { $0.collectHoldTimes } }
        set {
            table.withLock { table in
                table.collectHoldTimes = newValue
                for lockClass in table.ordered {
                    lockClass.collectsHoldTimes.store(newValue, ordering: .relaxed)
                }
            }
        }
    }

    /// The class called `name`, created on first use (`lockdep_init_map()` registering a key).
    public func lockClass(named name: String) -> LockClass {
        table.withLock { table in
            if let existing = table.byName[name] { return existing }
            let created = LockClass(name: name, index: table.ordered.count, cpuCount: cpuCount,
                                    collectHoldTimes: table.collectHoldTimes,
                                    irqMask: Self.irqSafeClasses.contains(name) ? irqMask : nil)
            table.byName[name] = created
            table.ordered.append(created)
            return created
        }
    }

    /// Every class in registration order.
    public var classes: [LockClass] {
        table.withLock { $0.ordered }
    }

    /// Every class's statistics, in registration order.
    public func snapshot() -> [LockClassStats] {
        classes.map { $0.snapshot() }
    }

    /// `echo 0 > /proc/lock_stat`: clears every class's statistics (`clear_lock_stats()`).
    public func reset() {
        for lockClass in classes {
            lockClass.clear()
        }
    }
}
