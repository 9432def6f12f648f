/// Where each allocation was served (`AllocationOutcome`): the notes the fast and slow paths leave in
/// `outcomes`, and the hook the compaction code calls. None of this is in the kernel, which knows the
/// answer only while `__alloc_pages_slowpath()` runs.
extension PageAllocator {
    /// ALLOC flags under which an attempt may be admitted below the plain MIN watermark: the reserves
    /// that lower it or let the free highatomic pageblocks count (`__zone_watermark_ok()`), and
    /// ALLOC_NO_WATERMARKS. ALLOC_NON_BLOCK is left out: alone it lowers nothing (GFP_NOWAIT, and the
    /// runner's reclaim-free first half of a GFP_KERNEL allocation). Never set on the fast path.
    static let belowMinFlags: AllocFlags = [.minReserve, .highAtomic, .oom, .noWatermarks]

    /// `tryZone` for an attempt that may dig below MIN: the plain MIN check first (`__zone_watermark_ok()`
    /// without ALLOC_RESERVES, so the free highatomic pages do not count), then the attempt; an
    /// allocation the plain check would have refused leaves its depth in its context's word: the zone's
    /// free pages after it as a share of MIN.
    func tryZoneBelowMin(_ zone: Zone, _ ac: AllocationContext, allocFlags: AllocFlags, context: ExecutionContext) -> PFN? {
        let belowMin = !zone.watermarkOK(order: ac.order, mark: zone.watermarkMin, highestZoneIndex: ac.highestZoneIndex,
                                         allocFlags: .wmarkMin)
        guard let pfn = takeFromZone(zone, ac, allocFlags: allocFlags, context: context) else { return nil }
        if belowMin {
            outcomes.noteBelowMin(basisPoints: zone.freePages * 10_000 / max(zone.watermarkMin, 1),
                                  row: PerCPUCounters.row(of: context))
        }
        return pfn
    }

    /// A slow-path attempt served `pfn`: records `step` for the context (see
    /// `AllocationOutcomeCells.noteServed`) and passes `pfn` on, so a `return pfn` of the slow path
    /// reads `return served(pfn, .step, allocFlags, context)`.
    @inline(__always)
    func served(_ pfn: PFN, _ step: AllocationOutcome, _ allocFlags: AllocFlags, _ context: ExecutionContext) -> PFN {
        outcomes.noteServed(step, noWatermarks: allocFlags.contains(.noWatermarks), row: PerCPUCounters.row(of: context))
        return pfn
    }

    /// The hook for compaction: `__alloc_pages_direct_compact()` calls it with the page its attempt after
    /// compacting got (`return servedAfterCompaction(pfn, context)`), so the allocation counts as
    /// `afterCompaction`.
    func servedAfterCompaction(_ pfn: PFN, _ context: ExecutionContext) -> PFN {
        served(pfn, .afterCompaction, [], context)
    }

    /// Where the allocations `context` made since the last call were served, and clears the record:
    /// nil when nothing past the fast path and the preferred zone was needed (that is, `fast`).
    func takeServed(context: ExecutionContext) -> AllocationOutcomeCells.Served? {
        let word = outcomes.take(row: PerCPUCounters.row(of: context))
        return word == 0 ? nil : AllocationOutcomeCells.Served(word)
    }
}
