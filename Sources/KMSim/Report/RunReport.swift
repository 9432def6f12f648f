/// The result of `kmsim run` in machine-readable form: the `--json FILE` document. The keys required by
/// the schema in README.md ("JSON report") come first; the rest are extra detail the terminal report also shows.
///
/// Counts are totals over the run; latencies are nanoseconds from the HdrHistogram per context kind ×
/// GFP class × allocator path.
public struct RunReport: Codable, Sendable, Equatable {
    public struct MachineSummary: Codable, Sendable, Equatable {
        public var nodes: Int
        public var cpus: Int
        public var memoryBytes: UInt64
    }

    public struct Latency: Codable, Sendable, Equatable {
        public var p50: UInt64
        public var p99: UInt64
        public var p999: UInt64
        public var max: UInt64

        public static let zero = Latency(p50: 0, p99: 0, p999: 0, max: 0)
    }

    /// One report class: context kind × mask in effect × API.
    public struct ClassRow: Codable, Sendable, Equatable {
        /// `task`, `softirq` or `hardirq`.
        public var context: String
        /// The mask in effect, as the kernel's %pGg prints it (`GFP_KERNEL`, `GFP_ATOMIC|__GFP_NOWARN`).
        public var gfp: String
        /// The kernel function: `kmalloc`, `kmem_cache_alloc`, `alloc_pages`, `vmalloc`, `kvmalloc`.
        public var api: String
        public var ops: Int64
        /// Every NULL returned, injected or not.
        public var failures: Int64
        /// The NULLs fault injection caused (counted in `failures` too).
        public var injected: Int64 = 0
        public var latencyNs: Latency
        /// Where its allocations were served, by `AllocationOutcome.key` (`RunReport+Outcomes.swift`).
        public var outcomes: [String: OutcomeRow] = [:]
        /// How many a zone other than the preferred one served.
        public var fallback = Fallback.zero
    }

    /// Failures fault injection forced, by capability (the kernel's debugfs names).
    public struct InjectedFailures: Codable, Sendable, Equatable {
        public var failslab: Int
        public var failPageAlloc: Int

        public static let zero = InjectedFailures(failslab: 0, failPageAlloc: 0)
    }

    public struct Reclaim: Codable, Sendable, Equatable {
        /// kswapd balancing runs (vmstat `pageoutrun`).
        public var kswapdWakeups: Int
        /// `allocstall_*` summed: allocations that entered direct reclaim.
        public var directReclaimStalls: Int
        /// `pgscan_kswapd + pgscan_direct`.
        public var pagesScanned: Int
        /// `pgsteal_kswapd + pgsteal_direct`.
        public var pagesReclaimed: Int
        /// `oom_kill`.
        public var oomKills: Int
        /// `balance_dirty_pages()` pauses of page cache writers above their dirty ratio's freerun ceiling.
        public var dirtyThrottles: Int
        /// Pages those throttled writers wrote back.
        public var pagesWrittenByWriters: Int
    }

    /// One lock class as /proc/lock_stat counts it.
    public struct LockRow: Codable, Sendable, Equatable {
        public var lockClass: String
        public var acquisitions: Int
        public var contentions: Int
        public var waitTotalNs: Int64
        public var waitMaxNs: Int64

        enum CodingKeys: String, CodingKey {
            case lockClass = "class"
            case acquisitions, contentions, waitTotalNs, waitMaxNs
        }
    }

    public struct Invariants: Codable, Sendable, Equatable {
        /// How many times the invariants were checked (periodic checks with `--check`, plus the final one).
        public var checked: Int
        /// Each violated invariant, described; empty when all held.
        public var violations: [String]
    }

    /// SLUB's per-CPU slab effectiveness over every cache (CONFIG_SLUB_STATS counters).
    public struct SlubCPUCache: Codable, Sendable, Equatable {
        public var allocFastpath: Int
        public var allocSlowpath: Int
        public var freeFastpath: Int
        public var freeSlowpath: Int
        /// `alloc_fastpath / (alloc_fastpath + alloc_slowpath)`, in percent; nil without allocations.
        public var allocFastpathPercent: Double?
        public var freeFastpathPercent: Double?
    }

    public struct NUMA: Codable, Sendable, Equatable {
        public var hit: Int
        public var miss: Int
        public var foreign: Int
        public var local: Int
        public var other: Int
    }

    public var workload: String
    public var seed: UInt64
    public var machine: MachineSummary
    public var durationSeconds: Double
    public var classes: [ClassRow]
    /// Sleeping waits entered from atomic context; 0 in a correct run.
    public var atomicWaits: Int
    /// Kernel log reports by kind (`sleeping_function_invalid_context`, `slab_doubleFree`, ...), without
    /// allocation failures (counted per class) and `slab_fix` follow-up lines.
    public var bugs: [String: Int]
    public var reclaim: Reclaim
    /// Direct compaction, page migration and kcompactd (/proc/vmstat's compact_* and pgmigrate_*).
    public var compaction = Compaction.zero
    /// stress-highalloc's passes (`highalloc:`); absent from the JSON without that section.
    public var highalloc: [HighallocPass]? = nil
    /// Every lock class that was taken, most contended first.
    public var locks: [LockRow]
    public var invariants: Invariants
    /// /proc/vmstat at the end of the run.
    public var vmstat: [String: Int]

    public var operations: Int64
    public var operationsPerSecond: Double
    public var slub: SlubCPUCache
    /// Share of order 0-3 page allocations served by a per-CPU list without a refill; nil when there were none.
    public var perCPUPageListHitPercent: Double?
    public var numa: NUMA
    public var interrupts: Int64
    public var droppedInterrupts: Int64
    /// Interrupts due while their CPU's handler ran late, coalesced by the timer and not run.
    public var missedInterrupts: Int64
    public var remoteFrees: Int64
    public var remoteFreeFallbacks: Int64
    /// The deliberate bugs of the workload (kinds), whose reports are results.
    public var deliberateBugs: [String]
    /// The engine: `real` (host threads, wall-clock nanoseconds) or `virtual` (simulated nanoseconds).
    public var clock = RunClock.real.rawValue
    /// Interrupts that arrived while their CPU had interrupts disabled and were delivered at the end of
    /// that section (virtual clock; 0 on the real engine, which does not observe it).
    public var interruptsDeferred = 0
    /// Arrival-to-handler delay of interrupts, simulated nanoseconds (virtual clock; zero on the real engine).
    public var interruptDelayNs = InterruptDelay(p50: 0, p99: 0)
    /// Failures fault injection forced (`faults:`, `--failslab`, `--fail-page-alloc`, `failNth`).
    public var injectedFailures = InjectedFailures.zero
    /// Where they were injected: slab cache or page order, and GFP class; most first.
    public var injectedFailureSites: [FaultInjection.Site] = []
    /// What the host did: the only part of a virtual run's report that changes from run to run.
    public var host = Host(wallSeconds: 0, simulatedSeconds: 0, simulatedOpsPerHostSecond: 0)
    /// Every timed allocation of the run, all classes' histograms merged: the figure `kmsim sweep` shows
    /// as ns per operation.
    public var allLatencyNs = Latency.zero
    /// Phased task groups' phases (`phases:`), time per operation across their CPUs; empty without any.
    public var phases: [PhaseRow] = []

    public struct InterruptDelay: Codable, Sendable, Equatable {
        public var p50: UInt64
        public var p99: UInt64
    }

    /// The host's side of a run.
    public struct Host: Codable, Sendable, Equatable {
        /// Host seconds the run took (workload only, without boot and the final check).
        public var wallSeconds: Double
        /// Seconds of the run's clock (equal to `wallSeconds` on the real engine).
        public var simulatedSeconds: Double
        /// Simulated allocator operations per host second.
        public var simulatedOpsPerHostSecond: Double
    }
    /// The simulated kernel's panic reason ("System is deadlocked on memory") when the run ended in a
    /// panic (`kmsim` exit status 3); absent from the JSON otherwise.
    public var panic: String? = nil
    /// The machine sampled over the run (`--sample-every`; schema in README.md, "Timeline"); absent when
    /// sampling is off.
    public var timeline: Timeline? = nil
}
