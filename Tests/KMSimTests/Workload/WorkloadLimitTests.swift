import Testing
@testable import KMSim

/// Values past a key's stated limit (README, "Key reference") are refused at the key, so nothing the
/// parser accepts reaches a trapping Double-to-integer conversion in the runner.
@Suite struct WorkloadLimitTests {
    static let group = "taskGroups:\n  - mix:\n      - {api: kmalloc, size: 64}\n"

    static let cases: [BrokenWorkloadTests.Case] = [
        .init(label: "duration past the longest run", yaml: "duration: 99999999999h\n" + group,
              expected: [(1, 11, "duration: found '99999999999h', expected a duration above zero of at most 1000000s")]),
        .init(label: "duration just past the longest run", yaml: "duration: 1000001s\n" + group,
              expected: [(1, 11, "at most 1000000s (about 11.6 days)")]),
        .init(label: "lifetime past the longest run", yaml: """
            taskGroups:
              - lifetime: 300000h
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 15, "lifetime: found 18000000m, expected a duration of at most 1000000s (about 11.6 days) (or forever)")]),
        .init(label: "lifetime of more operations than a task's ring holds", yaml: """
            taskGroups:
              - lifetime: 2147483647
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 15, "lifetime: found 2147483647 operations, expected at most 10000000")]),
        .init(label: "opsPerSecond above 10^9", yaml: """
            taskGroups:
              - opsPerSecond: 1e300
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 19, "opsPerSecond: found '1e300', expected a rate within 0.001...1000000000 per second")]),
        .init(label: "opsPerSecond below one per 1000 s", yaml: """
            taskGroups:
              - opsPerSecond: 0.0000000001
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 19, "opsPerSecond: found '0.0000000001', expected a rate within 0.001...1000000000")]),
        .init(label: "operations that would outlast the longest run at their rate", yaml: """
            operations: 2000000000
            taskGroups:
              - opsPerSecond: 10
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(3, 19, "opsPerSecond: 2000000000 operations at 10 a second take longer than the longest run, 1000000s (about 11.6 days); expected a rate of at least 2000")]),
        .init(label: "interrupt rate above what a source delivers", yaml: """
            interrupts:
              - rate: 5000000
                allocations:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 11, "rate: found '5000000', expected a rate within 0.001...1000000 per second")]),
        .init(label: "bug rate too small for its timer", yaml: """
            bugs:
              - {kind: doubleFree, deliberate: true, rate: 1e-300}
            """, expected: [(2, 48, "rate: found '1e-300', expected a rate within 0.001...1000000 per second")]),
        .init(label: "ioLatency past its limit", yaml: "reclaim: {ioLatency: 1e300s}\n" + group,
              expected: [(1, 22, "ioLatency: found '1e300s', expected a duration of at most 1000000s")]),
    ]

    @Test(arguments: cases)
    func valuePastItsLimitIsRefusedAtTheKey(_ testCase: BrokenWorkloadTests.Case) {
        let errors = BrokenWorkloadTests.errors(testCase.yaml)
        #expect(errors.count == testCase.expected.count, "\(errors.map(\.description))")
        for (error, expected) in zip(errors, testCase.expected) {
            #expect(error.line == expected.0 && error.column == expected.1, "\(error)")
            #expect(error.message.contains(expected.2), "\(error)")
        }
    }

    /// The limits themselves are accepted: a limit is a bound, not an off-by-one refusal.
    @Test func valuesAtTheLimitsParse() throws {
        let yaml = """
            duration: 1000000s
            taskGroups:
              - opsPerSecond: 1000000000
                lifetime: 1000000s
                mix:
                  - {api: kmalloc, size: 64}
              - opsPerSecond: 0.001
                mix:
                  - {api: kmalloc, size: 64}
            interrupts:
              - rate: 1000000
                allocations:
                  - {api: kmalloc, size: 64}
            bugs:
              - {kind: doubleFree, deliberate: true, rate: 0.001}
            """
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "limits.yaml").spec
        #expect(spec.length == .duration(seconds: 1_000_000))
        #expect(spec.interrupts.first?.ratePerSecond == 1_000_000)
    }

    /// `kmsim stress` and `kmsim run --duration` share the limits.
    @Test func stressFlagsPastTheirLimitsAreRefused() {
        var options = StressOptions()
        options.duration = "99999999999h"
        options.irqRate = 5_000_000
        #expect(throws: StressOptionsError.self) { try WorkloadSpec(stress: options) }
        do {
            _ = try WorkloadSpec(stress: options)
        } catch {
            #expect(error.problems.contains { $0.hasPrefix("--duration: found '99999999999h'") && $0.contains("at most 1000000s") })
            #expect(error.problems.contains { $0.hasPrefix("--irq-rate: found 5000000") && $0.contains("0.001...1000000") })
        }
        #expect(TimeSpan.parseDuration("1000000s") == 1_000_000)
        #expect(TimeSpan.parseDuration("1000001s") == nil)
        #expect(TimeSpan.parseDuration("0s") == nil && TimeSpan.parseDuration("0s", allowZero: true) == 0)
    }

    /// The runner's own conversion saturates instead of trapping on what code (not the parser) passes.
    @Test func nanosecondConversionSaturates() {
        #expect(nanoseconds(seconds: 1.5) == 1_500_000_000)
        #expect(nanoseconds(seconds: -1) == 0 && nanoseconds(seconds: .nan) == 0)
        #expect(nanoseconds(seconds: 1e300) == .max && nanoseconds(seconds: .infinity) == .max)
        #expect(nanoseconds(seconds: 18_446_744_073.709_551) > 18_446_744_073_000_000_000)
    }
}
