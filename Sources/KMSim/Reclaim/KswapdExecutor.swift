import Dispatch

/// The serial executor kswapd runs on: its own Dispatch queue whose work items bind their host thread
/// to the host CPUs of the node kswapd serves, as the kernel binds `kswapd%d` to the node's CPUs
/// (`set_cpus_allowed_ptr(tsk, cpumask_of_node(pgdat->node_id))`). It is also kswapd's task executor,
/// so the reclaim code kswapd awaits in (I/O sleeps, wait queues) stays on this queue. Each node's
/// kcompactd runs on one of its own (`kcompactd: true`), bound the same way.
final class KswapdExecutor: SerialExecutor, TaskExecutor {
    let queue: DispatchQueue
    let hostNode: Int
    let node: Int
    /// The virtual clock whose loop runs kswapd's jobs as events (kswapd is an actor of its own there),
    /// nil on the real engine.
    let virtualClock: VirtualClock?
    /// Whether this is kcompactd's executor (its virtual actor is `kcompactdActor(node:)`).
    let kcompactd: Bool

    init(node: Int, hostNode: Int, kcompactd: Bool = false) {
        self.hostNode = hostNode
        self.node = node
        self.kcompactd = kcompactd
        queue = DispatchQueue(label: kcompactd ? "kmsim.kcompactd\(node)" : "kmsim.kswapd\(node)")
        virtualClock = VirtualClock.booting
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let serial = asUnownedSerialExecutor()
        let preferred = asUnownedTaskExecutor()
        if let virtualClock,
           virtualClock.enqueueIfLooping(job, actor: kcompactd ? virtualClock.kcompactdActor(node: node)
                                                      : virtualClock.kswapdActor(node: node), side: nil, serial: serial,
                                         preferred: preferred) {
            return
        }
        let hostNode = self.hostNode
        queue.async {
            HostThreadState.ensureBound(toHostNode: hostNode)
            job.runSynchronously(isolatedTo: serial, taskExecutor: preferred)
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
    func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }
}
