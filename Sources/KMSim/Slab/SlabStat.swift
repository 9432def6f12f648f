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
/// split. Here a CPU's process side and interrupt side are two host threads, and kswapd and kcompactd
/// (which may free objects, through a shrinker) run on host threads of their own, so the counters live
/// in a `PerCPUCounters` block with a row per execution context (`PerCPUCounters.row(of:)`): each row has
/// exactly one writer, and a bump is a relaxed load and a relaxed store, plain `mov`s on x86, with no lost
/// updates. Readers on other threads see relaxed values, exact once the CPUs are quiet.
final class SlabStatCounters: Sendable {
    let counters: PerCPUCounters
    /// `counters`' cells, for `bump` (see `PerCPUCounters.Cells`).
    let cells: PerCPUCounters.Cells
    let cpuCount: Int
    /// The CPU each kernel thread's row is reported under (`kernelThreadCPUs[k]` for kernel thread `k`):
    /// the CPU it runs beside, as the kernel counts a kswapd's frees on the CPU it ran on.
    let kernelThreadCPUs: [Int]
    /// The virtual clock each counted step charges its cost to (`virtualCost`), nil on the real engine.
    let virtualClock: VirtualClock?

    /// Counters for `cpuCount` CPUs and the kernel threads of `kernelThreadCPUs`.
    init(cpuCount: Int, kernelThreadCPUs: [Int]) {
        self.cpuCount = cpuCount
        self.kernelThreadCPUs = kernelThreadCPUs
        counters = PerCPUCounters(cpuCount: PerCPUCounters.rows(cpuCount: cpuCount, kernelThreads: kernelThreadCPUs.count),
                                  counters: SlabStat.allCases.count)
        cells = counters.cells
        virtualClock = VirtualClock.booting
    }

    /// `stat(s, item)` from `context`: the row of its CPU and side, or of its kernel thread.
    @inline(__always)
    func bump(_ item: SlabStat, _ context: ExecutionContext, by delta: UInt64 = 1) {
        cells.addSingleWriter(item.rawValue, Int64(bitPattern: delta), row: PerCPUCounters.row(of: context))
        if let virtualClock, let cost = item.virtualCost { virtualClock.charge(cost) }
    }

    /// The sum of `item` over every CPU, side and kernel thread.
    func sum(_ item: SlabStat) -> UInt64 {
        UInt64(bitPattern: counters.sum(item.rawValue))
    }

    /// `item` on one CPU: its sides and the kernel threads that run beside it (the `C<cpu>=<n>` parts of
    /// the sysfs file, which add up to the total as the kernel's do).
    func value(_ item: SlabStat, cpu: Int) -> UInt64 {
        var total: Int64 = 0
        for side in 0..<PerCPUCounters.contextRows {
            total &+= counters.value(item.rawValue, cpu: cpu * PerCPUCounters.contextRows + side)
        }
        for (thread, threadCPU) in kernelThreadCPUs.enumerated() where threadCPU == cpu {
            total &+= counters.value(item.rawValue, cpu: PerCPUCounters.kernelThreadRow(thread, cpuCount: cpuCount))
        }
        return UInt64(bitPattern: total)
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
