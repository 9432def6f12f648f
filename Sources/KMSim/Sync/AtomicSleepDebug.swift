import Synchronization

/// `CONFIG_DEBUG_ATOMIC_SLEEP` for the simulated machine: the `might_sleep()` check every sleeping call
/// makes, its report, and the machine-wide **atomic waits** counter.
///
/// Mirrors `__might_resched()` (kernel/sched/core.c, Linux 6.12). A sleeping call from atomic context
/// (interrupt, preemption or interrupts disabled, spin lock held) records the kernel's report in the
/// machine's `BugReports` (kind `.sleepingInAtomic`), is counted, and the call proceeds without blocking.
/// Unlike the kernel, every occurrence is reported (the kernel prints at most one per second), so tests see
/// each one. The counters are plain atomics: they move only when code is wrong, so they never contend in a
/// correct run. The modelled kernel is a distribution build (`CONFIG_PREEMPT_DYNAMIC`, hence
/// `CONFIG_PREEMPT_RCU`, so the "RCU nest depth" line is printed; simulated code holds no RCU read lock
/// across a sleep, so it reads 0).
public final class AtomicSleepDebug: Sendable {
    /// The kernel release string the reports name (`init_utsname()->release`).
    public static let kernelRelease = "6.12.0-kmsim"
    /// `TAINT_FLAGS_COUNT` in 6.12, and the position of `TAINT_WARN` ('W') among the flags.
    static let taintFlagCount = 19
    static let taintWarnBit = 9

    /// The machine's kernel log the reports go to.
    public let bugReports: BugReports
    private let taskName: @Sendable (ExecutionContext) -> String
    private let invalidSleeps = Atomic<Int>(0)
    private let atomicWaitCount = Atomic<Int>(0)
    /// `add_taint(TAINT_WARN)` after the first report: later reports say "Tainted: G W".
    private let taintedWarn = Atomic<Bool>(false)

    /// - Parameters:
    ///   - bugReports: the machine's kernel log.
    ///   - taskName: `current->comm` for a context; by default `kmsim/PID` for a task and `swapper/N` (the
    ///     idle task an interrupt lands on) otherwise, as the page allocator's reports name them.
    public init(bugReports: BugReports,
                taskName: @escaping @Sendable (ExecutionContext) -> String = AtomicSleepDebug.defaultTaskName) {
        self.bugReports = bugReports
        self.taskName = taskName
    }

    public static func defaultTaskName(_ context: ExecutionContext) -> String {
        context.kind == .task && context.pid != 0 ? "kmsim/\(context.pid)" : "swapper/\(context.cpu)"
    }

    /// "sleeping function called from invalid context" reports so far.
    public var invalidContextSleeps: Int { invalidSleeps.load(ordering: .relaxed) }

    /// Waits entered while atomic (each returned at once instead of blocking). Stays 0 in correct code.
    public var atomicWaits: Int { atomicWaitCount.load(ordering: .relaxed) }

    /// `might_sleep()`: returns true when `context` may sleep; otherwise reports as `__might_resched()` does,
    /// counts, and returns false so the caller proceeds without blocking.
    @discardableResult
    public func mightSleep(context: ExecutionContext, file: String = #fileID, line: Int = #line) -> Bool {
        guard context.isAtomic else { return true }
        invalidSleeps.add(1, ordering: .relaxed)
        bugReports.record(.sleepingInAtomic, report(context: context, file: file, line: line))
        return false
    }

    /// Called by every sleeping wait before it blocks (`wait_event()` starts with `might_sleep()`): in atomic
    /// context it reports, counts an atomic wait and returns false, and the caller must not wait.
    func enterWait(context: ExecutionContext, file: String, line: Int) -> Bool {
        guard mightSleep(context: context, file: file, line: line) else {
            atomicWaitCount.add(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Reports a wait for other CPUs attempted from atomic context where the kernel warns rather than runs
    /// `might_sleep()` (`smp_call_function_many_cond()`'s `WARN_ON_ONCE(!in_task())` and its
    /// `lockdep_assert_irqs_enabled()`); counted as an atomic wait.
    func warnAtomicCrossCPUWait(context: ExecutionContext, function: String, file: String, line: Int) {
        atomicWaitCount.add(1, ordering: .relaxed)
        let text = "WARNING: CPU: \(context.cpu) PID: \(context.pid) at \(file):\(line) \(function)\n"
            + dumpStackInfo(context: context) + "\n"
        taintedWarn.store(true, ordering: .relaxed)
        bugReports.record(.smpCallFromAtomic, text)
    }

    /// The lines `__might_resched()` prints, then `dump_stack()`'s first line, each newline-terminated.
    func report(context: ExecutionContext, file: String, line: Int) -> String {
        let name = taskName(context)
        let lines = [
            "BUG: sleeping function called from invalid context at \(file):\(line)",
            "in_atomic(): \(context.inAtomic ? 1 : 0), irqs_disabled(): \(context.irqsDisabled ? 1 : 0), "
                + "non_block: 0, pid: \(context.pid), name: \(name)",
            "preempt_count: \(String(context.kernelPreemptCount, radix: 16)), expected: 0",
            "RCU nest depth: 0, expected: 0",
            dumpStackInfo(context: context),
        ]
        taintedWarn.store(true, ordering: .relaxed)
        return lines.map { $0 + "\n" }.joined()
    }

    /// `dump_stack_print_info()` in 6.12: "CPU: %d UID: %u PID: %d Comm: %.20s %s%s %s %.*s".
    func dumpStackInfo(context: ExecutionContext) -> String {
        let comm = String(taskName(context).prefix(20))
        return "CPU: \(context.cpu) UID: 0 PID: \(context.pid) Comm: \(comm) \(printTainted()) "
            + "\(Self.kernelRelease) #1"
    }

    /// `print_tainted()`: "Not tainted", or "Tainted: " and one column per taint flag ('G' in column 0 when
    /// no proprietary module is loaded, 'W' for TAINT_WARN).
    func printTainted() -> String {
        guard taintedWarn.load(ordering: .relaxed) else { return "Not tainted" }
        var flags = Array(repeating: Character(" "), count: Self.taintFlagCount)
        flags[0] = "G"
        flags[Self.taintWarnBit] = "W"
        return "Tainted: " + String(flags)
    }
}
