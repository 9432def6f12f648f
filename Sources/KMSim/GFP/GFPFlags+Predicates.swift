extension GFPFlags {
    /// `gfpflags_allow_blocking()`: only `__GFP_DIRECT_RECLAIM` lets an allocation sleep.
    public var allowsBlocking: Bool { contains(.directReclaim) }

    /// `__GFP_KSWAPD_RECLAIM`: the slow path wakes kswapd (`wake_all_kswapds`).
    public var wakesKswapd: Bool { contains(.kswapdReclaim) }

    /// `__GFP_IO`: direct reclaim may start I/O (swap-out); compaction also needs it.
    public var mayIO: Bool { contains(.io) }

    /// `__GFP_FS`: direct reclaim may enter filesystems (dirty writeback, fs shrinkers).
    public var mayFS: Bool { contains(.fs) }

    /// Whether the mask alone grants access below the min watermark: `__GFP_HIGH` (ALLOC_MIN_RESERVE), or
    /// `__GFP_MEMALLOC` not overridden by `__GFP_NOMEMALLOC` (ALLOC_NO_WATERMARKS).
    public var usesReserves: Bool { contains(.high) || grantsNoWatermarks }

    /// `__GFP_NOFAIL`: the slow path loops until it succeeds.
    public var isNoFail: Bool { contains(.noFail) }

    /// `__GFP_NORETRY`: give up after one light reclaim/compaction round.
    public var isNoRetry: Bool { contains(.noRetry) }

    /// `__GFP_RETRY_MAYFAIL`: retry reclaim while it makes progress, but never invoke the OOM killer.
    public var isRetryMayFail: Bool { contains(.retryMayFail) }

    /// `__GFP_MEMALLOC` without `__GFP_NOMEMALLOC`: the mask part of `__gfp_pfmemalloc_flags()`.
    var grantsNoWatermarks: Bool { contains(.memalloc) && !contains(.noMemalloc) }
}
