import CKMSimShims
import Foundation

/// The clock that times each allocation in the runner: the x86 time-stamp counter when it is invariant
/// (`constant_tsc` and `nonstop_tsc` in /proc/cpuinfo, as the kernel requires before `sched_clock()`
/// trusts it), calibrated once against CLOCK_MONOTONIC; otherwise CLOCK_MONOTONIC itself. A TSC read
/// costs a few nanoseconds against ~28 ns for the vDSO `clock_gettime`, and the runner reads the clock
/// twice per allocation.
struct HostCycleClock: Sendable {
    /// Whether `ticks()` reads the TSC (else it returns nanoseconds).
    let usesTSC: Bool
    /// Nanoseconds per tick.
    let nanosecondsPerTick: Double
    /// `nanosecondsPerTick` in 32.32 fixed point: nanoseconds = ticks × mult >> 32, the kernel's cyc2ns
    /// conversion (`mul_u64_u32_shr()` in arch/x86/kernel/tsc.c), so converting a reading costs an integer
    /// multiply instead of a floating-point round trip with range checks.
    let mult: UInt64

    init(usesTSC: Bool, nanosecondsPerTick: Double) {
        self.usesTSC = usesTSC
        self.nanosecondsPerTick = nanosecondsPerTick
        mult = UInt64((nanosecondsPerTick * 4_294_967_296).rounded())
    }

    /// The process's clock, calibrated on first use (about 5 ms).
    static let shared = HostCycleClock.calibrated()

    /// A raw reading, only meaningful as a difference converted by `nanoseconds(from:to:)`.
    @inline(__always)
    func ticks() -> UInt64 {
        usesTSC ? kmsim_rdtsc() : monotonicNanoseconds()
    }

    /// Nanoseconds between two readings on the same thread; 0 if the second is earlier (a thread that
    /// moved to a core whose counter lags).
    @inline(__always)
    func nanoseconds(from start: UInt64, to end: UInt64) -> UInt64 {
        guard end > start else { return 0 }
        guard usesTSC else { return end &- start }
        let product = (end &- start).multipliedFullWidth(by: mult)
        return product.high << 32 | product.low >> 32
    }

    /// Measures the TSC rate over 5 ms of CLOCK_MONOTONIC, or falls back to CLOCK_MONOTONIC.
    static func calibrated() -> HostCycleClock {
        let fallback = HostCycleClock(usesTSC: false, nanosecondsPerTick: 1)
        guard kmsim_rdtsc_is_hardware() != 0, tscIsInvariant() else { return fallback }
        let startTime = monotonicNanoseconds()
        let startTicks = kmsim_rdtsc()
        var endTime = startTime
        while endTime &- startTime < 5_000_000 { endTime = monotonicNanoseconds() }
        let endTicks = kmsim_rdtsc()
        guard endTicks > startTicks else { return fallback }
        return HostCycleClock(usesTSC: true,
                              nanosecondsPerTick: Double(endTime - startTime) / Double(endTicks - startTicks))
    }

    /// Whether the first CPU's flags in /proc/cpuinfo include `constant_tsc` and `nonstop_tsc`.
    static func tscIsInvariant() -> Bool {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            return false
        }
        let names = Set(flags.split(separator: " ").map(String.init))
        return names.contains("constant_tsc") && names.contains("nonstop_tsc")
    }
}
