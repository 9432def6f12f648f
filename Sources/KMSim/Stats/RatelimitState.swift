/// `struct ratelimit_state` and `___ratelimit()` (lib/ratelimit.c, Linux 6.12): at most `burst` callers
/// pass per `interval` jiffies; the first caller after an interval has elapsed starts a new one and,
/// when callers were refused in the last, the kernel first prints "<func>: N callbacks suppressed".
///
/// Time is in jiffies with HZ = 1000 (milliseconds) on the run's clock: virtual nanoseconds on the
/// virtual clock, so a virtual run's reports are the same every time, and the host's monotonic clock
/// on the real engine. The kernel marks an unused state with `begin == 0` (its jiffies start at
/// `INITIAL_JIFFIES`, far from 0); kmsim's virtual jiffies start at 0, so an unused state has no begin.
/// Not synchronised itself: its owner holds it behind a lock it only tries (`raw_spin_trylock`).
struct RatelimitState {
    /// `HZ`: jiffies per second.
    static let hz: Int64 = 1000
    /// `DEFAULT_RATELIMIT_INTERVAL` (5 * HZ).
    static let defaultInterval: Int64 = 5 * hz
    /// `DEFAULT_RATELIMIT_BURST`.
    static let defaultBurst = 10

    /// `interval` (jiffies) and `burst`.
    let interval: Int64
    let burst: Int
    /// `begin`: the jiffy the current interval started; nil before the first call.
    private(set) var begin: Int64?
    /// `printed` in the current interval and `missed` (refused) since the last report of them.
    private(set) var printed = 0
    private(set) var missed = 0

    init(interval: Int64 = Self.defaultInterval, burst: Int = Self.defaultBurst) {
        self.interval = interval
        self.burst = burst
    }

    /// What `___ratelimit()` decided for one caller.
    struct Decision: Equatable {
        /// The caller may print (`___ratelimit()` returned 1).
        var allowed: Bool
        /// Callers refused in the interval that just ended, to report as "N callbacks suppressed" before
        /// anything else (0: no such line).
        var suppressed: Int
    }

    /// `___ratelimit()` at `jiffies`: an interval of 0 lets everything pass; once `jiffies` is past
    /// `begin + interval` (`time_is_before_jiffies()`, strictly after) a new interval starts and the
    /// refused count is handed out; then the caller passes while fewer than `burst` have, else it is
    /// counted as missed.
    mutating func allow(jiffies: Int64) -> Decision {
        if interval == 0 { return Decision(allowed: true, suppressed: 0) }
        if begin == nil { begin = jiffies }
        var suppressed = 0
        if let begin, jiffies > begin + interval {
            suppressed = missed
            missed = 0
            self.begin = jiffies
            printed = 0
        }
        if burst > 0 && burst > printed {
            printed += 1
            return Decision(allowed: true, suppressed: suppressed)
        }
        missed += 1
        return Decision(allowed: false, suppressed: suppressed)
    }

    /// `jiffies` for a time in nanoseconds on the run's clock.
    static func jiffies(nanoseconds: Int64) -> Int64 { nanoseconds / (1_000_000_000 / hz) }
}
