import Atomics

/// `enum stat_item` of mm/slub.c (CONFIG_SLUB_STATS): the per-cache event counters shown in
/// /sys/kernel/slab/<cache>/<name>. The raw values are the column order of the run report.
public enum SlabStat: Int, CaseIterable, Sendable {
    case allocFastpath, allocSlowpath, freeFastpath, freeSlowpath, freeFrozen, freeAddPartial
    case freeRemovePartial, allocFromPartial, allocSlab, allocRefill, allocNodeMismatch, freeSlab
    case cpuslabFlush, deactivateFull, deactivateEmpty, deactivateToHead, deactivateToTail
    case deactivateRemoteFrees, deactivateBypass, orderFallback, cmpxchgDoubleCPUFail, cmpxchgDoubleFail
    case cpuPartialAlloc, cpuPartialFree, cpuPartialNode, cpuPartialDrain

    /// What the step costs on the virtual clock: SLUB's paths are charged where their `stat()` counts
    /// them, so the cost model follows the same events /sys/kernel/slab reports. Steps under
    /// `&n->list_lock` are charged by the lock itself (`VirtualLockState.holdCost`).
    var virtualCost: VirtualCost? {
        switch self {
        case .allocFastpath: .slubAllocFast
        case .freeFastpath: .slubFreeFast
        case .allocSlowpath, .cpuPartialAlloc: .slubRefillCPU
        case .freeSlowpath: .slubFreeSlow
        case .allocSlab: .slubNewSlab
        case .freeFrozen: .lineTransfer
        default: nil
        }
    }

    /// The sysfs file name (`alloc_fastpath`, `cpu_partial_free`...).
    public var kernelName: String {
        switch self {
        case .allocFastpath: return "alloc_fastpath"
        case .allocSlowpath: return "alloc_slowpath"
        case .freeFastpath: return "free_fastpath"
        case .freeSlowpath: return "free_slowpath"
        case .freeFrozen: return "free_frozen"
        case .freeAddPartial: return "free_add_partial"
        case .freeRemovePartial: return "free_remove_partial"
        case .allocFromPartial: return "alloc_from_partial"
        case .allocSlab: return "alloc_slab"
        case .allocRefill: return "alloc_refill"
        case .allocNodeMismatch: return "alloc_node_mismatch"
        case .freeSlab: return "free_slab"
        case .cpuslabFlush: return "cpuslab_flush"
        case .deactivateFull: return "deactivate_full"
        case .deactivateEmpty: return "deactivate_empty"
        case .deactivateToHead: return "deactivate_to_head"
        case .deactivateToTail: return "deactivate_to_tail"
        case .deactivateRemoteFrees: return "deactivate_remote_frees"
        case .deactivateBypass: return "deactivate_bypass"
        case .orderFallback: return "order_fallback"
        case .cmpxchgDoubleCPUFail: return "cmpxchg_double_cpu_fail"
        case .cmpxchgDoubleFail: return "cmpxchg_double_fail"
        case .cpuPartialAlloc: return "cpu_partial_alloc"
        case .cpuPartialFree: return "cpu_partial_free"
        case .cpuPartialNode: return "cpu_partial_node"
        case .cpuPartialDrain: return "cpu_partial_drain"
        }
    }
}

/// The per-CPU `stat()` counters of one cache (`struct kmem_cache_cpu.stat[]`), summed when read.
///
/// The kernel bumps them with `raw_cpu_inc`, one non-atomic-RMW instruction that an interrupt cannot
/// split. Here a CPU's process side and interrupt side are two host threads, so each simulated CPU has
/// two rows, one per side, and each row has exactly one writer (the CPU's serial process queue or its
/// serial IRQ queue). A bump is then a relaxed load and a relaxed store, plain `mov`s on x86, with no
/// lost updates; readers on other threads see relaxed values, exact once the CPU is quiet.
/// Synchronisation: all cells are touched only through `UnsafeAtomic` (relaxed); the storage pointer is
/// immutable and freed in `deinit`, hence `@unchecked Sendable`.
final class SlabStatCounters: @unchecked Sendable {
    let cpuCount: Int
    let rowStride: Int
    let base: UnsafeMutableRawPointer
    /// The virtual clock each counted step charges its cost to (`virtualCost`), nil on the real engine.
    let virtualClock: VirtualClock?

    init(cpuCount: Int) {
        self.cpuCount = cpuCount
        virtualClock = VirtualClock.booting
        let rowBytes = SlabStat.allCases.count * 8
        rowStride = (rowBytes + 127) / 128 * 128
        base = UnsafeMutableRawPointer.allocate(byteCount: 2 * cpuCount * rowStride, alignment: 128)
        base.initializeMemory(as: UInt64.self, repeating: 0, count: 2 * cpuCount * rowStride / 8)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func cell(_ item: SlabStat, row: Int) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: (base + (row &* rowStride &+ item.rawValue &* 8))
            .assumingMemoryBound(to: UInt64.AtomicRepresentation.self))
    }

    /// `stat(s, item)` from `context`: the row of its CPU and side.
    @inline(__always)
    func bump(_ item: SlabStat, _ context: ExecutionContext, by delta: UInt64 = 1) {
        let row = context.cpu &<< 1 | (context.kind == .task ? 0 : 1)
        let counter = cell(item, row: row)
        counter.store(counter.load(ordering: .relaxed) &+ delta, ordering: .relaxed)
        if let virtualClock, let cost = item.virtualCost { virtualClock.charge(cost) }
    }

    /// The sum of `item` over every CPU and side.
    func sum(_ item: SlabStat) -> UInt64 {
        var total: UInt64 = 0
        for row in 0..<(2 * cpuCount) { total &+= cell(item, row: row).load(ordering: .relaxed) }
        return total
    }

    /// `item` on one CPU, both sides together (the `C<cpu>=<n>` parts of the sysfs file).
    func value(_ item: SlabStat, cpu: Int) -> UInt64 {
        cell(item, row: 2 * cpu).load(ordering: .relaxed) &+ cell(item, row: 2 * cpu + 1).load(ordering: .relaxed)
    }
}

extension KMemCache {
    /// Every `stat()` counter of the cache summed over CPUs, in `SlabStat` order, for the run report.
    public var statistics: [(stat: SlabStat, value: UInt64)] {
        SlabStat.allCases.map { ($0, stats.sum($0)) }
    }

    /// Remote frees: frees into a slab that another CPU has frozen as its CPU slab (FREE_FROZEN), the
    /// frees that a CPU-local allocator design would have had to send back to the owning CPU.
    public var remoteFrees: UInt64 { stats.sum(.freeFrozen) }
}
