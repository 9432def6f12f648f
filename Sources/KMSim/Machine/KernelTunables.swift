/// The page allocator's and SLUB's tunables a workload may set under `machine:`, with the kernel's names
/// and, when left out, the kernel's defaults (each a formula the kernel evaluates at boot).
///
/// - `percpuPagelistHighFraction`: `vm.percpu_pagelist_high_fraction` (mm/page_alloc.c). 0, the default,
///   lets `zone_set_pageset_high_and_batch()` size `high` from the low watermark and tune it between
///   `high_min` and `high_max` (managed / 8); N >= 8 fixes `high` at managed / N split over the node's
///   CPUs (`zone_highsize()`), with auto-tuning off (`high_min == high_max`).
/// - `pcpBatch`: kmsim's override of `zone_batchsize()` (Linux has had no batch sysctl since
///   `percpu_pagelist_fraction` was removed in 5.14); nil keeps the kernel's formula. Each zone clamps it
///   so 4 × batch on every CPU of its node stays within managed / 8 (`Zone.setupPageset`).
/// - `slubMinObjects`, `slubMinOrder`, `slubMaxOrder`: the `slub_min_objects=`, `slub_min_order=` and
///   `slub_max_order=` boot parameters `calculate_order()` (mm/slub.c) reads; 0, 0 and
///   PAGE_ALLOC_COSTLY_ORDER (3) by default, slub_min_objects 0 meaning 4 × (fls(nr_cpus) + 1).
/// - `cpuPartial`: `/sys/kernel/slab/<cache>/cpu_partial` (objects), by kmalloc cache name, or for every
///   cache; a cache without an entry gets `set_cpu_partial()`'s size-based default (120, 52, 24 or 6).
/// - `watermarkBoostFactor`: `vm.watermark_boost_factor` (mm/page_alloc.c, default 15000): how far
///   `boost_watermark()` may raise a zone's watermarks after fragmenting fallbacks, in units of 1/10000
///   of its high watermark (15000: up to 150 %); 0 turns boosting off.
public struct KernelTunables: Sendable, Equatable, Codable {
    /// `MIN_PERCPU_PAGELIST_HIGH_FRACTION`.
    public static let minHighFraction = 8
    /// `MAX_PAGE_ORDER`.
    public static let maxPageOrder = 10
    /// Upper bound kmsim accepts for `pcpBatch` and `cpuPartial` (the kernel's are unsigned ints; these
    /// keep the simulated lists to sizes a node can hold).
    public static let maxBatch = 1 << 16
    public static let maxCPUPartial = 1 << 20
    /// `watermark_boost_factor`'s default.
    public static let defaultWatermarkBoostFactor = 15000

    public var percpuPagelistHighFraction = 0
    public var pcpBatch: Int?
    public var slubMinObjects = 0
    public var slubMinOrder = 0
    public var slubMaxOrder = 3
    /// `cpu_partial` for every cache without its own entry in `cpuPartialByCache`.
    public var cpuPartialAll: Int?
    /// `cpu_partial` by cache name (`kmalloc-64`, `kmalloc-rcl-1k`).
    public var cpuPartialByCache: [String: Int] = [:]
    public var watermarkBoostFactor = KernelTunables.defaultWatermarkBoostFactor

    public init() {}

    /// The `cpu_partial` set for `cache`, nil for the kernel's default.
    public func cpuPartial(forCache cache: String) -> Int? {
        cpuPartialByCache[cache] ?? cpuPartialAll
    }

    /// Throws for the first tunable out of the kernel's range, naming it as the workload key.
    public func validate() throws(MachineSpecError) {
        let fraction = percpuPagelistHighFraction
        guard fraction == 0 || (Self.minHighFraction...Int(Int32.max)).contains(fraction) else {
            throw MachineSpecError(field: "percpuPagelistHighFraction",
                                   message: "must be 0 (the default: high from the low watermark, auto-tuned) or at least \(Self.minHighFraction) (MIN_PERCPU_PAGELIST_HIGH_FRACTION), got \(fraction)")
        }
        if let pcpBatch, !(1...Self.maxBatch).contains(pcpBatch) {
            throw MachineSpecError(field: "pcpBatch", message: "must be within 1...\(Self.maxBatch), got \(pcpBatch)")
        }
        guard (0...Self.maxCPUPartial).contains(slubMinObjects) else {
            throw MachineSpecError(field: "slubMinObjects", message: "must be within 0...\(Self.maxCPUPartial) (0: 4 × (fls(nr_cpus) + 1)), got \(slubMinObjects)")
        }
        guard (0...Self.maxPageOrder).contains(slubMinOrder) else {
            throw MachineSpecError(field: "slubMinOrder", message: "must be within 0...\(Self.maxPageOrder) (MAX_PAGE_ORDER), got \(slubMinOrder)")
        }
        guard (0...Self.maxPageOrder).contains(slubMaxOrder) else {
            throw MachineSpecError(field: "slubMaxOrder", message: "must be within 0...\(Self.maxPageOrder) (MAX_PAGE_ORDER), got \(slubMaxOrder)")
        }
        guard slubMinOrder <= slubMaxOrder else {
            throw MachineSpecError(field: "slubMinOrder", message: "must not be above slubMaxOrder (\(slubMaxOrder)), got \(slubMinOrder)")
        }
        if let cpuPartialAll, !(0...Self.maxCPUPartial).contains(cpuPartialAll) {
            throw MachineSpecError(field: "cpuPartial", message: "must be within 0...\(Self.maxCPUPartial) objects, got \(cpuPartialAll)")
        }
        guard (0...Int(Int32.max)).contains(watermarkBoostFactor) else {
            throw MachineSpecError(field: "watermarkBoostFactor", message: "must be within 0...\(Int32.max) (vm.watermark_boost_factor, 0: no boosting), got \(watermarkBoostFactor)")
        }
        for (cache, objects) in cpuPartialByCache.sorted(by: { $0.key < $1.key }) where !(0...Self.maxCPUPartial).contains(objects) {
            throw MachineSpecError(field: "cpuPartial.\(cache)", message: "must be within 0...\(Self.maxCPUPartial) objects, got \(objects)")
        }
    }
}
