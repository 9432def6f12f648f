/// `struct scan_control` (mm/vmscan.c): one reclaim pass's target, constraints and tallies.
struct ScanControl {
    /// `SWAP_CLUSTER_MAX`.
    static let swapClusterMax = 32
    /// `DEF_PRIORITY`: scan `size >> priority` pages of each list per pass.
    static let defaultPriority = 12

    var nrToReclaim: Int
    /// The mask after `current_gfp_context()`.
    let gfp: GFPFlags
    let order: Int
    /// `reclaim_idx`: zones above it are not reclaimed from.
    var reclaimIndex: Int
    var priority = ScanControl.defaultPriority
    /// `may_writepage`: dirty file pages may be written back (with `__GFP_FS`).
    var mayWritepage = true
    /// `may_swap`: anonymous pages may be scanned for swap-out.
    var maySwap = true
    let isKswapd: Bool
    var nrScanned = 0
    var nrReclaimed = 0
    /// Dirty pages the pass had to leave because it may not write them (`sc->nr.dirty` left unqueued).
    var nrDirtyKept = 0

    /// `may_enter_fs()` for file pages: dirty page cache needs `__GFP_FS` to be written back.
    var mayWriteFile: Bool { mayWritepage && gfp.contains(.fs) }
    /// Anonymous pages need `__GFP_IO` to be swapped out (`shrink_folio_list()`'s check before `add_to_swap()`).
    var maySwapOut: Bool { maySwap && gfp.contains(.io) }
}
