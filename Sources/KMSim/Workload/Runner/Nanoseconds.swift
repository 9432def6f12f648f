/// Seconds as whole nanoseconds for a timer, a deadline or an object's lifetime, without trapping: NaN,
/// zero and negative values give 0, values past `UInt64`'s range give `UInt64.max`.
///
/// The workload parser bounds every duration and rate a file or flag can give (`TimeSpan.maximumSeconds`,
/// `WorkloadDecoder.opsPerSecondRange`, `InterruptSource.rateRange`), so for parsed workloads this is
/// a plain conversion; it saturates only for values a caller of the library builds in code.
@inline(__always)
func nanoseconds(seconds: Double) -> UInt64 {
    let value = seconds * 1e9
    guard value > 0 else { return 0 }
    guard value < 18_446_744_073_709_551_616.0 else { return .max }
    return UInt64(value)
}
