import Synchronization

/// One node's kswapd (`pgdat->kswapd` with `kswapd_wait`, `kswapd_order`, `kswapd_highest_zoneidx`):
/// a simulated kernel thread on its own pinned queue (`KswapdExecutor`), started on the first wake-up.
///
/// Synchronisation: the requested order and zone index are atomics (WRITE_ONCE/READ_ONCE in the
/// kernel), `wakeRequested` is the wake-up's condition checked under the wait queue's lock so a wake-up
/// between kswapd's balance check and its sleep is not lost, and the thread's lifecycle is a
/// `KernelThread`. Hence `Sendable`.
public final class Kswapd: Sendable {
    public let node: Int
    /// The CPU whose per-CPU lists and lock statistics kswapd's page frees use (the node's first).
    let cpu: Int
    /// The vmstat and NUMA counter row of its own (`PerCPUCounters.kernelThreadRow`): kswapd runs on its
    /// own host thread, so counting in its CPU's process row (plain load-then-store adds) would lose
    /// updates the CPU's tasks make at the same time.
    let counterRow: Int
    /// kswapd's pid in reports: kernel threads get small pids; kmsim uses 100 + node.
    public let pid: Int32
    let executor: KswapdExecutor
    /// `pgdat->kswapd_wait`.
    let wait: WaitQueue
    let order = Atomic<Int>(0)
    /// `MAX_NR_ZONES` means "none requested".
    let highestZoneIndex = Atomic<Int>(ZoneType.allCases.count)
    let wakeRequested = Atomic<Bool>(false)
    let kthread = KernelThread()
    /// Balancing passes run (`balance_pgdat()` calls).
    let runs = Atomic<Int>(0)
    /// The `--trace` flow from the wake-up that asked for the next balancing run; 0 for none.
    let pendingFlow = Atomic<UInt64>(0)
    /// Whether a `balance_pgdat()` pass is running now (the timeline's kswapd state).
    let balancing = Atomic<Bool>(false)

    init(node: Int, cpu: Int, cpuCount: Int, hostNode: Int, debug: AtomicSleepDebug) {
        self.node = node
        self.cpu = cpu
        self.counterRow = PerCPUCounters.kernelThreadRow(node, cpuCount: cpuCount)
        self.pid = Int32(100 + node)
        executor = KswapdExecutor(node: node, hostNode: hostNode)
        wait = WaitQueue(debug: debug)
    }

    /// The context kswapd runs in: process context on its node's first CPU, counting in its own row.
    var context: ExecutionContext {
        var context = ExecutionContext.task(cpu: cpu, pid: pid)
        context.counterRow = Int32(counterRow)
        return context
    }

    /// `kswapd%d`.
    public var comm: String { "kswapd\(node)" }

    /// Whether kswapd is sleeping on `kswapd_wait` (`waitqueue_active()`).
    public var isSleeping: Bool { wait.waiterCount > 0 }

    /// Whether kswapd is inside `balance_pgdat()` right now.
    public var isBalancing: Bool { balancing.load(ordering: .relaxed) }

    /// `balance_pgdat()` passes so far.
    public var balanceRuns: Int { runs.load(ordering: .relaxed) }

    /// Starts the thread if it is not running (`kswapd_run()`).
    func startIfNeeded(_ reclaim: PageReclaim) {
        let weakReclaim: @Sendable () -> PageReclaim? = { [weak reclaim] in reclaim }
        kthread.startIfNeeded(on: executor) { await PageReclaim.kswapdMain(self, reclaim: weakReclaim) }
    }

    /// `kthread_stop()`.
    func stop() async {
        requestStop()
        await kthread.join()
    }

    /// Sets the stop flag and wakes the thread, without waiting for it to exit.
    func requestStop() {
        kthread.requestStop()
        wakeRequested.store(true, ordering: .relaxed)
        wait.wakeAll()
    }
}
