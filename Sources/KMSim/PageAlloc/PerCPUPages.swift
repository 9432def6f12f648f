import Atomics

/// `struct per_cpu_pages` (include/linux/mmzone.h, 6.12): one per zone per CPU, a cache of free pages
/// of orders 0...3 that saves taking `&zone->lock` for every allocation and free.
///
/// Each CPU's set is one 192-byte block (`PerCPUPageSets`) laid out as the kernel's struct: first the
/// `&pcp->lock` word (`SpinLock(class:word:owner:)`), then this header (32 bytes), then the 12 list
/// heads (`NR_PCP_LISTS` = 3 migratetypes × 4 orders; kmsim has no THP lists). The lock, the counts and
/// the order-0 lists share the block's first 64-byte line, and no two CPUs share a line. Guarded by the
/// CPU's `&pcp->lock`; the header is a struct of its own so that whole-header copies never read the
/// lock word, which other CPUs' trylocks may be changing.
struct PerCPUPages {
    /// Pages on the lists (each order-n entry counts 1 << n).
    var count: Int32
    /// Free past this returns pages to the buddy lists; auto-tuned between `highMin` and `highMax`.
    var high: Int32
    var highMin: Int32
    var highMax: Int32
    /// Pages moved per refill or bulk free.
    var batch: Int32
    /// `PCPF_*` flags.
    var flags: UInt8
    /// Batch scaling while allocating without freeing (`alloc_factor`).
    var allocFactor: UInt8
    var expire: UInt8
    var unused: UInt8
    /// Consecutive frees (`free_count`).
    var freeCount: Int32
    /// Allocations served from these lists since the count was last folded into the zone's
    /// `pcpStats` (kmsim's, for the run report's hit rate; a plain increment on a line already written).
    var allocations: Int32

    /// Bytes per CPU: lock word, header and lists, padded to three cache lines.
    static let stride = 192
    static let alignment = 64
    /// Where, in a CPU's block, the lock word, this header and the lists lie.
    static let lockOffset = 0
    static let headerOffset = 8
    static let listsOffset = 40
    /// `NR_PCP_LISTS` without the THP lists.
    static let listCount = MigrateType.pcpTypes * (PageAllocator.costlyOrder + 1)

    /// `PCPF_PREV_FREE_HIGH_ORDER`.
    static let prevFreeHighOrder: UInt8 = 0x01
    /// `PCPF_FREE_HIGH_BATCH`.
    static let freeHighBatch: UInt8 = 0x02
    /// `CONFIG_PCP_BATCH_SCALE_MAX` default.
    static let batchScaleMax: Int32 = 5

    /// `order_to_pindex()`: `MIGRATE_PCPTYPES * order + migratetype`.
    @inline(__always)
    static func index(order: Int, migratetype: Int) -> Int { MigrateType.pcpTypes &* order &+ migratetype }

    /// `pindex_to_order()`.
    @inline(__always)
    static func order(ofIndex index: Int) -> Int { index / MigrateType.pcpTypes }
}

/// The per-CPU page sets of one zone: one `PerCPUPages.stride`-byte block per CPU, allocated once
/// and never moved (the `&pcp->lock` words inside are the locks' words). A class so that the zone and
/// each CPU's lock keep the memory alive, however they are torn down.
final class PerCPUPageSets: @unchecked Sendable {
    /// CPU `n`'s block at `base + n * PerCPUPages.stride`; its fields are guarded by its lock word.
    let base: UnsafeMutableRawPointer

    init(cpuCount: Int) {
        base = .allocate(byteCount: max(cpuCount, 1) * PerCPUPages.stride, alignment: PerCPUPages.alignment)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(cpuCount, 1) * PerCPUPages.stride)
        for cpu in 0..<cpuCount {
            (base + cpu * PerCPUPages.stride + PerCPUPages.headerOffset).bindMemory(to: PerCPUPages.self, capacity: 1)
            (base + cpu * PerCPUPages.stride + PerCPUPages.listsOffset)
                .bindMemory(to: PageList.self, capacity: PerCPUPages.listCount)
                .initialize(repeating: PageList(), count: PerCPUPages.listCount)
        }
    }

    deinit { base.deallocate() }

    /// CPU `cpu`'s `&pcp->lock` word.
    func lockWord(_ cpu: Int) -> UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage> {
        (base + cpu * PerCPUPages.stride + PerCPUPages.lockOffset).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: 1)
    }
}

/// The kernel's sizing of the per-CPU lists (mm/page_alloc.c, 6.12).
enum PerCPUPageSizing {
    /// `zone_batchsize()`: about 0.1 % of the zone or 1 MiB, whichever is smaller, divided by 4 and
    /// clamped to 2^n − 1 (power-of-two batches alias badly in caches); then
    /// `zone_set_pageset_high_and_batch()` takes `max(1, batch)`.
    static func batch(managedPages: Int) -> Int {
        var batch = min(managedPages >> 10, (1 << 20) / MachineSpec.pageSize)
        batch /= 4
        if batch < 1 { batch = 1 }
        batch = roundDownPowerOfTwo(batch + batch / 2) - 1
        return max(1, batch)
    }

    /// `zone_highsize()`: the zone's low watermark (`highFraction` 0) or `managed / highFraction`, split
    /// over the CPUs of the zone's node (all CPUs if the node has none), at least `batch * 4`.
    static func high(lowWatermark: Int, managedPages: Int, batch: Int, cpusOfNode: Int, onlineCPUs: Int,
                     highFraction: Int) -> Int {
        let total = highFraction == 0 ? lowWatermark : managedPages / highFraction
        let split = cpusOfNode > 0 ? cpusOfNode : onlineCPUs
        return max(total / max(split, 1), batch << 2)
    }

    /// `MIN_PERCPU_PAGELIST_HIGH_FRACTION`: `high_max` is managed / 8 split over the node's CPUs.
    static let minHighFraction = 8

    /// `rounddown_pow_of_two()`.
    static func roundDownPowerOfTwo(_ value: Int) -> Int {
        value <= 0 ? 0 : 1 << (Int.bitWidth - 1 - value.leadingZeroBitCount)
    }
}
