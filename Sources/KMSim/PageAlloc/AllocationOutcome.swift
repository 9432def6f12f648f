/// Where `__alloc_pages()` found the memory for one allocation: the step of `get_page_from_freelist()`
/// and `__alloc_pages_slowpath()` (mm/page_alloc.c, 6.12) whose attempt succeeded, or failure.
///
/// The kernel knows this only in the moment; kmsim records it per allocation (`AllocationOutcomeCells`)
/// so a run can say who lived off the reserves and who paid for reclaim. A slab allocation takes the
/// outcome of the page allocation its new slab needed, and is `fast` when it needed none; an
/// allocation that made several page allocations (vmalloc, a slab refilled twice) takes the latest step
/// any of them reached. The raw values order the steps as the slow path reaches them; `failed` is last.
public enum AllocationOutcome: Int, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// The first `get_page_from_freelist()` pass, at the LOW watermark (`ALLOC_WMARK_LOW`); for slab,
    /// an object without a new slab or a new slab from that pass.
    case fast
    /// The slow path's first attempt at the MIN watermark, after `wake_all_kswapds()`, that the plain MIN
    /// check admitted (so no reserve was needed).
    case afterKswapdWakeup
    /// Admitted only because `ALLOC_MIN_RESERVE`, `ALLOC_HIGHATOMIC` or `ALLOC_OOM` lowered the
    /// watermark (or let the free highatomic pageblocks count): the zone would have failed the plain MIN
    /// check (`__zone_watermark_ok()` without ALLOC_RESERVES).
    case reserve
    /// `ALLOC_NO_WATERMARKS` (`__gfp_pfmemalloc_flags()`: `__GFP_MEMALLOC`, a PF_MEMALLOC task) on a zone
    /// that the plain MIN check would have refused.
    case noWatermarks
    /// The attempt after `__alloc_pages_direct_reclaim()` (with its drain_all_pages retry).
    case afterDirectReclaim
    /// The attempt inside `__alloc_pages_direct_compact()`. Reached through
    /// `PageAllocator.servedAfterCompaction(_:_:)`, which the compaction code calls.
    case afterCompaction
    /// Served after an OOM kill (this request's, or a parallel one while it was in
    /// `__alloc_pages_may_oom()`): the `__GFP_NOFAIL` fallback after the kill, or the retry right after it.
    case afterOOMKill
    /// Served on a later round of the `retry:` loop: `should_reclaim_retry()` (`__GFP_RETRY_MAYFAIL`
    /// and order ≤ 3 requests), a `__GFP_NOFAIL` round, a contended `oom_lock`, an OOM round that
    /// killed nothing (`__GFP_FS` missing) or `__alloc_pages_may_oom()`'s HIGH-watermark attempt.
    case afterRetries
    /// NULL.
    case failed

    /// The outcomes the slow path's steps record (all but `fast` and `failed`).
    static let slowPathOutcomes: [AllocationOutcome] = allCases.filter { $0 != .fast && $0 != .failed }

    /// The name reports use (`after kswapd wakeup`); JSON uses `key`.
    public var description: String {
        switch self {
        case .fast: "fast"
        case .afterKswapdWakeup: "after kswapd wakeup"
        case .reserve: "reserve"
        case .noWatermarks: "no watermarks"
        case .afterDirectReclaim: "after direct reclaim"
        case .afterCompaction: "after compaction"
        case .afterOOMKill: "after OOM kill"
        case .afterRetries: "after retries"
        case .failed: "failed"
        }
    }

    /// The JSON name (`afterKswapdWakeup`).
    public var key: String {
        switch self {
        case .fast: "fast"
        case .afterKswapdWakeup: "afterKswapdWakeup"
        case .reserve: "reserve"
        case .noWatermarks: "noWatermarks"
        case .afterDirectReclaim: "afterDirectReclaim"
        case .afterCompaction: "afterCompaction"
        case .afterOOMKill: "afterOOMKill"
        case .afterRetries: "afterRetries"
        case .failed: "failed"
        }
    }

    /// Whether the allocation went below the zone's MIN watermark, so its depth is recorded.
    public var dipsBelowMin: Bool { self == .reserve || self == .noWatermarks }
}
