/// A booted simulated machine (the simulator's `start_kernel()` result): its spec, the page allocator
/// over every node's memory, the lock_stat registry and the bug-report log.
///
/// Each subsystem is its own type; Machine only wires them together. Every member is immutable and
/// itself thread-safe.
public final class Machine: Sendable {
    public let spec: MachineSpec
    public let pageAllocator: PageAllocator
    public let lockStat: LockStatRegistry
    /// The kernel log of "BUG: ..." reports and allocation failures.
    public let bugReports: BugReports
    /// Global vmstat counters (/proc/vmstat).
    public let vmstat: VMStat
    /// SLUB and the kmalloc caches.
    public let slab: SlabAllocator
    /// The might_sleep checker and its atomic-waits counter (`CONFIG_DEBUG_ATOMIC_SLEEP`).
    public let sleepDebug: AtomicSleepDebug
    /// The simulated CPUs (process sides, interrupt sides, IPIs).
    public let cpus: SimulatedCPUs
    /// LRU lists, kswapd, direct reclaim, shrinkers, the simulated tasks and the OOM killer.
    public let reclaim: PageReclaim
    /// vmalloc: the vmalloc range's areas, the kernel page tables mapping it, the CPUs' TLBs.
    public let vmalloc: Vmalloc
    /// kvmalloc/kvfree over `slab` and `vmalloc`.
    public let kvmalloc: KVMalloc
    /// failslab and fail_page_alloc (`faults:`), nil when the machine boots without fault injection.
    public let faults: FaultInjection?

    /// Boots `spec` on `host`: validates it, maps each node's memory (bound to its host node), builds
    /// the zones, watermarks and per-CPU lists. Throws for an invalid spec or when the host refuses the
    /// memory mappings.
    ///
    /// `managedPages` overrides zones' managed page counts (see `PageAllocator.init`). `slubDebug` is
    /// the boot option `slub_debug=`: its flags, for the caches named in `slubDebugCaches` or, when that
    /// is empty, for every cache. `reclaimConfig` sizes swap and the simulated I/O costs (nil: the
    /// defaults for the spec, `ReclaimConfig.defaults(for:)`). `faults` boots fault injection (the
    /// `failslab=` and `fail_page_alloc=` boot options and their debugfs settings); nil or inactive: none.
    public init(spec: MachineSpec, host: HostTopology = .current(), managedPages: [Int: [ZoneType: Int]] = [:],
                slubDebug: SlabFlags = [], slubDebugCaches: Set<String> = [],
                reclaimConfig: ReclaimConfig? = nil, faults: FaultInjectionConfig? = nil) throws {
        try spec.validate()
        self.spec = spec
        lockStat = LockStatRegistry(cpuCount: spec.cpuCount)
        bugReports = BugReports()
        vmstat = VMStat(cpuCount: spec.cpuCount, kernelThreads: spec.kernelThreadCount)
        let sleepDebug = AtomicSleepDebug(bugReports: bugReports)
        self.sleepDebug = sleepDebug
        var faultInjection: FaultInjection?
        if let faults, faults.isActive {
            faultInjection = FaultInjection(config: faults, cpuCount: spec.cpuCount, bugReports: bugReports,
                                            sleepDebug: sleepDebug)
        }
        self.faults = faultInjection
        pageAllocator = try PageAllocator(spec: spec, host: host, lockStat: lockStat, vmstat: vmstat,
                                          bugReports: bugReports, managedPages: managedPages,
                                          faultInjection: faultInjection)
        slab = SlabAllocator(pageAllocator: pageAllocator, cpuNodes: (0..<spec.cpuCount).map(spec.node(ofCPU:)),
                             nodeCount: spec.nodes, lockStat: lockStat, bugReports: bugReports,
                             debug: slubDebug, debugCaches: slubDebugCaches, faults: faultInjection,
                             tunables: spec.tunables)
        cpus = SimulatedCPUs(spec: spec, host: host, debug: sleepDebug, irqMask: lockStat.irqMask)
        reclaim = PageReclaim(allocator: pageAllocator, cpus: cpus, debug: sleepDebug, lockStat: lockStat,
                              config: reclaimConfig ?? .defaults(for: spec))
        pageAllocator.reclaimLink.attach(reclaim)
        vmalloc = try Vmalloc(pageAllocator: pageAllocator, vmstat: vmstat, bugReports: bugReports, lockStat: lockStat,
                              cpus: cpus, sleepDebug: sleepDebug)
        kvmalloc = KVMalloc(slab: slab, vmalloc: vmalloc)
        faultInjection?.arm()
    }

    deinit {
        reclaim.requestKswapdsStop()
        pageAllocator.reclaimLink.detach()
    }

    /// Stops the machine's kernel threads (each node's kswapd) so it can be released; call when done
    /// with a machine whose allocations may have woken kswapd.
    public func shutdown() async {
        await reclaim.stopKswapds()
    }

    /// The machine's invariants; empty when all hold: page conservation per zone, the slab census, the
    /// vmalloc areas and their mappings. Call while the machine is quiet (vmalloc's deferred work
    /// included: `vmalloc.waitForDeferredWork()`).
    public func checkInvariants() -> [String] {
        pageAllocator.checkInvariants() + slab.checkInvariants(pfnCount: spec.pagesPerNode * spec.nodes)
            + vmalloc.checkInvariants() + reclaim.lruvecs.flatMap { $0.checkInvariants(cpu: 0) }
    }
}
