import Atomics
import Synchronization

/// Page reclaim for one machine (mm/vmscan.c with the memory users of mm/filemap.c and mm/memory.c):
/// the nodes' LRU lists, the swap device, the simulated tasks that own user memory, the shrinkers,
/// kswapd per node, direct reclaim and the OOM killer.
///
/// The page allocator's slow path calls in through `PageAllocator.reclaim` (`wakeAllKswapds`,
/// `tryToFreePages`, `outOfMemory`). Everything here that waits is `async` and runs in process
/// context only.
///
/// Synchronisation: each node's LRU lists and their pages are guarded by that node's `lru_lock`; the
/// task table has its own lock (see `TaskTable`); per-node reclaim state is atomics; kswapd's wake-up
/// goes through a `WaitQueue`. All members are immutable references; hence `Sendable`.
public final class PageReclaim: Sendable, AtomicReference {
    public let config: ReclaimConfig
    let allocator: PageAllocator
    let vmstat: VMStat
    let debug: AtomicSleepDebug
    let bugReports: BugReports
    let cpus: SimulatedCPUs
    /// Each node's `lruvec`.
    public let lruvecs: [LRUVec]
    public let swap: SwapDevice
    /// The simulated tasks that own user memory.
    public let tasks: TaskTable
    let shrinkers = ShrinkerList()
    let nodeStates: [NodeReclaimState]
    /// The OOM killer and its `oom_lock`.
    public let oomKiller: OOMKiller
    /// One kswapd per node.
    public let kswapds: [Kswapd]
    /// Memory compaction and each node's kcompactd.
    public let compaction: Compaction
    /// Counters kmsim keeps beside vmstat (see `ReclaimEvent`).
    let events: PerCPUCounters
    /// Tasks inside `tryToFreePages` right now (the timeline's direct reclaim stalls in progress).
    let directReclaimsInProgress = Atomic<Int>(0)

    init(allocator: PageAllocator, cpus: SimulatedCPUs, debug: AtomicSleepDebug, lockStat: LockStatRegistry,
         config: ReclaimConfig, taskCapacity: Int = 4096) {
        self.config = config
        self.allocator = allocator
        self.vmstat = allocator.vmstat
        self.debug = debug
        self.bugReports = allocator.bugReports
        self.cpus = cpus
        let lruLock = lockStat.lockClass(named: "&lruvec->lru_lock")
        lruvecs = (0..<allocator.nodes.count).map { LRUVec(node: $0, allocator: allocator, lockClass: lruLock) }
        swap = SwapDevice(pages: config.swapPages)
        tasks = TaskTable(capacity: taskCapacity)
        nodeStates = (0..<allocator.nodes.count).map { _ in NodeReclaimState(debug: debug) }
        oomKiller = OOMKiller(lockClass: lockStat.lockClass(named: "oom_lock"))
        events = PerCPUCounters(cpuCount: allocator.cpuCount, counters: ReclaimEvent.allCases.count)
        let kernelThreadCPUs = allocator.spec.kernelThreadCPUs
        kswapds = (0..<allocator.nodes.count).map { node in
            Kswapd(node: node, cpu: kernelThreadCPUs[node], cpuCount: allocator.cpuCount,
                   hostNode: cpus.placement[node].hostNode, debug: debug)
        }
        compaction = Compaction(config: config.compaction, allocator: allocator, lruvecs: lruvecs, nodeStates: nodeStates,
                                kswapds: kswapds, hostNodes: (0..<allocator.nodes.count).map { cpus.placement[$0].hostNode },
                                debug: debug)
    }

    /// A reclaim event's count over all CPUs.
    public func count(_ event: ReclaimEvent) -> Int { Int(events.sum(event.rawValue)) }

    /// Pages under writeback or swap-out on every node (`NR_WRITEBACK`, meminfo's Writeback): reclaim's
    /// and throttled writers'.
    public var writebackPages: Int { nodeStates.reduce(0) { $0 + $1.writebackInFlight.load(ordering: .relaxed) } }

    @inline(__always)
    func count(_ event: ReclaimEvent, _ delta: Int = 1, cpu: Int) {
        events.add(event.rawValue, Int64(delta), cpu: cpu)
    }

    /// `register_shrinker()`: returns an id for `unregisterShrinker`.
    @discardableResult
    public func registerShrinker(_ shrinker: Shrinker) -> Int { shrinkers.register(shrinker) }

    /// `shrinker_free()`.
    public func unregisterShrinker(_ id: Int) { shrinkers.unregister(id) }

    /// Stops every kswapd (`kthread_stop()`), for a machine being torn down; waits until each has exited.
    public func stopKswapds() async {
        for kswapd in kswapds { await kswapd.stop() }
        await compaction.stopKcompactds()
    }

    /// Tells every kswapd to exit without waiting for it (a kswapd holds its reclaim only weakly while
    /// it sleeps, so it exits at its next wake-up).
    func requestKswapdsStop() {
        for kswapd in kswapds { kswapd.requestStop() }
        compaction.requestKcompactdsStop()
    }

    /// `zone_reclaimable_pages()`: the zone's file LRU pages, plus its anonymous ones while swap has room.
    public func zoneReclaimablePages(_ zone: Zone) -> Int {
        let lruvec = lruvecs[zone.node]
        var pages = lruvec.zoneSize(.inactiveFile, zone: zone.type) + lruvec.zoneSize(.activeFile, zone: zone.type)
        if swap.freePages > 0 {
            pages += lruvec.zoneSize(.inactiveAnon, zone: zone.type) + lruvec.zoneSize(.activeAnon, zone: zone.type)
        }
        return pages
    }
}

/// Per-node reclaim state of `pglist_data`: `kswapd_failures`, the writeback throttle and its
/// accounting (`reclaim_wait[]`, `nr_writeback_throttled`, `NR_THROTTLED_WRITTEN`).
final class NodeReclaimState: Sendable {
    /// `pgdat->kswapd_failures`.
    let kswapdFailures = Atomic<Int>(0)
    /// Dirty page cache pages (`NR_FILE_DIRTY`): counted when a page gains PG_dirty and when it loses it
    /// (writeback starts, or the page is freed dirty), under the node's `lru_lock` or while the page is
    /// isolated.
    let dirty = Atomic<Int>(0)
    /// Pages being written back or swapped out by reclaimers right now (`NR_WRITEBACK`).
    let writebackInFlight = Atomic<Int>(0)
    /// Pages whose writeback completed since boot (`NR_THROTTLED_WRITTEN`).
    let written = Atomic<Int>(0)
    /// `reclaim_wait[VMSCAN_THROTTLE_WRITEBACK]`.
    let writebackWait: WaitQueue
    /// `reclaim_wait[VMSCAN_THROTTLE_NOPROGRESS]`.
    let noProgressWait: WaitQueue
    /// `nr_reclaim_start`: `written` when the first writeback-throttled task began waiting.
    let reclaimStart = Atomic<Int>(0)
    /// `nr_writeback_throttled`.
    let writebackThrottled = Atomic<Int>(0)

    init(debug: AtomicSleepDebug) {
        writebackWait = WaitQueue(debug: debug)
        noProgressWait = WaitQueue(debug: debug)
    }
}

/// Reclaim events kmsim counts beside /proc/vmstat.
public enum ReclaimEvent: Int, CaseIterable, Sendable {
    /// `__GFP_NOFAIL` slow-path loops (`goto retry` after nopage).
    case nofailRetries
    /// Slow-path `should_reclaim_retry()` retries.
    case reclaimRetries
    /// `reclaim_throttle()` calls by reason.
    case throttleWriteback, throttleNoProgress
    /// Pages written back and pages swapped out by reclaim.
    case pagesWritten, pagesSwappedOut, pagesSwappedIn
    /// `balance_dirty_pages()` pauses of writers above the freerun ceiling, and the pages those writers
    /// wrote back.
    case dirtyThrottled, pagesWrittenByDirtier
    /// Blocking allocations that reached a sleeping step from atomic context and went on without it.
    case atomicWaitsAvoided
    /// Slow-path `__alloc_pages_may_oom()` calls that found `oom_lock` taken.
    case oomLockContended
    /// `warn_alloc()` messages suppressed by its rate limit.
    case warnAllocSuppressed
}
