/// The settings of one fault injection capability, as `struct fault_attr` (include/linux/fault-inject.h)
/// holds them and `/sys/kernel/debug/<name>/` exposes them: the knobs of
/// Documentation/fault-injection/fault-injection.rst with `FAULT_ATTR_INITIALIZER`'s defaults.
///
/// A value only: the running counters (times left, space left, the interval count) live in `FaultAttr`.
public struct FaultAttrSpec: Sendable, Equatable {
    /// `probability`: percent of eligible calls that fail, 0...100 (0, the default, fails nothing
    /// except through `fail-nth`).
    public var probability: Int = 0
    /// `interval`: only every `interval`-th eligible call may fail (1, the default, is every call).
    public var interval: Int = 1
    /// `times`: failures left to inject; -1 for no limit. Default 1.
    public var times: Int = 1
    /// `space`: a budget (bytes for failslab, pages for fail_page_alloc, as the kernel passes them) that
    /// eligible calls use up before any may fail. Default 0.
    public var space: Int = 0
    /// `verbose`: 0 logs nothing, 1 the `FAULT_INJECTION: forcing a failure.` lines, 2 also a stack dump.
    /// Default 2.
    public var verbose: Int = 2
    /// `task-filter`: only tasks with `make-it-fail` (a task group's `makeItFail: true`) in process
    /// context fail. Default off.
    public var taskFilter = false

    public init(probability: Int = 0, interval: Int = 1, times: Int = 1, space: Int = 0, verbose: Int = 2,
                taskFilter: Bool = false) {
        self.probability = probability
        self.interval = interval
        self.times = times
        self.space = space
        self.verbose = verbose
        self.taskFilter = taskFilter
    }

    /// The ranges kmsim accepts. The kernel takes any `unsigned long`/`int`; values outside these have
    /// no further effect there (a probability above 100 fails as 100, `times` below -1 never runs out)
    /// and are refused here as likely mistakes.
    public static let probabilityRange = 0...100
    public static let intervalRange = 1...Int(UInt32.max)
    public static let timesRange = -1...Int(Int32.max)
    public static let spaceRange = 0...Int(Int32.max)
    public static let verboseRange = 0...2
}

/// `failslab`'s settings (mm/failslab.c): the attribute plus `ignore-gfp-wait` (default Y) and
/// `cache-filter` (default N) with the caches marked `/sys/kernel/slab/<cache>/failslab`.
public struct FailSlabSpec: Sendable, Equatable {
    public var attr = FaultAttrSpec()
    /// `ignore-gfp-wait`: allocations that may direct-reclaim (`__GFP_DIRECT_RECLAIM`) never fail.
    public var ignoreGFPWait = true
    /// `cache-filter`: only the caches in `caches` fail.
    public var cacheFilter = false
    /// The caches with SLAB_FAILSLAB set (`echo 1 > /sys/kernel/slab/<cache>/failslab`).
    public var caches: [String] = []

    public init(attr: FaultAttrSpec = FaultAttrSpec(), ignoreGFPWait: Bool = true, cacheFilter: Bool = false,
                caches: [String] = []) {
        self.attr = attr
        self.ignoreGFPWait = ignoreGFPWait
        self.cacheFilter = cacheFilter
        self.caches = caches
    }
}

/// `fail_page_alloc`'s settings (mm/fail_page_alloc.c): the attribute plus `ignore-gfp-wait` (default
/// Y), `ignore-gfp-highmem` (default Y) and `min-order` (default 1).
public struct FailPageAllocSpec: Sendable, Equatable {
    public var attr = FaultAttrSpec()
    /// `ignore-gfp-wait`: allocations with `__GFP_DIRECT_RECLAIM` never fail.
    public var ignoreGFPWait = true
    /// `ignore-gfp-highmem`: allocations with `__GFP_HIGHMEM` never fail.
    public var ignoreGFPHighmem = true
    /// `min-order`: allocations of a lower order never fail.
    public var minOrder = 1

    public init(attr: FaultAttrSpec = FaultAttrSpec(), ignoreGFPWait: Bool = true, ignoreGFPHighmem: Bool = true,
                minOrder: Int = 1) {
        self.attr = attr
        self.ignoreGFPWait = ignoreGFPWait
        self.ignoreGFPHighmem = ignoreGFPHighmem
        self.minOrder = minOrder
    }
}

/// A workload's `faults:` section (and `--failslab` / `--fail-page-alloc`): which capabilities are
/// configured. Nil means not configured: the allocator then has no hook at all, as a kernel built
/// without CONFIG_FAILSLAB / CONFIG_FAIL_PAGE_ALLOC (unless a task group uses `failNth`, which, as
/// `/proc/<pid>/fail-nth`, works through both capabilities with their defaults).
public struct FaultInjectionSpec: Sendable, Equatable {
    public var failslab: FailSlabSpec?
    public var failPageAlloc: FailPageAllocSpec?

    public init(failslab: FailSlabSpec? = nil, failPageAlloc: FailPageAllocSpec? = nil) {
        self.failslab = failslab
        self.failPageAlloc = failPageAlloc
    }

    public static let none = FaultInjectionSpec()

    public var isEmpty: Bool { failslab == nil && failPageAlloc == nil }
}
