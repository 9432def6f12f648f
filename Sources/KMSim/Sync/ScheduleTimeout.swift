import Dispatch
import Synchronization

/// `schedule_timeout()`: suspends the calling Swift task for `nanoseconds`, or until the task is cancelled.
/// On the virtual clock the timer is an event `nanoseconds` of simulated time after the caller's now.
/// Returns true when the whole timeout elapsed, false when cancellation cut it short.
///
/// Shaped as a Dispatch timer resuming a continuation rather than `Task.sleep`, because a cancelled
/// `Task.sleep` *throws*: every stop of a run and every early wake-up of a timed wait would throw a
/// `CancellationError`. Throwing is slow, and under swift-testing on Linux each throw runs the test
/// library's `swift_willThrow` backtrace hook, whose unwinder can spin forever in these async frames
/// (seen as a test process stuck at 100 % CPU in `_Unwind_Backtrace`). Nothing here throws.
@discardableResult
nonisolated(nonsending)
public func scheduleTimeout(nanoseconds: UInt64) async -> Bool {
    let sleeper = TimeoutSleeper()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            sleeper.arm(continuation)
            if let clock = VirtualClock.current {
                clock.schedule(after: Int64(min(nanoseconds, UInt64(Int64.max / 2)))) { sleeper.finish(elapsed: true) }
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(min(nanoseconds, UInt64(Int.max))))) {
                sleeper.finish(elapsed: true)
            }
        }
    } onCancel: {
        sleeper.finish(elapsed: false)
    }
}

/// One `scheduleTimeout` call's state: whichever of the timer and the cancellation handler comes first
/// resumes the task, the other finds it done. The state sits behind an `OrderedMutex`, so the type is Sendable
/// without exceptions.
private final class TimeoutSleeper: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Bool, Never>)
        case done(elapsed: Bool)
    }

    private let state = OrderedMutex(State.idle)

    /// Parks the task, unless cancellation already finished the sleep.
    func arm(_ continuation: CheckedContinuation<Bool, Never>) {
        let finished = state.withLock { state -> Bool? in
            if case .done(let elapsed) = state { return elapsed }
            state = .waiting(continuation)
            return nil
        }
        if let finished { continuation.resume(returning: finished) }
    }

    /// Ends the sleep the first time it is called.
    func finish(elapsed: Bool) {
        let parked = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            switch state {
            case .idle:
                state = .done(elapsed: elapsed)
                return nil
            case .waiting(let continuation):
                state = .done(elapsed: elapsed)
                return continuation
            case .done:
                return nil
            }
        }
        parked?.resume(returning: elapsed)
    }
}
