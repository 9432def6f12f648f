import Atomics
import Synchronization

/// What the page allocator's slow path reaches beyond the buddy lists: the machine's reclaim (kswapd,
/// direct reclaim, the OOM killer), attached once at boot after both exist, and `warn_alloc()`'s rate
/// limit (`nopage_rs`).
///
/// Synchronisation: the reclaim reference is an atomic strong reference (swift-atomics'
/// `AtomicReference`), set at boot and cleared when the machine goes away (`Machine.deinit`), which
/// breaks the allocator ↔ reclaim cycle; the rate limit state sits behind a `Mutex` (failure reports
/// are a slow path). Hence `Sendable`.
public final class ReclaimLink: Sendable {
    private let reclaim = ManagedAtomic<PageReclaim?>(nil)
    private let ratelimit = OrderedMutex(WarnAllocRatelimit())

    /// The attached reclaim, nil on an allocator booted without one (then the slow path has no
    /// kswapd, direct reclaim or OOM killer, and blocking requests fail where they would reclaim).
    var current: PageReclaim? { reclaim.load(ordering: .acquiring) }

    /// Attaches `reclaim`; false when one is attached already.
    @discardableResult
    func attach(_ reclaim: PageReclaim) -> Bool {
        self.reclaim.compareExchange(expected: nil, desired: reclaim, ordering: .acquiringAndReleasing).exchanged
    }

    /// Detaches the reclaim (machine teardown).
    func detach() {
        reclaim.store(nil, ordering: .releasing)
    }

    /// `__ratelimit(&nopage_rs)`: whether a failure report may be printed now, and how many were
    /// suppressed since the last printed one's interval began ("warn_alloc: N callbacks suppressed").
    func allowWarning() -> (allowed: Bool, suppressed: Int) {
        ratelimit.withLock { $0.allow(now: VirtualClock.nowOrHost()) }
    }
}

/// `struct ratelimit_state` with `DEFAULT_RATELIMIT_INTERVAL` (5 s) and `DEFAULT_RATELIMIT_BURST` (10).
struct WarnAllocRatelimit {
    static let intervalNanoseconds: Int64 = 5_000_000_000
    static let burst = 10
    var begin: Int64 = 0
    var printed = 0
    var missed = 0

    /// `___ratelimit()`.
    mutating func allow(now: Int64) -> (allowed: Bool, suppressed: Int) {
        var suppressed = 0
        if begin == 0 || now - begin >= Self.intervalNanoseconds {
            suppressed = missed
            begin = now
            printed = 0
            missed = 0
        }
        if printed < Self.burst {
            printed += 1
            return (true, suppressed)
        }
        missed += 1
        return (false, suppressed)
    }
}
