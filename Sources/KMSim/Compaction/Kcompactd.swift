import Synchronization

/// One node's kcompactd (`pgdat->kcompactd` with `kcompactd_wait`, `kcompactd_max_order`,
/// `kcompactd_highest_zoneidx`, `proactive_compact_trigger`): a simulated kernel thread on its own
/// pinned queue, as kswapd is (on the virtual clock an actor of its own), started on its first wake-up.
///
/// Synchronisation: the requested order and zone index are atomics (the kernel's plain racy fields),
/// the wake-up condition is checked under the wait queue's lock, and the thread's lifecycle is a
/// `KernelThread`. Hence `Sendable`.
public final class Kcompactd: Sendable {
    /// `HPAGE_FRAG_CHECK_INTERVAL_MSEC`: kcompactd's sleep between proactive checks.
    static let checkIntervalMilliseconds = 500

    public let node: Int
    /// The CPU whose lock statistics kcompactd's lock acquisitions use (the node's first).
    let cpu: Int
    /// Its vmstat row (`PerCPUCounters.kernelThreadRow`, after the kswapds' rows).
    let counterRow: Int
    /// kcompactd's pid in reports: 200 + node.
    public let pid: Int32
    let executor: KswapdExecutor
    /// `pgdat->kcompactd_wait`.
    let wait: WaitQueue
    let maxOrder = Atomic<Int>(0)
    let highestZoneIndex = Atomic<Int>(ZoneType.allCases.count - 1)
    let proactiveTrigger = Atomic<Bool>(false)
    let kthread = KernelThread()
    /// Wake-ups that ran `kcompactd_do_work()` (compact_daemon_wake).
    let wakeups = Atomic<Int>(0)

    init(node: Int, cpu: Int, cpuCount: Int, nodeCount: Int, hostNode: Int, debug: AtomicSleepDebug) {
        self.node = node
        self.cpu = cpu
        counterRow = PerCPUCounters.kernelThreadRow(nodeCount + node, cpuCount: cpuCount)
        pid = Int32(200 + node)
        executor = KswapdExecutor(node: node, hostNode: hostNode, kcompactd: true)
        wait = WaitQueue(debug: debug)
    }

    /// Process context on its node's first CPU, counting in its own row.
    var context: ExecutionContext {
        var context = ExecutionContext.task(cpu: cpu, pid: pid)
        context.counterRow = Int32(counterRow)
        return context
    }

    /// `kcompactd%d`.
    public var comm: String { "kcompactd\(node)" }

    /// Whether the thread sleeps on `kcompactd_wait` (`wq_has_sleeper()`).
    public var isSleeping: Bool { wait.waiterCount > 0 }

    /// `kcompactd_work_requested()`.
    var workRequested: Bool {
        maxOrder.load(ordering: .relaxed) > 0 || kthread.shouldStop
            || proactiveTrigger.load(ordering: .relaxed)
    }

    /// Starts the thread if it is not running (`kcompactd_run()`).
    func startIfNeeded(_ compaction: Compaction) {
        let weak: @Sendable () -> Compaction? = { [weak compaction] in compaction }
        kthread.startIfNeeded(on: executor) { await Compaction.kcompactdMain(self, compaction: weak) }
    }

    /// `kthread_stop()`.
    func stop() async {
        requestStop()
        await kthread.join()
    }

    /// Sets the stop flag and wakes the thread without waiting for it.
    func requestStop() {
        kthread.requestStop()
        wait.wakeAll()
    }
}
