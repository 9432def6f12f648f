import Dispatch
import Synchronization
@testable import KMSim

/// A serial executor that counts the jobs enqueued on it: a call that leaves the actor running on it and
/// comes back enqueues at least its continuation here.
final class CountingExecutor: SerialExecutor {
    let queue = DispatchQueue(label: "kmsim.test.counting-executor")
    let enqueued = Atomic<Int>(0)

    func enqueue(_ job: consuming ExecutorJob) {
        enqueued.add(1, ordering: .relaxed)
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}

/// A stand-in for a CPU's runqueue whose executor counts its jobs: it runs an allocation on itself and
/// reports how many jobs were enqueued meanwhile (0 when the allocation never left the actor).
actor CountingCPU {
    nonisolated let executor = CountingExecutor()
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Runs `body` on this actor; `body` is `nonisolated(nonsending)` so that calling it does not leave
    /// the actor by itself: only what it calls can.
    func jobsDuring<R: Sendable>(_ body: nonisolated(nonsending) @Sendable () async -> R) async -> (jobs: Int, result: R) {
        let before = executor.enqueued.load(ordering: .relaxed)
        let result = await body()
        return (executor.enqueued.load(ordering: .relaxed) - before, result)
    }
}
