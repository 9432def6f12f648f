import Atomics
import Synchronization

/// The compaction fields of `struct zone` (include/linux/mmzone.h): the scanners' cached positions
/// (`compact_cached_free_pfn`, `compact_cached_migrate_pfn[2]` for async and sync runs), deferral
/// (`compact_considered`, `compact_defer_shift`, `compact_order_failed`), `compact_blockskip_flush`,
/// and each pageblock's `PB_migrate_skip` bit.
///
/// Synchronisation: the kernel reads and writes these without a lock (they are hints; a lost update
/// costs a rescan or a deferral step), so every field is a relaxed atomic, and the skip bits are
/// atomic bytes in storage allocated in `init` and freed in `deinit`; hence `@unchecked Sendable`.
final class ZoneCompactionState: @unchecked Sendable {
    /// `COMPACT_MAX_DEFER_SHIFT`: at most 1 << 6 = 64 attempts are skipped after failures.
    static let maxDeferShift = 6

    let startPFN: PFN
    /// The end of the zone's managed pages (kmsim's zones have no holes: the span's first
    /// `managedPages` frames are the memory).
    let endPFN: PFN
    let cachedFreePFN = Atomic<Int>(0)
    let cachedMigratePFNAsync = Atomic<Int>(0)
    let cachedMigratePFNSync = Atomic<Int>(0)
    let considered = Atomic<Int>(0)
    let deferShift = Atomic<Int>(0)
    let orderFailed = Atomic<Int>(0)
    let blockskipFlush = Atomic<Bool>(false)
    let pageblocks: Int
    private let skipBits: UnsafeMutablePointer<UnsafeAtomic<UInt8>.Storage>

    init(startPFN: PFN, endPFN: PFN) {
        self.startPFN = startPFN
        self.endPFN = max(endPFN, startPFN)
        pageblocks = max(1, (self.endPFN - startPFN + PageAllocator.pageblockPages - 1) >> PageAllocator.pageblockOrder)
        skipBits = .allocate(capacity: pageblocks)
        skipBits.initialize(repeating: UnsafeAtomic<UInt8>.Storage(0), count: pageblocks)
        resetCachedPositions()
    }

    deinit { skipBits.deallocate() }

    /// The zone's first PFN and the start of its last pageblock (`compact_init_free_pfn`).
    var initFreePFN: PFN { pageblockStartPFN(max(endPFN - 1, startPFN)) }

    @inline(__always)
    private func skipBit(_ pfn: PFN) -> UnsafeAtomic<UInt8>? {
        let block = (pfn - startPFN) >> PageAllocator.pageblockOrder
        guard pfn >= startPFN, block < pageblocks else { return nil }
        return UnsafeAtomic(at: skipBits + block)
    }

    /// `get_pageblock_skip()`.
    func pageblockSkip(_ pfn: PFN) -> Bool { skipBit(pfn)?.load(ordering: .relaxed) == 1 }

    /// `set_pageblock_skip()` / `clear_pageblock_skip()`.
    func setPageblockSkip(_ pfn: PFN, _ on: Bool = true) { skipBit(pfn)?.store(on ? 1 : 0, ordering: .relaxed) }

    /// `reset_cached_positions()`: both scanners start over at the zone's ends.
    func resetCachedPositions() {
        cachedMigratePFNAsync.store(startPFN, ordering: .relaxed)
        cachedMigratePFNSync.store(startPFN, ordering: .relaxed)
        cachedFreePFN.store(initFreePFN, ordering: .relaxed)
    }

    /// `__reset_isolation_suitable()`: clears every skip bit and the cached positions.
    func resetIsolationSuitable() {
        for block in 0..<pageblocks { UnsafeAtomic<UInt8>(at: skipBits + block).store(0, ordering: .relaxed) }
        resetCachedPositions()
        blockskipFlush.store(false, ordering: .relaxed)
    }

    /// Pageblocks with the skip bit set (for tests and reports).
    var skippedPageblocks: Int {
        (0..<pageblocks).reduce(0) { total, block in total + Int(UnsafeAtomic<UInt8>(at: skipBits + block).load(ordering: .relaxed)) }
    }
}

/// Deferral (mm/compaction.c, 6.12): after a failed sync run at some order, the next
/// `1 << compact_defer_shift` attempts at that order or above are skipped, the shift growing with
/// each failure up to `COMPACT_MAX_DEFER_SHIFT`.
extension ZoneCompactionState {
    /// `defer_compaction()`.
    func deferCompaction(order: Int) {
        considered.store(0, ordering: .relaxed)
        let shift = min(deferShift.load(ordering: .relaxed) + 1, Self.maxDeferShift)
        deferShift.store(shift, ordering: .relaxed)
        if order < orderFailed.load(ordering: .relaxed) { orderFailed.store(order, ordering: .relaxed) }
    }

    /// `compaction_deferred()`: whether this attempt is skipped; counts it in `compact_considered`.
    func compactionDeferred(order: Int) -> Bool {
        let limit = 1 << deferShift.load(ordering: .relaxed)
        if order < orderFailed.load(ordering: .relaxed) { return false }
        let seen = considered.load(ordering: .relaxed) + 1
        if seen >= limit {
            considered.store(limit, ordering: .relaxed)
            return false
        }
        considered.store(seen, ordering: .relaxed)
        return true
    }

    /// `compaction_defer_reset()`: after a success, deferral starts over (when the allocation itself
    /// succeeded) and orders up to this one are no longer marked failed.
    func compactionDeferReset(order: Int, allocSuccess: Bool) {
        if allocSuccess {
            considered.store(0, ordering: .relaxed)
            deferShift.store(0, ordering: .relaxed)
        }
        if order >= orderFailed.load(ordering: .relaxed) { orderFailed.store(order + 1, ordering: .relaxed) }
    }

    /// `compaction_restarting()`: the deferral ran its full length, so the next run clears the skip bits.
    func compactionRestarting(order: Int) -> Bool {
        if order < orderFailed.load(ordering: .relaxed) { return false }
        let shift = deferShift.load(ordering: .relaxed)
        return shift == Self.maxDeferShift && considered.load(ordering: .relaxed) >= 1 << shift
    }
}
