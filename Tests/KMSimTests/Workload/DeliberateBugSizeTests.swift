import Testing
@testable import KMSim

/// Issue 18 point 3: every deliberate slab bug is found, and reported as SLUB reports it with
/// slub_debug on, for every size it accepts (page multiples among them); sizes slub_debug cannot cover
/// are refused where they are written.
@Suite(TestTime.limit(minutes: 2)) struct DeliberateBugSizeTests {
    static func workload(_ kind: DeliberateBugSpec.Kind, size: String) -> String {
        """
        machine: {nodes: 1, cpusPerNode: 1, memoryPerNode: 64MiB}
        clock: virtual
        duration: 20ms
        bugs:
          - {kind: \(kind.rawValue), deliberate: true, rate: 1000, size: \(size)}
        """
    }

    /// The report kinds one occurrence of `kind` may make (a double free is "Object already free" or
    /// freelist corruption, depending on where the object sat between the two kfree calls).
    static func expectedReports(_ kind: DeliberateBugSpec.Kind) -> Set<String> {
        switch kind {
        case .doubleFree: [SlabBugKind.doubleFree.bugKind.rawValue, SlabBugKind.freelistCorrupt.bugKind.rawValue]
        case .writeAfterFree: [SlabBugKind.poisonOverwritten.bugKind.rawValue]
        case .redzoneOverwrite: [SlabBugKind.redzoneOverwritten.bugKind.rawValue]
        case .sleepingAllocInIRQ: [BugKind.sleepingInAtomic.rawValue]
        }
    }

    @Test(arguments: [DeliberateBugSpec.Kind.doubleFree, .writeAfterFree, .redzoneOverwrite], ["8", "96", "4KiB", "8KiB"])
    func eachSlabBugIsReportedOncePerOccurrence(kind: DeliberateBugSpec.Kind, size: String) async throws {
        let parsed = try WorkloadSpec.parse(yaml: Self.workload(kind, size: size), file: "bug.yaml")
        let runner = try WorkloadRunner(spec: parsed.spec)
        let result = await runner.run()
        let report = result.report
        // The workload has no task but the bug's: each of its operations is one occurrence.
        let occurrences = report.classes.map(\.ops).reduce(0, +)
        #expect(occurrences >= 10, "\(kind) \(size): \(occurrences) occurrences in 20 ms at 1000/s")
        let expected = Self.expectedReports(kind)
        let found = report.bugs.filter { expected.contains($0.key) }.map(\.value).reduce(0, +)
        #expect(Int64(found) == occurrences, "\(kind) \(size): \(report.bugs) for \(occurrences) occurrences")
        let others = report.bugs.filter { !expected.contains($0.key) }
        #expect(others.isEmpty, "\(kind) \(size): unexpected reports \(others)")
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        #expect(result.exitStatus(failOnBug: false) == 0)
    }

    @Test(arguments: [DeliberateBugSpec.Kind.doubleFree, .writeAfterFree, .redzoneOverwrite])
    func slabBugsAboveTheLargestKmallocCacheAreRefusedAtTheSize(kind: DeliberateBugSpec.Kind) throws {
        let error = try #require(throws: WorkloadSpecError.self) {
            try WorkloadSpec.parse(yaml: Self.workload(kind, size: "8193"), file: "bug.yaml")
        }
        let diagnostic = try #require(error.errors.first)
        #expect(error.errors.count == 1)
        #expect(diagnostic.file == "bug.yaml" && diagnostic.line == 5)
        #expect(diagnostic.message.contains("KMALLOC_MAX_CACHE_SIZE"), "\(diagnostic.message)")
    }

    @Test func aSleepingAllocationInAnInterruptTakesAnyKmallocSize() throws {
        let parsed = try WorkloadSpec.parse(yaml: Self.workload(.sleepingAllocInIRQ, size: "4MiB"), file: "bug.yaml")
        #expect(parsed.spec.bugs.first?.size == 4 << 20)
    }

    @Test func aSlabBugBuiltInCodeAboveTheCacheSizesIsRefusedByTheRunner() throws {
        var spec = try WorkloadSpec.parse(yaml: Self.workload(.redzoneOverwrite, size: "64"), file: "bug.yaml").spec
        spec.bugs[0].size = 16 << 10
        #expect(throws: RunError.self) { try WorkloadRunner(spec: spec) }
    }
}
