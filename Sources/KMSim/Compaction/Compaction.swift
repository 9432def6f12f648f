/// Memory compaction for one machine (mm/compaction.c and the LRU part of mm/migrate.c, Linux 6.12):
/// the migrate scanner walks a zone up from its start isolating movable pages in use, the free scanner
/// walks down from its end isolating free pages, and each isolated page's contents move to a free page
/// nearer the end, so free pages gather at the start of the zone and merge into high-order blocks.
///
/// What moves: pages on the LRU lists (page cache and anonymous memory of the simulated tasks), with
/// their contents copied in the arena and their region slot and LRU position handed to the new page;
/// and the order-0 pages workload tasks allocated with `__GFP_MOVABLE` (`movablePages`, the kernel's
/// non-LRU movable pages with `movable_operations`), copied likewise, their handle following them so the
/// task later frees the new page. Slab, page-table, vmalloc, per-CPU-list, compound and other allocated
/// pages are never isolated, so they never move.
///
/// Runs from the allocation slow path (direct compaction), from each node's kcompactd, and on demand
/// (`compactNodes`, the kernel's /proc/sys/vm/compact_memory).
///
/// Synchronisation: the per-zone state is relaxed atomics (see `ZoneCompactionState`); pages are
/// isolated under `&zone->lock` (free pages), the node's `&lruvec->lru_lock` (LRU pages) or by a
/// compare-and-exchange on their entry (the workload's movable pages, see `MovablePages`), after which
/// the run owns them. Everything else is immutable; hence `Sendable`.
public final class Compaction: Sendable {
    public let config: CompactionConfig
    let allocator: PageAllocator
    let vmstat: VMStat
    let lruvecs: [LRUVec]
    let nodeStates: [NodeReclaimState]
    /// Per zone id, the zone's compaction fields.
    let states: [ZoneCompactionState]
    /// One kcompactd per node.
    public let kcompactds: [Kcompactd]
    /// Each node's kswapd (`kswapd_is_running()`).
    let kswapds: [Kswapd]
    /// The workload's movable pages and their handles.
    public let movablePages: MovablePages

    init(config: CompactionConfig, allocator: PageAllocator, lruvecs: [LRUVec], nodeStates: [NodeReclaimState],
         kswapds: [Kswapd], hostNodes: [Int], debug: AtomicSleepDebug) {
        self.config = config
        self.allocator = allocator
        self.vmstat = allocator.vmstat
        self.lruvecs = lruvecs
        self.nodeStates = nodeStates
        self.kswapds = kswapds
        movablePages = MovablePages(pageCount: allocator.spec.pagesPerNode * allocator.spec.nodes)
        states = allocator.zones.map { ZoneCompactionState(startPFN: $0.startPFN, endPFN: $0.startPFN + $0.managedPages) }
        kcompactds = (0..<allocator.nodes.count).map { node in
            Kcompactd(node: node, cpu: kswapds[node].cpu, cpuCount: allocator.cpuCount, nodeCount: allocator.nodes.count,
                      hostNode: hostNodes[node], debug: debug)
        }
    }

    /// The compaction fields of `zone`.
    func state(_ zone: Zone) -> ZoneCompactionState { states[zone.id] }

    /// `gfp_compaction_allowed()`: compaction is built in and the request may start I/O (`__GFP_IO`).
    func allowed(_ gfp: GFPFlags) -> Bool { config.enabled && gfp.contains(.io) }

    /// `kswapd_is_running()`: the node's kswapd is started and not sleeping.
    func kswapdIsRunning(node: Int) -> Bool {
        let kswapd = kswapds[node]
        return kswapd.kthread.isStarted && !kswapd.isSleeping
    }

    /// Stops every kcompactd and waits for each to exit.
    func stopKcompactds() async {
        for kcompactd in kcompactds { await kcompactd.stop() }
    }

    /// Tells every kcompactd to exit without waiting.
    func requestKcompactdsStop() {
        for kcompactd in kcompactds { kcompactd.requestStop() }
    }
}
