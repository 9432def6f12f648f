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
    /// `nopage_rs`: `static DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1)` in 6.12's `warn_alloc()`
    /// (mm/page_alloc.c; the 5 s / 10 defaults were replaced long before 6.12), shared by every
    /// `warn_alloc()` (page allocator and vmalloc failures): one report per 10 s.
    private let nopageRatelimit = OrderedMutex(RatelimitState(interval: WarnAllocRatelimit.interval,
                                                              burst: WarnAllocRatelimit.burst))

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

    /// `__ratelimit(&nopage_rs)` now on the run's clock. Like `___ratelimit()`, a caller that finds the
    /// state's lock taken is refused without being counted (another CPU is printing already).
    func allowWarning() -> RatelimitState.Decision {
        let jiffies = RatelimitState.jiffies(nanoseconds: VirtualClock.nowOrHost())
        return nopageRatelimit.withLockIfAvailable { $0.allow(jiffies: jiffies) }
            ?? RatelimitState.Decision(allowed: false, suppressed: 0)
    }
}

/// `nopage_rs`'s parameters in 6.12's `warn_alloc()`: `10*HZ` and a burst of 1.
enum WarnAllocRatelimit {
    static let interval: Int64 = 10 * RatelimitState.hz
    static let burst = 1
}
