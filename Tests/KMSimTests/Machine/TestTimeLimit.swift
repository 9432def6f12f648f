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
/// TSan build gets twelve times the limit; a plain build the limit as written.
enum TestTime {
    /// Whether the test binary runs under ThreadSanitizer (its runtime's entry point is linked in).
    static let underThreadSanitizer: Bool = dlsym(nil, "__tsan_init") != nil

    /// `.timeLimit(.minutes(minutes))`, twelve times that under ThreadSanitizer.
    static func limit(minutes: Int) -> TimeLimitTrait {
        .timeLimit(.minutes(underThreadSanitizer ? minutes * 12 : minutes))
    }
}
