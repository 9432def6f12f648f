import Synchronization

/// What kind of kernel complaint a report is: the first line's classification, used to count reports.
public struct BugKind: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// `bad_page()`: "BUG: Bad page state in process ..." (a bad or double free).
    public static let badPageState = BugKind("bad_page_state")
    /// A `WARN_ON_ONCE` in the allocator entry (order above MAX_PAGE_ORDER, invalid zone modifiers,
    /// a CPU that does not exist).
    public static let allocWarning = BugKind("alloc_warning")
    /// `warn_alloc()`: "page allocation failure".
    public static let allocFailure = BugKind("page_allocation_failure")
    /// `panic()`: "Kernel panic - not syncing: ..." (`BugReports.panic`); the run's outcome, not a BUG.
    public static let kernelPanic = BugKind("kernel_panic")
}

/// One report: its kind and the text the kernel would print to the log.
public struct BugReport: Sendable, Equatable {
    public var kind: BugKind
    public var text: String
}

/// The simulated kernel log of bug reports (`pr_alert`/`dump_page` output): counted by kind, texts kept
/// up to a bound, shared by every subsystem that reports kernel-style problems instead of crashing.
///
/// Thread-safe through an `OrderedMutex` (a Mutex TSan sees); reporting is a slow path.
public final class BugReports: Sendable {
    private struct Log {
        var counts: [BugKind: Int] = [:]
        var reports: [BugReport] = []
        var dropped = 0
        /// `panic()`'s reason once the simulated kernel panicked.
        var panic: String?
        /// Called once, at the panic (`whenPanicked`).
        var panicHooks: [@Sendable () -> Void] = []
    }

    /// Texts kept; reports beyond it are counted but their text is dropped (as the kernel's
    /// `bad_page()` rate limit suppresses messages but still taints).
    public let capacity: Int
    private let log: OrderedMutex<Log>
    /// Set (inside the lock) by the first `panic`; read without the lock by the allocator's slow path.
    private let panicked = Atomic<Bool>(false)

    public init(capacity: Int = 1000) {
        self.capacity = capacity
        log = OrderedMutex(Log())
    }

    /// Records one report; none after a panic (the kernel stops the other CPUs, and its log ends with the
    /// panic line).
    public func record(_ kind: BugKind, _ text: String) {
        log.withLock { log in
            guard log.panic == nil else { return }
            log.counts[kind, default: 0] += 1
            if log.reports.count < capacity {
                log.reports.append(BugReport(kind: kind, text: text))
            } else {
                log.dropped += 1
            }
        }
    }

    /// How many reports of `kind` were made.
    public func count(_ kind: BugKind) -> Int { log.withLock { $0.counts[kind] ?? 0 } }

    /// Report counts by kind.
    public var counts: [BugKind: Int] { log.withLock { $0.counts } }

    /// The kept reports, oldest first.
    public var reports: [BugReport] { log.withLock { $0.reports } }

    /// Reports whose text was dropped for lack of room.
    public var droppedTexts: Int { log.withLock { $0.dropped } }

    /// `panic()` (kernel/panic.c): logs `text` and "Kernel panic - not syncing: <reason>" once, marks the
    /// machine as halted and calls the `whenPanicked` hooks. Returns true for the call that panicked,
    /// false when the machine had already panicked (a second CPU reaching a panic path logs nothing, as
    /// the kernel's `panic_cpu` lets only the first CPU through). The panic is the run's outcome, not a
    /// BUG report (kind `kernel_panic`); its text is kept even when the log is full.
    @discardableResult
    public func panic(_ reason: String, log text: String) -> Bool {
        let hooks: [@Sendable () -> Void]? = log.withLock { log in
            guard log.panic == nil else { return nil }
            log.panic = reason
            log.counts[.kernelPanic, default: 0] += 1
            log.reports.append(BugReport(kind: .kernelPanic, text: text + "Kernel panic - not syncing: \(reason)\n"))
            panicked.store(true, ordering: .relaxed)
            let hooks = log.panicHooks
            log.panicHooks = []
            return hooks
        }
        guard let hooks else { return false }
        for hook in hooks { hook() }
        return true
    }

    /// The panic's reason ("System is deadlocked on memory"), nil while the machine runs.
    public var panicReason: String? { log.withLock { $0.panic } }

    /// Whether the simulated kernel panicked; a relaxed load for the allocator's loops.
    public var hasPanicked: Bool { panicked.load(ordering: .relaxed) }

    /// Calls `hook` at the panic, or at once when the machine already panicked.
    public func whenPanicked(_ hook: @escaping @Sendable () -> Void) {
        let already = log.withLock { log in
            if log.panic != nil { return true }
            log.panicHooks.append(hook)
            return false
        }
        if already { hook() }
    }

    /// Every kept report's text, as one log.
    public func renderLog() -> String { reports.map(\.text).joined() }
}
