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
    ///
    /// Never inlined: `clock_gettime()` takes the address of a local `timespec`, and a function that
    /// takes a local's address gets a stack canary (Swift's stack protector). Inlined, this read put one
    /// into every fast path that inlines a lock's release, although they only read the clock when
    /// timing: a load, a store and a compare-and-branch per call (callgrind: 10 instructions per order-0
    /// alloc/free pair). The call costs nothing next to the clock read it leads to.
    @inline(never)
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}
