import Atomics
import Synchronization

/// What a machine boots its fault injection from: the `faults:` settings, the run's seed (every random
/// draw comes from it, so a run repeats) and whether some task will write `fail-nth`.
public struct FaultInjectionConfig: Sendable, Equatable {
    public var spec: FaultInjectionSpec
    public var seed: UInt64
    /// Some task group sets `failNth`: both hooks are then installed, with their defaults where the
    /// spec leaves a capability out, as `/proc/<pid>/fail-nth` works through every fault point.
    public var usesFailNth: Bool

    public init(spec: FaultInjectionSpec, seed: UInt64, usesFailNth: Bool = false) {
        self.spec = spec
        self.seed = seed
        self.usesFailNth = usesFailNth
    }

    /// Whether anything needs a hook; a machine without one carries no fault injection at all.
    public var isActive: Bool { !spec.isEmpty || usesFailNth }
}

/// The machine's fault injection: `failslab` (mm/failslab.c, `should_failslab()`) and
/// `fail_page_alloc` (mm/fail_page_alloc.c, `__should_fail_alloc_page()`), both deciding through
/// `should_fail_ex()` (`FaultAttr`), plus what the kernel keeps in `task_struct` for them
/// (`make_it_fail`, `fail_nth`) and the counts of what was injected where.
///
/// The allocators hold it as an optional fixed at boot (nil without fault injection), so a run without
/// it pays one predictable branch per allocation.
///
/// Synchronisation: the settings are immutable; `armed` is an `Atomic`; the task table, the per-CPU random states, the marks
/// and the site counters are `UnsafeAtomic` cells (or `AtomicCounterArray`s) allocated in `init` and
/// freed in `deinit`; the log is `BugReports` (a mutex). Hence `@unchecked Sendable`.
public final class FaultInjection: @unchecked Sendable {
    let failslab: FaultAttr
    let failPageAlloc: FaultAttr
    let failslabSpec: FailSlabSpec
    let failPageAllocSpec: FailPageAllocSpec
    /// Whether each hook is installed (its capability configured, or `fail-nth` in use).
    public let hooksSlab: Bool
    public let hooksPages: Bool
    let cpuCount: Int
    let bugReports: BugReports
    let sleepDebug: AtomicSleepDebug
    /// Per-task cells by pid (pids below `pidCapacity`): `fail_nth` (remaining calls) and
    /// `make_it_fail` (0/1).
    let failNth: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    let makeItFail: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    /// Injections per caller slot (a task's pid, or a CPU's context kind), for the runner to tell an
    /// injected NULL from a genuine one (`takeInjected`).
    let marks: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    /// Per-CPU random states, one 128-byte line each (the kernel's per-CPU `fault_rnd_state`).
    let random: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    static let randomStride = 16
    /// Injections by site: slab cache id × GFP class, and page order × GFP class.
    let slabSites: AtomicCounterArray
    let pageSites: AtomicCounterArray
    static let gfpClasses = GFPClass.allCases.count

    /// Set once the machine has booted (`Machine.init` ends with `arm()`): the boot's own allocations
    /// (the kernel page tables, which a kernel takes from memblock) are not fault points.
    let armed = Atomic<Bool>(false)

    /// Tasks whose pid is below this get their own `fail-nth`, `make-it-fail` and mark.
    public static let pidCapacity = 1 << 16

    init(config: FaultInjectionConfig, cpuCount: Int, bugReports: BugReports, sleepDebug: AtomicSleepDebug) {
        failslabSpec = config.spec.failslab ?? FailSlabSpec()
        failPageAllocSpec = config.spec.failPageAlloc ?? FailPageAllocSpec()
        failslab = FaultAttr(name: "failslab", spec: failslabSpec.attr)
        failPageAlloc = FaultAttr(name: "fail_page_alloc", spec: failPageAllocSpec.attr)
        hooksSlab = config.spec.failslab != nil || config.usesFailNth
        hooksPages = config.spec.failPageAlloc != nil || config.usesFailNth
        self.cpuCount = max(cpuCount, 1)
        self.bugReports = bugReports
        self.sleepDebug = sleepDebug
        failNth = .allocate(capacity: Self.pidCapacity)
        failNth.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: Self.pidCapacity)
        makeItFail = .allocate(capacity: Self.pidCapacity)
        makeItFail.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: Self.pidCapacity)
        let markCount = Self.pidCapacity + self.cpuCount * ExecutionContext.Kind.allCases.count
        marks = .allocate(capacity: markCount)
        marks.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: markCount)
        random = .allocate(capacity: self.cpuCount * Self.randomStride)
        random.initialize(repeating: UnsafeAtomic<UInt64>.Storage(0), count: self.cpuCount * Self.randomStride)
        for cpu in 0..<self.cpuCount {
            var seeder = SplitMix64(seed: config.seed ^ 0xFA17_5EED_0000_0000 &+ UInt64(cpu) &* 0xD1B5_4A32_D192_ED03)
            UnsafeAtomic<UInt64>(at: random + cpu * Self.randomStride).store(seeder.next(), ordering: .relaxed)
        }
        slabSites = AtomicCounterArray(count: SlabEnvironment.maxCaches * Self.gfpClasses)
        pageSites = AtomicCounterArray(count: (PageAllocator.maxOrder + 1) * Self.gfpClasses)
    }

    deinit {
        failNth.deallocate()
        makeItFail.deallocate()
        marks.deallocate()
        random.deallocate()
    }

    /// Makes the hooks live: the machine has booted.
    func arm() { armed.store(true, ordering: .relaxed) }

    // MARK: The hooks

    /// `should_failslab()` (mm/failslab.c): never for `__GFP_NOFAIL`; not for `__GFP_DIRECT_RECLAIM`
    /// under `ignore-gfp-wait`; only marked caches under `cache-filter`; then `should_fail_ex()` with the
    /// object size, quietly for `__GFP_NOWARN`.
    func shouldFailSlab(_ cache: KMemCache, gfp: GFPFlags, context: ExecutionContext) -> Bool {
        guard armed.load(ordering: .relaxed) else { return false }
        if gfp.contains(.noFail) { return false }
        if failslabSpec.ignoreGFPWait && gfp.contains(.directReclaim) { return false }
        if failslabSpec.cacheFilter && !cache.flags.contains(.failslab) { return false }
        guard failslab.shouldFail(size: cache.objectSize, noWarn: gfp.contains(.noWarn), context: context, faults: self)
        else { return false }
        let id = cache.id < SlabEnvironment.maxCaches ? cache.id : 0
        slabSites.add(id * Self.gfpClasses + GFPClass(gfp).rawValue, 1)
        mark(context)
        return true
    }

    /// `__should_fail_alloc_page()` (mm/fail_page_alloc.c): not below `min-order`; never for
    /// `__GFP_NOFAIL`; not for `__GFP_HIGHMEM` under `ignore-gfp-highmem` nor `__GFP_DIRECT_RECLAIM`
    /// under `ignore-gfp-wait`; then `should_fail_ex()` with `1 << order` (pages, as the kernel passes
    /// it), quietly for `__GFP_NOWARN`.
    func shouldFailAllocPage(gfp: GFPFlags, order: Int, context: ExecutionContext) -> Bool {
        guard armed.load(ordering: .relaxed) else { return false }
        if order < failPageAllocSpec.minOrder { return false }
        if gfp.contains(.noFail) { return false }
        if failPageAllocSpec.ignoreGFPHighmem && gfp.contains(.highMem) { return false }
        if failPageAllocSpec.ignoreGFPWait && gfp.contains(.directReclaim) { return false }
        guard failPageAlloc.shouldFail(size: 1 << order, noWarn: gfp.contains(.noWarn), context: context, faults: self)
        else { return false }
        pageSites.add(min(max(order, 0), PageAllocator.maxOrder) * Self.gfpClasses + GFPClass(gfp).rawValue, 1)
        mark(context)
        return true
    }

    /// Whether the cache called `name` gets SLAB_FAILSLAB (`echo 1 > /sys/kernel/slab/<name>/failslab`).
    func marksFailslab(_ name: String) -> Bool { failslabSpec.caches.contains(name) }

    // MARK: Random draws

    /// `get_random_u32_below(100)` from the CPU's seeded SplitMix64 stream: the state advances with one
    /// atomic add, so the draw needs no lock and a run on the virtual clock repeats exactly.
    func randomBelow100(cpu: Int) -> Int {
        let row = cpu >= 0 && cpu < cpuCount ? cpu : 0
        let state = UnsafeAtomic<UInt64>(at: random + row * Self.randomStride)
            .wrappingIncrementThenLoad(by: 0x9E37_79B9_7F4A_7C15, ordering: .relaxed)
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(truncatingIfNeeded: ((z >> 32) &* 100) >> 32)
    }

    // MARK: The log

    /// `fail_dump()` at verbose 1 or 2: the two `FAULT_INJECTION` lines with the attribute's settings and
    /// what is left of `space` and `times` (before this failure uses one); at verbose 2 `dump_stack()`.
    func dump(_ attr: FaultAttr, context: ExecutionContext) {
        var text = "FAULT_INJECTION: forcing a failure.\n"
            + "name \(attr.name), interval \(attr.interval), probability \(attr.probability), "
            + "space \(attr.spaceLeft), times \(attr.timesLeft)\n"
        if attr.verbose > 1 {
            let hook = attr === failslab ? "should_failslab" : "should_fail_alloc_page"
            let caller = attr === failslab ? "slab_alloc_node" : "__alloc_pages_noprof"
            let (open, close) = context.kind == .task ? ("<TASK>", "</TASK>") : ("<IRQ>", "</IRQ>")
            text += sleepDebug.dumpStackInfo(context: context) + "\n"
                + "Call Trace:\n \(open)\n dump_stack_lvl+0x0/0x0\n should_fail_ex+0x0/0x0\n \(hook)+0x0/0x0\n"
                + " \(caller)+0x0/0x0\n \(close)\n"
        }
        bugReports.record(.faultInjection, text)
    }
}

extension BugKind {
    /// `fail_dump()`: "FAULT_INJECTION: forcing a failure." (not a bug: the failure was asked for).
    public static let faultInjection = BugKind("fault_injection")
}
