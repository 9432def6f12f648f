/// A run's timeline: the machine sampled at a fixed interval of the run's clock, the `timeline` object of
/// the JSON report (schema in README.md, "Timeline"). What the kernel shows in /proc/zoneinfo,
/// /proc/buddyinfo, /proc/pagetypeinfo and /proc/vmstat at one instant, kept over time, as a tool
/// polling those files would see it.
///
/// Counters that only grow (operations, failures, stalls, kswapd runs, compaction, lock wait) are kept cumulative, so
/// dropping samples to bound memory (`TimelineRecorder`'s decimation) loses resolution, never counts;
/// the per-interval figures (`opsPerSecond`, `topLockWait`) are derived from consecutive kept samples.
public struct Timeline: Codable, Sendable, Equatable {
    /// One populated zone, as the samples' `zones` arrays list them.
    public struct ZoneName: Codable, Sendable, Equatable {
        public var node: Int
        public var zone: String
    }

    /// A zone at one instant (`zone_page_state(zone, NR_FREE_PAGES)`, `*_wmark_pages()` with the boost,
    /// `free_area[order].nr_free`, and the pageblocks of each migratetype).
    public struct ZoneSample: Codable, Sendable, Equatable {
        public var free: Int
        /// The watermarks in effect: `_watermark[]` plus `watermark_boost`.
        public var min: Int
        public var low: Int
        public var high: Int
        public var boost: Int
        /// `free_area[order].nr_free` for orders 0...MAX_PAGE_ORDER (buddyinfo's columns).
        public var nrFree: [Int]
        /// Pageblocks per migratetype, in `Timeline.migratetypes` order (pagetypeinfo's block counts).
        public var pageblocks: [Int]
    }

    /// A node at one instant: `NR_FILE_DIRTY`, `NR_WRITEBACK` and the LRU list sizes of its lruvec.
    public struct NodeSample: Codable, Sendable, Equatable {
        public var dirty: Int
        public var writeback: Int
        public var activeFile: Int
        public var inactiveFile: Int
        public var activeAnon: Int
        public var inactiveAnon: Int
    }

    /// The lock class whose waiters waited longest in total since the previous sample.
    public struct LockWait: Codable, Sendable, Equatable {
        public var lockClass: String
        public var waitNs: Int64

        enum CodingKeys: String, CodingKey {
            case lockClass = "class"
            case waitNs
        }
    }

    /// The machine at one instant of the run's clock.
    public struct Sample: Codable, Sendable, Equatable {
        /// Nanoseconds since the run started (simulated on the virtual clock).
        public var timeNs: Int64
        /// In `Timeline.zones` order.
        public var zones: [ZoneSample]
        /// Indexed by node.
        public var nodes: [NodeSample]
        /// `NR_SLAB_RECLAIMABLE_B + NR_SLAB_UNRECLAIMABLE_B` in pages, machine-wide (kmsim keeps the slab
        /// counters per CPU, not per node).
        public var slabPages: Int
        /// Operations so far per context kind, in `Timeline.contexts` order.
        public var ops: [Int64]
        /// Operations per second of the run's clock since the previous sample, per context kind.
        public var opsPerSecond: [Double]
        /// Allocations that returned NULL so far.
        public var failures: Int64
        /// Per node: whether kswapd is inside a `balance_pgdat()` run at this instant.
        public var kswapdBalancing: [Bool]
        /// Per node: kswapd balancing runs so far.
        public var kswapdRuns: [Int]
        /// Tasks inside `try_to_free_pages()` at this instant.
        public var directReclaimsInProgress: Int
        /// `allocstall_*` summed, so far.
        public var directReclaimStalls: Int
        /// `compact_stall` so far: allocations that ran direct compaction.
        public var compactStalls: Int = 0
        /// `compact_daemon_wake` so far: kcompactd wake-ups that compacted.
        public var kcompactdWakeups: Int = 0
        /// `pgmigrate_success` so far: pages compaction moved.
        public var pagesMigrated: Int = 0
        /// lock_stat wait time so far per class, in `Timeline.lockClasses` order.
        public var lockWaitNs: [Int64]
        /// The lock class with the most wait since the previous sample; nil when no lock was contended.
        public var topLockWait: LockWait?
    }

    /// `real` or `virtual`: whose nanoseconds `timeNs` counts.
    public var clock: String
    /// `--sample-every`, nanoseconds.
    public var requestedIntervalNs: Int64
    /// The spacing of the kept samples: the requested interval doubled once per decimation.
    public var intervalNs: Int64
    /// Samples kept at most; on reaching it every other sample is dropped and the interval doubles.
    public var capacity: Int
    public var decimations: Int
    public var zones: [ZoneName]
    /// The columns of `pageblocks`.
    public var migratetypes: [String]
    /// The columns of `ops` and `opsPerSecond`.
    public var contexts: [String]
    /// The columns of `lockWaitNs`.
    public var lockClasses: [String]
    public var samples: [Sample]
}
