/// Sleeping for simulated I/O time (writeback, swap-out): `io_schedule_timeout()` for a known duration.
///
/// Process context only: the task suspends and its CPU runs other tasks. From atomic context the call is a
/// bug: it is reported like any sleeping call, counted as an atomic wait, and returns false at once.
/// Returns true when the task slept (or was cancelled while sleeping).
@discardableResult
nonisolated(nonsending)
public func simulatedSleep(nanoseconds: UInt64, context: ExecutionContext, debug: AtomicSleepDebug,
                           file: String = #fileID, line: Int = #line) async -> Bool {
    guard debug.enterWait(context: context, file: file, line: line) else { return false }
    await scheduleTimeout(nanoseconds: nanoseconds)
    return true
}
