/// Tasks in process context, the same on every CPU of the group: each runs the allocation mix in a loop
/// and frees what it allocated when its lifetime ends, itself or on another CPU.
///
/// This is the kernel-side view of a benchmark thread (larson's, xmalloc-test's): a kthread or a
/// syscall path calling kmalloc/kfree, scheduled on one CPU.
public struct TaskGroupSpec: Sendable, Equatable {
    public var name: String
    public var cpus: CPUSelection
    public var tasksPerCPU: Int
    /// The operation mix: each operation picks one entry with probability weight / total weight.
    public var mix: [WeightedAllocation]
    public var lifetime: Lifetime
    public var remoteFree: RemoteFreeSpec
    /// memalloc_*_save() sections a fraction of the operations run inside.
    public var scoped: [ScopedSection]
    /// Operations per second per task; nil runs as fast as the allocator lets it.
    public var opsPerSecond: Double?
    /// `/proc/<pid>/make-it-fail` for each task of the group: what `task-filter` lets fail.
    public var makeItFail = false
    /// `/proc/<pid>/fail-nth` for each task of the group: its Nth call to a fault point (one that
    /// passes the capability's own filters: NOFAIL, ignore-gfp-wait, ...) fails; nil: not set.
    public var failNth: Int?
    /// Phases the group runs once each, with a barrier before each (`PhaseSpec`); empty: the group runs
    /// its mix in a loop until the run ends. A phased group ends when its last phase does, and a
    /// workload whose groups are all phased ends then too (`duration` is then an upper bound).
    public var phases: [PhaseSpec] = []

    public init(name: String, cpus: CPUSelection = .all, tasksPerCPU: Int = 1, mix: [WeightedAllocation],
                lifetime: Lifetime = .operations(0), remoteFree: RemoteFreeSpec = .none,
                scoped: [ScopedSection] = [], opsPerSecond: Double? = nil) {
        self.name = name
        self.cpus = cpus
        self.tasksPerCPU = tasksPerCPU
        self.mix = mix
        self.lifetime = lifetime
        self.remoteFree = remoteFree
        self.scoped = scoped
        self.opsPerSecond = opsPerSecond
    }
}

/// One entry of an operation mix.
public struct WeightedAllocation: Sendable, Equatable {
    public var allocation: AllocationSpec
    /// Relative weight, > 0.
    public var weight: Double

    public init(_ allocation: AllocationSpec, weight: Double = 1) {
        self.allocation = allocation
        self.weight = weight
    }
}

/// How long an allocated object lives before it is freed.
public enum Lifetime: Sendable, Equatable {
    /// Freed after the allocating task has done this many more operations (0: freed at once, as
    /// threadtest's alloc-then-free).
    case operations(Int)
    /// Freed this many seconds after it was allocated.
    case time(seconds: Double)
    /// larson's chunk array: each task keeps this many objects, and every allocation replaces one
    /// chosen at random, freeing the old one.
    case slots(Int)
    /// Never freed while the run lasts (a leak, or a cache that only grows); released at the end.
    case forever
}

/// Which objects another CPU frees, as in larson and xmalloc-test, where SLUB takes its slow
/// `__slab_free` path and the page allocator its remote per-CPU list path.
public struct RemoteFreeSpec: Sendable, Equatable {
    /// Share of objects freed by a task on another CPU, 0...1.
    public var fraction: Double
    /// The CPUs that free them; nil means any CPU of the machine other than the allocating one.
    public var cpus: CPUSelection?

    public init(fraction: Double, cpus: CPUSelection? = nil) {
        self.fraction = fraction
        self.cpus = cpus
    }

    public static let none = RemoteFreeSpec(fraction: 0)
}

/// A scoped allocation constraint (include/linux/sched/mm.h) a fraction of operations run under.
public struct ScopedSection: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// `memalloc_nofs_save()`: allocations behave as GFP_NOFS (filesystem transaction code).
        case nofs
        /// `memalloc_noio_save()`: allocations behave as GFP_NOIO (block layer, swap device paths).
        case noio
        /// `memalloc_noreclaim_save()`: PF_MEMALLOC, reclaim itself; may dip into reserves.
        case noreclaim

        /// The task flag the save function sets.
        public var taskFlag: TaskFlags {
            switch self {
            case .nofs: return .memallocNoFS
            case .noio: return .memallocNoIO
            case .noreclaim: return .memalloc
            }
        }

        /// The kernel function that opens the section.
        public var kernelName: String { "memalloc_\(rawValue)_save" }
    }

    public var kind: Kind
    /// Share of the group's operations inside the section, 0...1.
    public var fraction: Double

    public init(kind: Kind, fraction: Double) {
        self.kind = kind
        self.fraction = fraction
    }
}
