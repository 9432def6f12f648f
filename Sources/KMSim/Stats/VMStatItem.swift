/// The /proc/vmstat items kmsim keeps, in the kernel's `vmstat_text[]` order (mm/vmstat.c): zone items,
/// NUMA events, node items, then VM events. Later issues bump the ones they own (`VMStat.count`).
///
/// `nr_free_pages` and the `numa_*` lines are not counted here: /proc/vmstat sums them from the zones
/// (`zone_page_state`, `zone_numa_event_state`), as the kernel folds per-zone counters into the global ones.
public enum VMStatItem: Int, CaseIterable, Sendable {
    case nrFreePages
    case numaHit, numaMiss, numaForeign, numaInterleave, numaLocal, numaOther
    case nrSlabReclaimable, nrSlabUnreclaimable, nrPageTablePages
    case pgallocDMA, pgallocDMA32, pgallocNormal, pgallocMovable
    case allocstallDMA, allocstallDMA32, allocstallNormal, allocstallMovable
    case pgfree
    case pgstealKswapd, pgstealDirect, pgscanKswapd, pgscanDirect
    case pgscanAnon, pgscanFile, pgstealAnon, pgstealFile
    case slabsScanned
    case kswapdLowWmarkHitQuickly, kswapdHighWmarkHitQuickly, pageoutrun
    case oomKill
    case pgmigrateSuccess, pgmigrateFail
    case compactMigrateScanned, compactFreeScanned, compactIsolated
    case compactStall, compactFail, compactSuccess
    case compactDaemonWake, compactDaemonMigrateScanned, compactDaemonFreeScanned

    /// The name /proc/vmstat prints.
    public var kernelName: String {
        switch self {
        case .nrFreePages: return "nr_free_pages"
        case .numaHit: return "numa_hit"
        case .numaMiss: return "numa_miss"
        case .numaForeign: return "numa_foreign"
        case .numaInterleave: return "numa_interleave"
        case .numaLocal: return "numa_local"
        case .numaOther: return "numa_other"
        case .nrSlabReclaimable: return "nr_slab_reclaimable"
        case .nrSlabUnreclaimable: return "nr_slab_unreclaimable"
        case .nrPageTablePages: return "nr_page_table_pages"
        case .pgallocDMA: return "pgalloc_dma"
        case .pgallocDMA32: return "pgalloc_dma32"
        case .pgallocNormal: return "pgalloc_normal"
        case .pgallocMovable: return "pgalloc_movable"
        case .allocstallDMA: return "allocstall_dma"
        case .allocstallDMA32: return "allocstall_dma32"
        case .allocstallNormal: return "allocstall_normal"
        case .allocstallMovable: return "allocstall_movable"
        case .pgfree: return "pgfree"
        case .pgstealKswapd: return "pgsteal_kswapd"
        case .pgstealDirect: return "pgsteal_direct"
        case .pgscanKswapd: return "pgscan_kswapd"
        case .pgscanDirect: return "pgscan_direct"
        case .pgscanAnon: return "pgscan_anon"
        case .pgscanFile: return "pgscan_file"
        case .pgstealAnon: return "pgsteal_anon"
        case .pgstealFile: return "pgsteal_file"
        case .slabsScanned: return "slabs_scanned"
        case .kswapdLowWmarkHitQuickly: return "kswapd_low_wmark_hit_quickly"
        case .kswapdHighWmarkHitQuickly: return "kswapd_high_wmark_hit_quickly"
        case .pageoutrun: return "pageoutrun"
        case .oomKill: return "oom_kill"
        case .pgmigrateSuccess: return "pgmigrate_success"
        case .pgmigrateFail: return "pgmigrate_fail"
        case .compactMigrateScanned: return "compact_migrate_scanned"
        case .compactFreeScanned: return "compact_free_scanned"
        case .compactIsolated: return "compact_isolated"
        case .compactStall: return "compact_stall"
        case .compactFail: return "compact_fail"
        case .compactSuccess: return "compact_success"
        case .compactDaemonWake: return "compact_daemon_wake"
        case .compactDaemonMigrateScanned: return "compact_daemon_migrate_scanned"
        case .compactDaemonFreeScanned: return "compact_daemon_free_scanned"
        }
    }

    /// `pgalloc_<zone>` for a zone type (x86-64 has no HighMem events; kmsim counts them as Normal).
    @inline(__always)
    static func pgalloc(_ zone: ZoneType) -> VMStatItem {
        switch zone {
        case .dma: return .pgallocDMA
        case .dma32: return .pgallocDMA32
        case .normal, .highMem: return .pgallocNormal
        case .movable: return .pgallocMovable
        }
    }

    /// `allocstall_<zone>`.
    public static func allocstall(_ zone: ZoneType) -> VMStatItem {
        switch zone {
        case .dma: return .allocstallDMA
        case .dma32: return .allocstallDMA32
        case .normal, .highMem: return .allocstallNormal
        case .movable: return .allocstallMovable
        }
    }

    /// Items /proc/vmstat computes from the zones instead of this counter block.
    var isZoneDerived: Bool { rawValue <= VMStatItem.numaOther.rawValue }
}

/// The machine's global vmstat counters (`vm_event_states` and the node/zone `vm_stat` folds), per CPU.
///
/// Thin wrapper over `PerCPUCounters`: one row per CPU and execution context (process, softirq,
/// hard interrupt) and one per kernel thread with a host thread of its own (each node's kswapd), each
/// written by one host thread only, summed when read.
public final class VMStat: Sendable {
    let counters: PerCPUCounters

    public init(cpuCount: Int, kernelThreads: Int = 0) {
        counters = PerCPUCounters(cpuCount: PerCPUCounters.rows(cpuCount: cpuCount, kernelThreads: kernelThreads),
                                  counters: VMStatItem.allCases.count)
    }

    /// `__count_vm_events(item, delta)` / `__mod_node_page_state()` from `context`'s CPU.
    @inline(__always)
    public func count(_ item: VMStatItem, _ delta: Int, context: ExecutionContext) {
        counters.addSingleWriter(item.rawValue, Int64(delta), row: PerCPUCounters.row(of: context))
    }

    /// The item summed over CPUs (`global_node_page_state`, `all_vm_events`).
    public func value(_ item: VMStatItem) -> Int { Int(counters.sum(item.rawValue)) }
}
