import Foundation
import Testing
@testable import KMSim

/// The `faults:` section, `makeItFail`/`failNth` and whole runs: located errors for bad knobs, injected
/// failures in the report, fail-nth walking a task's allocations, and repeatable runs for a seed.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct FaultInjectionWorkloadTests {
    static func errors(_ yaml: String) -> [WorkloadDiagnostic] {
        do {
            _ = try WorkloadSpec.parse(yaml: yaml, file: "faults.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    static let group = """
        taskGroups:
          - name: t
            cpus: 0
            gfp: GFP_ATOMIC
            mix:
              - {api: kmalloc, size: 64}
        """

    @Test func theSectionIsRead() throws {
        let parsed = try WorkloadSpec.parse(yaml: Self.group + """

            faults:
              failslab:
                probability: 5%
                interval: 2
                times: -1
                space: 4KiB
                verbose: 1
                task-filter: true
                ignore-gfp-wait: false
                cache-filter: true
                caches: [kmalloc-64]
              fail_page_alloc:
                probability: 100
                ignore-gfp-highmem: false
                min-order: 0
            """, file: "faults.yaml")
        #expect(parsed.warnings.isEmpty)
        #expect(parsed.spec.faults.failslab == FailSlabSpec(
            attr: FaultAttrSpec(probability: 5, interval: 2, times: -1, space: 4096, verbose: 1, taskFilter: true),
            ignoreGFPWait: false, cacheFilter: true, caches: ["kmalloc-64"]))
        #expect(parsed.spec.faults.failPageAlloc == FailPageAllocSpec(
            attr: FaultAttrSpec(probability: 100), ignoreGFPWait: true, ignoreGFPHighmem: false, minOrder: 0))
    }

    @Test func taskGroupKeys() throws {
        let parsed = try WorkloadSpec.parse(yaml: Self.group + "\n    makeItFail: true\n    failNth: 7\n", file: "faults.yaml")
        #expect(parsed.spec.taskGroups[0].makeItFail)
        #expect(parsed.spec.taskGroups[0].failNth == 7)
        #expect(parsed.spec.faults.isEmpty)
    }

    @Test(arguments: [
        ("faults:\n  failslab:\n    probability: 150\n", 3, 18, "faults.failslab.probability: found '150', expected a percentage within 0...100"),
        ("faults:\n  failslab:\n    times: -2\n", 3, 12, "faults.failslab.times: found '-2', expected an integer within -1..."),
        ("faults:\n  failslab:\n    interval: 0\n", 3, 15, "faults.failslab.interval: found '0', expected an integer within 1..."),
        ("faults:\n  failslab:\n    verbose: 3\n", 3, 14, "faults.failslab.verbose: found '3', expected an integer within 0...2"),
        ("faults:\n  failslab:\n    space: -1\n", 3, 12, "faults.failslab.space: found '-1', expected a byte size"),
        ("faults:\n  failslab:\n    ignore-gfp-wiat: false\n", 3, 5, "unknown key 'ignore-gfp-wiat' in faults.failslab, did you mean 'ignore-gfp-wait'?"),
        ("faults:\n  failslab:\n    min-order: 1\n", 3, 5, "unknown key 'min-order' in faults.failslab"),
        ("faults:\n  fail_page_alloc:\n    min-order: 12\n", 3, 16, "faults.fail_page_alloc.min-order: found '12', expected an integer within 0...11"),
        ("faults:\n  failpagealloc: {}\n", 2, 3, "unknown key 'failpagealloc' in faults, did you mean 'fail_page_alloc'?"),
        ("faults:\n  failslab:\n    cache-filter: true\n    caches: [kmalloc-63]\n", 4, 14, "faults.failslab.caches: no cache is called 'kmalloc-63'"),
        ("faults: {}\n", 1, 9, "faults: found no capability"),
    ])
    func badKnobsGiveLocatedErrors(yaml: String, line: Int, column: Int, message: String) throws {
        let errors = Self.errors(Self.group + "\n" + yaml)
        let first = try #require(errors.first, "no error for \(yaml)")
        let groupLines = Self.group.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(first.line == groupLines + line && first.column == column, "\(first)")
        #expect(first.message.hasPrefix(message), "\(first)")
    }

    @Test(arguments: [("failNth: 0", "failNth: found '0', expected an integer within 1..."),
                      ("makeItFail: sure", "makeItFail: found 'sure', expected true or false")])
    func badTaskGroupKeysGiveLocatedErrors(line: String, message: String) throws {
        let errors = Self.errors(Self.group + "\n    " + line + "\n")
        let first = try #require(errors.first)
        #expect(first.line == 7 && first.message.hasPrefix(message), "\(first)")
    }

    @Test func cachesWithoutCacheFilterWarn() throws {
        let parsed = try WorkloadSpec.parse(yaml: Self.group + "\nfaults:\n  failslab:\n    caches: [kmalloc-64]\n", file: "faults.yaml")
        #expect(parsed.warnings.first?.message.contains("cache-filter, which is off") == true)
    }

    // MARK: Runs

    static func spec(_ yaml: String) throws -> WorkloadSpec {
        try WorkloadSpec.parse(yaml: yaml, file: "faults.yaml").spec
    }

    static func run(_ spec: WorkloadSpec, options: RunOptions = RunOptions()) async throws -> RunReport {
        let runner = try WorkloadRunner(spec: spec, options: options)
        return await runner.run().report
    }

    static func counted(_ gfp: String, failNth: Int? = nil, faults: String = "", operations: Int = 12) -> String {
        """
        machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 64MiB}
        clock: virtual
        operations: \(operations)
        taskGroups:
          - name: t
            cpus: 0
            gfp: \(gfp)
            lifetime: 0
        \(failNth.map { "    failNth: \($0)\n" } ?? "")    mix:
              - {api: kmalloc, size: 64}
        \(faults)
        """
    }

    @Test func failNthFailsTheNthAllocationOfEachTaskAndTheReportSaysItWasInjected() async throws {
        let report = try await Self.run(try Self.spec(Self.counted("GFP_ATOMIC", failNth: 5)))
        #expect(report.classes[0].ops == 12)
        #expect(report.classes[0].failures == 1)
        #expect(report.classes[0].injected == 1)
        #expect(report.injectedFailures == .init(failslab: 1, failPageAlloc: 0))
        #expect(report.injectedFailureSites == [.init(fault: "failslab", site: "kmalloc-64", gfp: "GFP_ATOMIC", count: 1)])
        #expect(report.bugs.isEmpty, "FAULT_INJECTION lines are not BUG reports")
    }

    @Test func failNthWalksEveryAllocationOfATaskGroupOneByOne() async throws {
        // The kernel documentation's fail-nth loop: N = 1, 2, ... until a run injects nothing.
        var injectedAt: [Int] = []
        for nth in 1...14 {
            let report = try await Self.run(try Self.spec(Self.counted("GFP_ATOMIC", failNth: nth)))
            if report.injectedFailures.failslab == 1 { injectedAt.append(nth) }
        }
        #expect(injectedAt == Array(1...12), "12 allocations: each fails once, N = 13 and 14 find none")
    }

    @Test func sleepingAllocationsPassTheHookOnceWithTheirFullMask() async throws {
        // GFP_KERNEL in process context goes through the sleeping entry point: interval 2 fails exactly
        // every second allocation, and ignore-gfp-wait (default) spares them all.
        let every2nd = """
            faults:
              failslab: {probability: 100, interval: 2, times: -1, verbose: 0, ignore-gfp-wait: false}
            """
        let report = try await Self.run(try Self.spec(Self.counted("GFP_KERNEL", faults: every2nd)))
        #expect(report.classes[0].failures == 6)
        #expect(report.classes[0].injected == 6)
        let spared = "faults:\n  failslab: {probability: 100, times: -1, verbose: 0}\n"
        let none = try await Self.run(try Self.spec(Self.counted("GFP_KERNEL", faults: spared)))
        #expect(none.classes[0].failures == 0)
        #expect(none.injectedFailures == .zero)
    }

    @Test func theBootOptionReachesTheRun() async throws {
        var options = RunOptions()
        options.failslab = try FaultBootOption.parse("3,100,0,-1", option: "--failslab")
        let report = try await Self.run(try Self.spec(Self.counted("GFP_ATOMIC")), options: options)
        #expect(report.classes[0].failures == 4)
        #expect(report.classes[0].injected == 4)
        #expect(report.text.contains("fault injection: failslab forced 4 failure(s), fail_page_alloc 0"))
        #expect(report.text.contains("ops   failures   injected"))
    }

    @Test func aSeedRepeatsItsInjectedFailuresOnTheVirtualClock() async throws {
        let yaml = """
            machine: {nodes: 1, cpusPerNode: 4, memoryPerNode: 128MiB}
            clock: virtual
            duration: 3ms
            seed: 11
            taskGroups:
              - name: t
                cpus: all
                gfp: GFP_ATOMIC
                lifetime: 20
                remoteFree: 30%
                mix:
                  - {api: kmalloc, size: 8-2048}
                  - {api: allocPages, order: 0-2}
            interrupts:
              - name: rx
                cpus: 0-1
                rate: 50000
                context: softirq
                allocations:
                  - {api: kmalloc, size: 256, gfp: GFP_ATOMIC, freedBy: task, lifetime: 100us}
            faults:
              failslab: {probability: 7, times: -1, verbose: 1}
              fail_page_alloc: {probability: 20, times: -1, verbose: 0}
            """
        let first = try await Self.run(try Self.spec(yaml))
        let second = try await Self.run(try Self.spec(yaml))
        #expect(first.injectedFailures.failslab > 0 && first.injectedFailures.failPageAlloc > 0)
        #expect(first.injectedFailures == second.injectedFailures)
        #expect(first.injectedFailureSites == second.injectedFailureSites)
        #expect(first.classes == second.classes)
        #expect(first.invariants.violations.isEmpty)
        var reseeded = try Self.spec(yaml)
        reseeded.seed = 12
        let other = try await Self.run(reseeded)
        #expect(other.injectedFailureSites != first.injectedFailureSites, "another seed draws other failures")
    }

    /// Fault injection that cannot fire (failslab with `times: 0`) changes nothing a virtual run
    /// simulates: its blocking allocations take the sleeping entry points, which stay on the CPU's actor
    /// as the fast half does (a hop off it and back let the CPU's other jobs run in between, and the run
    /// came out with other operation counts).
    @Test func faultInjectionThatCannotFireLeavesAVirtualRunUnchanged() async throws {
        let plain = try VirtualRunTests.stress(cpusPerNode: 4, memory: "64MiB", sizes: "64", seed: 5)
        var configured = plain
        configured.faults.failslab = FailSlabSpec(attr: FaultAttrSpec(probability: 100, times: 0))
        let (_, without) = try await VirtualRunTests.run(plain, seconds: 0.002, check: false)
        let (_, with) = try await VirtualRunTests.run(configured, seconds: 0.002, check: false)
        #expect(with.injectedFailures == .zero)
        #expect(without.operations > 0)
        #expect(with.operations == without.operations)
        #expect(try VirtualRunTests.deterministicJSON(with) == VirtualRunTests.deterministicJSON(without))
    }
}
