#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock lock_stat reads: `lockstat_clock()`, which is `local_clock()` in the kernel, a per-CPU
/// nanosecond clock that is cheap because it does not synchronise across CPUs.
///
/// kmsim reads `clock_gettime(CLOCK_MONOTONIC)` directly: on Linux it is served by the vDSO without a
/// system call, and measured 28 ns a read against 66 ns for `ContinuousClock.now` (which goes through
/// the Swift runtime and builds an `Instant`). The value is nanoseconds since boot, so it is never zero; the
/// spin lock uses zero to mean "no hold time being measured".
enum LockStatClock {
    /// Nanoseconds on the monotonic clock.
    @inline(__always)
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}
