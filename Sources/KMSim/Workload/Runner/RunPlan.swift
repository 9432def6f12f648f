/// A `WorkloadSpec` compiled for the runner: flat tables of operations and report classes, so the hot
/// loop indexes arrays instead of walking the spec.
///
/// A *report class* is what the run report has one row for: context kind × GFP mask in effect (after
/// `current_gfp_context()`, so a GFP_KERNEL allocation inside `memalloc_nofs_save()` is a GFP_NOFS row)
/// × API. Its index selects the operation and failure counters.
struct RunPlan: Sendable {
    /// One kind of allocation call: which API, what size, which mask, which cache.
    struct Operation: Sendable {
        var api: AllocationAPI
        var size: SizeDistribution
        var gfp: GFPFlags
        /// Index in `RunPlan.caches` for `kmemCache`.
        var cache: Int?
    }

    /// One row of the report.
    struct ReportClass: Sendable, Hashable {
        var kind: ExecutionContext.Kind
        /// The mask in effect.
        var gfp: GFPFlags
        var api: AllocationAPI
    }

    /// A task group: the mix as cumulative weights over operations, and the class of each mix entry
    /// under each scope (index 0: no scope; 1...: `scoped[i - 1]`).
    struct Group: Sendable {
        var spec: TaskGroupSpec
        var cpus: [Int]
        var operations: [Int]
        var cumulativeWeights: [Double]
        /// `classes[scope][entry]`.
        var classes: [[Int]]
        /// Cumulative fractions of the scoped sections (an operation is in at most one).
        var scopeThresholds: [Double]
        /// CPUs that may free this group's objects remotely, per allocating CPU.
        var remoteTargets: [Int: [Int]]

        /// The mix entry of one operation, drawn by weight (no draw for a one-entry mix).
        @inline(__always)
        func pickEntry(using generator: inout SplitMix64) -> Int {
            guard cumulativeWeights.count > 1, let total = cumulativeWeights.last else { return 0 }
            let pick = generator.nextUnitDouble() * total
            var entry = 0
            while entry < cumulativeWeights.count - 1 && pick >= cumulativeWeights[entry] { entry += 1 }
            return entry
        }

        /// The scope one operation runs in: 0 outside every scoped section, `i + 1` inside `spec.scoped[i]`
        /// (no draw when the group has none).
        @inline(__always)
        func pickScope(using generator: inout SplitMix64) -> Int {
            guard !scopeThresholds.isEmpty else { return 0 }
            let pick = generator.nextUnitDouble()
            guard let index = scopeThresholds.firstIndex(where: { pick < $0 }) else { return 0 }
            return index + 1
        }
    }

    /// One allocation an interrupt handler makes.
    struct HandlerAllocation: Sendable {
        var operation: Int
        var reportClass: Int
        var count: Int
        var freedBy: HandlerFree
        /// The lifetime a receiving task applies (`task(after:)`, `remoteCPU(after:)`).
        var lifetime: Lifetime?
    }

    /// An interrupt source: where, how often, in which context, allocating what.
    struct InterruptSource: Sendable {
        var spec: InterruptSourceSpec
        var cpus: [Int]
        var allocations: [Int]
    }

    /// A deliberate bug and the class its allocation is counted under.
    struct Bug: Sendable {
        var spec: DeliberateBugSpec
        var cpus: [Int]
        var reportClass: Int
    }

    var machine: MachineSpec
    var operations: [Operation] = []
    var classes: [ReportClass] = []
    /// `sizeClasses[class]`: the latency size classes its allocations can fall in.
    var sizeClasses: [Set<AllocationSizeClass>] = []
    /// `latencySlotBases[class]`: `LatencyKey.slotBase` of its context kind and GFP class, where its
    /// allocations' latencies are recorded (plus the size class).
    var latencySlotBases: [Int] = []
    var caches: [KmemCacheSpec] = []
    var groups: [Group] = []
    var handlerAllocations: [HandlerAllocation] = []
    var interrupts: [InterruptSource] = []
    var bugs: [Bug] = []

    init(spec: WorkloadSpec) {
        machine = spec.machine
        var classIndex: [ReportClass: Int] = [:]
        func reportClass(_ kind: ExecutionContext.Kind, _ gfp: GFPFlags, _ api: AllocationAPI) -> Int {
            let key = ReportClass(kind: kind, gfp: gfp, api: api)
            if let index = classIndex[key] { return index }
            classIndex[key] = classes.count
            classes.append(key)
            sizeClasses.append([])
            latencySlotBases.append(LatencyKey.slotBase(kind: kind, gfpClass: GFPClass(gfp)))
            return classes.count - 1
        }
        func noting(_ index: Int, _ allocation: AllocationSpec) -> Int {
            sizeClasses[index].formUnion(Self.sizeClasses(of: allocation))
            return index
        }
        func operation(_ allocation: AllocationSpec) -> Int {
            var cache: Int?
            if let cacheSpec = allocation.cache {
                cache = caches.firstIndex(of: cacheSpec) ?? {
                    caches.append(cacheSpec)
                    return caches.count - 1
                }()
            }
            operations.append(Operation(api: allocation.api, size: allocation.size, gfp: allocation.gfp.flags, cache: cache))
            return operations.count - 1
        }

        let machine = spec.machine
        for group in spec.taskGroups {
            let entries = group.mix
            guard !entries.isEmpty else { continue }
            let operationIndices = entries.map { operation($0.allocation) }
            var total = 0.0
            let cumulative = entries.map { entry -> Double in
                total += entry.weight
                return total
            }
            var scopes = [TaskFlags()]
            scopes += group.scoped.map { $0.kind.taskFlag }
            let classes = scopes.map { flags in
                entries.map { entry -> Int in
                    let context = ExecutionContext(cpu: 0, kind: .task, taskFlags: flags)
                    return noting(reportClass(.task, context.currentGFPContext(entry.allocation.gfp.flags), entry.allocation.api),
                                  entry.allocation)
                }
            }
            var threshold = 0.0
            let thresholds = group.scoped.map { section -> Double in
                threshold += section.fraction
                return threshold
            }
            let cpus = group.cpus.cpus(on: machine)
            var targets: [Int: [Int]] = [:]
            if group.remoteFree.fraction > 0 {
                let pool = (group.remoteFree.cpus ?? .all).cpus(on: machine)
                for cpu in cpus { targets[cpu] = pool.filter { $0 != cpu } }
            }
            groups.append(Group(spec: group, cpus: cpus, operations: operationIndices, cumulativeWeights: cumulative,
                                classes: classes, scopeThresholds: thresholds, remoteTargets: targets))
        }

        for source in spec.interrupts {
            var allocations: [Int] = []
            for handler in source.allocations {
                let lifetime: Lifetime?
                switch handler.freedBy {
                case .handler: lifetime = nil
                case .task(let after): lifetime = after
                case .remoteCPU(_, let after): lifetime = after
                }
                handlerAllocations.append(HandlerAllocation(
                    operation: operation(handler.allocation),
                    reportClass: noting(reportClass(source.context, handler.allocation.gfp.flags, handler.allocation.api),
                                        handler.allocation),
                    count: handler.count, freedBy: handler.freedBy, lifetime: lifetime))
                allocations.append(handlerAllocations.count - 1)
            }
            if !allocations.isEmpty {
                interrupts.append(InterruptSource(spec: source, cpus: source.cpus.cpus(on: machine), allocations: allocations))
            }
        }

        for bug in spec.bugs {
            let context: ExecutionContext.Kind = bug.kind == .sleepingAllocInIRQ ? .hardirq : .task
            let gfp: GFPFlags = bug.kind == .sleepingAllocInIRQ ? bug.gfp.flags : .kernel
            let allocation = AllocationSpec(api: .kmalloc, size: .fixed(bug.size), gfp: GFPSpec(expression: "", flags: gfp))
            bugs.append(Bug(spec: bug, cpus: bug.cpus.cpus(on: machine),
                            reportClass: noting(reportClass(context, gfp, .kmalloc), allocation)))
        }
    }

    /// The latency size classes (`AllocationSizeClass`) an allocation's sizes fall in.
    static func sizeClasses(of allocation: AllocationSpec) -> Set<AllocationSizeClass> {
        let low = Int(clamping: allocation.size.minimum)
        let high = Int(clamping: allocation.size.maximum)
        switch allocation.api {
        case .allocPages:
            return Set((low...max(low, high)).map { AllocationSizeClass.pages(order: $0) })
        case .kmemCache:
            return [.slab(size: Int(clamping: allocation.cache?.objectSize ?? allocation.size.minimum))]
        case .kmalloc:
            return kmallocSizeClasses(low, high)
        case .vmalloc:
            return vmallocSizeClasses(low, high)
        case .kvmalloc:
            return kmallocSizeClasses(low, high).union(vmallocSizeClasses(max(low, 4097), max(high, 4097)))
        }
    }

    /// ceil(log2) buckets from `a` to `b`.
    static func log2Range(_ a: Int, _ b: Int) -> ClosedRange<Int> {
        AllocationSizeClass.ceilLog2(a)...max(AllocationSizeClass.ceilLog2(a), AllocationSizeClass.ceilLog2(b))
    }

    /// kmalloc of `low...high` bytes: slab buckets up to `KMALLOC_MAX_CACHE_SIZE`, `kmalloc_large` orders above.
    static func kmallocSizeClasses(_ low: Int, _ high: Int) -> Set<AllocationSizeClass> {
        var classes: Set<AllocationSizeClass> = []
        let cacheMax = KmallocSizes.maxCacheSize
        if low <= cacheMax {
            for bucket in log2Range(max(low, 1), min(high, cacheMax)) { classes.insert(.init(api: .slab, bucket: bucket)) }
        }
        if high > cacheMax {
            let pages = { (bytes: Int) in (bytes + 4095) / 4096 }
            for order in log2Range(pages(max(low, cacheMax + 1)), pages(high)) { classes.insert(.kmallocLarge(order: order)) }
        }
        return classes
    }

    /// vmalloc of `low...high` bytes: ceil(log2(pages)) buckets.
    static func vmallocSizeClasses(_ low: Int, _ high: Int) -> Set<AllocationSizeClass> {
        let pages = { (bytes: Int) in max(1, (bytes + 4095) / 4096) }
        return Set(log2Range(pages(low), pages(high)).map { AllocationSizeClass(api: .vmalloc, bucket: $0) })
    }

    /// The CPUs a handler allocation made on `cpu` is handed to (empty: freed in the handler).
    func handlerTargets(_ index: Int, cpu: Int, cpuCount: Int) -> [Int] {
        switch handlerAllocations[index].freedBy {
        case .handler: return []
        case .task: return [cpu]
        case .remoteCPU(let selection, _):
            return (selection ?? .all).cpus(on: machine).filter { $0 != cpu }
        }
    }
}
