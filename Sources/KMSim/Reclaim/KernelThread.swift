import Synchronization

/// The lifecycle of a simulated per-node kernel thread (kswapd, kcompactd): `kthread_run()` once on
/// its pinned executor, `kthread_should_stop()`, and `kthread_stop()` waiting for it to exit.
///
/// Synchronisation: the stop flag is an atomic read by the thread's loop; the thread's `Task` sits
/// behind a mutex, so a start racing a stop either starts before the flag is set or not at all.
final class KernelThread: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let task = OrderedMutex<Task<Void, Never>?>(nil)

    /// `kthread_should_stop()`.
    var shouldStop: Bool { stopping.load(ordering: .relaxed) }

    /// Whether the thread has been started.
    var isStarted: Bool { task.withLock { $0 != nil } }

    /// Starts `body` on `executor` unless the thread runs already or is stopping.
    func startIfNeeded(on executor: KswapdExecutor, _ body: @escaping @Sendable () async -> Void) {
        task.withLock { task in
            guard task == nil, !shouldStop else { return }
            task = Task(executorPreference: executor) { await body() }
        }
    }

    /// Sets the stop flag; the owner then wakes the thread.
    func requestStop() { stopping.store(true, ordering: .relaxed) }

    /// Waits for the thread to exit (after `requestStop` and a wake-up).
    func join() async {
        let running = task.withLock { $0 }
        await running?.value
    }
}
