import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time limits of tests that wait: turn a hang into a failure instead of a stuck CI job.
///
/// Swift Testing's clock starts when a test is scheduled, not when it gets a thread. Under
/// ThreadSanitizer (`swift test --sanitize=thread`) on a 2-core host every test runs many times slower
/// and, with the suites in parallel, even a test of a few microseconds waited more than 5 minutes for the
/// cooperative pool (seen: 92 limits expired, pure computations among them, and no race reported). So a
/// TSan build gets twelve times the limit. A plain build gets three times the limit as written: the
/// whole suite in parallel on a 2-core host that other builds load (load averages of 20 to 75) saw up
/// to 25 tests that pass alone in seconds wait past their minute before they ran; a hang still fails.
enum TestTime {
    /// Whether the test binary runs under ThreadSanitizer (its runtime's entry point is linked in).
    static let underThreadSanitizer: Bool = dlsym(nil, "__tsan_init") != nil

    /// `.timeLimit(.minutes(minutes))`: three times that in a plain build, twelve times under
    /// ThreadSanitizer.
    static func limit(minutes: Int) -> TimeLimitTrait {
        .timeLimit(.minutes(minutes * (underThreadSanitizer ? 12 : 3)))
    }
}
