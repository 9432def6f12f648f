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
    }

    /// Texts kept; reports beyond it are counted but their text is dropped (as the kernel's
    /// `bad_page()` rate limit suppresses messages but still taints).
    public let capacity: Int
    private let log: OrderedMutex<Log>

    public init(capacity: Int = 1000) {
        self.capacity = capacity
        log = OrderedMutex(Log())
    }

    /// Records one report.
    public func record(_ kind: BugKind, _ text: String) {
        log.withLock { log in
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

    /// Every kept report's text, as one log.
    public func renderLog() -> String { reports.map(\.text).joined() }
}
