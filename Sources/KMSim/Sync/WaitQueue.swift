import Dispatch
import Synchronization

/// How a wait ended.
public enum WaitResult: Sendable, Equatable {
    /// Woken by `wakeOne`/`wakeAll`, or the condition already held.
    case woken
    /// The timeout passed first (`wait_event_timeout()` returning 0).
    case timedOut
    /// The waiting Swift task was cancelled.
    case cancelled
    /// Entered from atomic context: reported, counted as an atomic wait, and returned without waiting.
    case atomicContext
}

/// A wait queue (`wait_queue_head_t`, include/linux/wait.h): the only way a simulated task blocks.
///
/// Waiting is `async`: the waiting task suspends and its CPU runs other tasks, as `schedule()` would. An
/// interrupt handler cannot call it at all (handlers are synchronous); a task that calls it while atomic
/// (spin lock held, preemption or interrupts disabled) gets the `might_sleep()` report, the machine's atomic
/// waits counter goes up, and the call returns `.atomicContext` at once instead of blocking. Waiters are
/// woken in FIFO order, as non-exclusive `__wake_up()` walks the list. The waiter list sits behind a
/// `Mutex` (an `OrderedMutex`, so ThreadSanitizer sees it); its critical sections are a few instructions
/// and never block.
public final class WaitQueue: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<WaitResult, Never>

        func resume(_ result: WaitResult) {
            continuation.resume(returning: result)
        }
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []

        mutating func remove(_ id: UInt64) -> Waiter? {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
    }

    private let state = OrderedMutex(State())
    private let debug: AtomicSleepDebug

    /// - Parameter debug: the machine's might_sleep checker, which counts atomic waits.
    public init(debug: AtomicSleepDebug) {
        self.debug = debug
    }

    /// Tasks waiting now (`waitqueue_active()` as a count).
    public var waiterCount: Int { state.withLock { $0.waiters.count } }

    /// `wait_event_timeout(wq, condition, timeout)`: returns `.woken` at once if `condition` holds, otherwise
    /// sleeps until a wake-up or the timeout. The condition is checked under the queue's lock, so a waker
    /// that makes it true and then wakes the queue cannot be missed (`prepare_to_wait()` then check).
    nonisolated(nonsending)
    public func wait(context: ExecutionContext, timeout: Duration? = nil,
                     file: String = #fileID, line: Int = #line,
                     until condition: @Sendable () -> Bool = { false }) async -> WaitResult {
        guard debug.enterWait(context: context, file: file, line: line) else { return .atomicContext }
        if Task.isCancelled { return .cancelled }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WaitResult, Never>) in
                // Checked under the lock the cancellation handler also takes, so a cancel that ran before
                // the waiter was queued is not missed.
                let early = state.withLock { state -> WaitResult? in
                    if condition() { return .woken }
                    if Task.isCancelled { return .cancelled }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let early {
                    continuation.resume(returning: early)
                } else if let timeout {
                    armTimeout(timeout, id: id)
                }
            }
        } onCancel: {
            expire(id: id, with: .cancelled)
        }
    }

    /// `wake_up()` for one exclusive waiter: wakes the oldest waiter. Returns whether there was one.
    @discardableResult
    public func wakeOne() -> Bool {
        let waiter = state.withLock { state -> Waiter? in
            state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume(.woken)
        return waiter != nil
    }

    /// `wake_up_all()`: wakes every waiter; returns how many.
    @discardableResult
    public func wakeAll() -> Int {
        let waiters = state.withLock { state -> [Waiter] in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(.woken) }
        return waiters.count
    }

    /// The timeout as a Dispatch deadline (the kernel's timer), or an event on the virtual clock: when it fires, the waiter is expired if it
    /// is still queued, and nothing happens if a wake-up or cancellation took it first. Not a `Task.sleep`
    /// that a wake-up would cancel, because a cancelled `Task.sleep` throws (see `scheduleTimeout`).
    private func armTimeout(_ timeout: Duration, id: UInt64) {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds) &* 1_000_000_000 &+ max(0, attoseconds) / 1_000_000_000
        if let clock = VirtualClock.current {
            return clock.schedule(after: nanoseconds) { [self] in expire(id: id, with: .timedOut) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [self] in
            expire(id: id, with: .timedOut)
        }
    }

    /// Removes a waiter that is still queued (a wake-up may have taken it already) and resumes it.
    private func expire(id: UInt64, with result: WaitResult) {
        state.withLock { $0.remove(id) }?.resume(result)
    }
}
