import Synchronization

/// Lets `--check` stop the workload at a safe point: no task in the middle of a batch, no interrupt
/// handler running, so the allocator's lists, page frames and slab counters can be walked.
///
/// A batch or handler *enters* (`active += 1`, then reads `pausing`); the checker sets `pausing`, then
/// waits for `active` to drain to 0. With sequentially consistent operations on both sides at least one
/// of the two sees the other (the store-buffer pattern), so nothing runs while the checker reads. A task
/// that finds the gate closed waits (suspended, its CPU free for other work) until `resume()`; an interrupt
/// handler that finds it closed returns at once and the interrupt counts as dropped, as one arriving
/// while interrupts are masked would be coalesced. Interrupt sources keep firing during the pause.
final class RunGate: Sendable {
    private let pausing = Atomic<Bool>(false)
    private let active = Atomic<Int>(0)
    private let waiters = OrderedMutex<[CheckedContinuation<Void, Never>]>([])

    /// Interrupt side: true when the handler may run; it must call `leave()` when done.
    @inline(__always)
    func tryEnter() -> Bool {
        active.add(1, ordering: .sequentiallyConsistent)
        if pausing.load(ordering: .sequentiallyConsistent) {
            active.subtract(1, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    /// Task side: enters, waiting while the gate is closed.
    nonisolated(nonsending) func enter() async {
        while !tryEnter() {
            await withCheckedContinuation { continuation in
                let parked = waiters.withLock { list -> Bool in
                    guard pausing.load(ordering: .sequentiallyConsistent) else { return false }
                    list.append(continuation)
                    return true
                }
                if !parked { continuation.resume() }
            }
        }
    }

    @inline(__always)
    func leave() {
        active.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Closes the gate and returns once every batch and handler in progress has left.
    func pause() async {
        pausing.store(true, ordering: .sequentiallyConsistent)
        while active.load(ordering: .sequentiallyConsistent) != 0 {
            await scheduleTimeout(nanoseconds: 20_000)
        }
    }

    /// Opens the gate and wakes the waiting tasks.
    func resume() {
        let parked = waiters.withLock { list -> [CheckedContinuation<Void, Never>] in
            pausing.store(false, ordering: .sequentiallyConsistent)
            defer { list.removeAll() }
            return list
        }
        for continuation in parked { continuation.resume() }
    }
}
