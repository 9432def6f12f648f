import Foundation
import Testing
@testable import KMSim

/// Task group `phases:` (the LLFree benchmarks' form): parsing and its located errors, barriers, the
/// shuffled free, the per-phase report and its JSON, on both clocks.
@Suite(.serialized, TestTime.limit(minutes: 3)) struct PhasedWorkloadTests {
    static func workload(phases: String, extra: String = "", cpus: Int = 4) -> String {
        """
        machine: {nodes: 1, cpusPerNode: \(cpus), memoryPerNode: 256MiB}
        clock: virtual
        duration: 5s
        taskGroups:
          - name: g
            gfp: GFP_HIGHUSER_MOVABLE|__GFP_THISNODE
            mix: [{api: allocPages, order: 0}]
        \(extra.isEmpty ? "" : "    \(extra)\n")    phases:
        \(phases)
        """
    }

    static func errors(_ yaml: String) -> [WorkloadDiagnostic] {
        do {
            _ = try WorkloadSpec.parse(yaml: yaml, file: "phases.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func phasesParse() throws {
        let yaml = Self.workload(phases: "      - {name: alloc, allocate: 100}\n      - {name: free, free: shuffled}")
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "phases.yaml").spec
        #expect(spec.taskGroups[0].phases == [PhaseSpec(name: "alloc", action: .allocate(100)),
                                               PhaseSpec(name: "free", action: .freeShuffled)])
    }

    @Test(arguments: [
        ("      - {name: free, free: own}", 9, "has nothing to free"),
        ("      - {name: a, allocate: 10, free: own}", 9, "exactly one of allocate"),
        ("      - {name: a, allocate: 0}", 9, "allocate"),
        ("      - {name: a, allocate: 10}\n      - {name: f, free: mine}", 10, "free"),
        ("      - {name: a, allocate: 10}\n      - {name: f, free: own}\n      - {name: g, free: own}", 11, "has nothing to free"),
    ])
    func badPhasesAreLocated(phases: String, line: Int, fragment: String) {
        let errors = Self.errors(Self.workload(phases: phases))
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.line == line && errors.first?.message.contains(fragment) == true, "\(errors)")
    }

    @Test func aPhasedGroupRefusesALifetime() {
        let errors = Self.errors(Self.workload(phases: "      - {allocate: 10}\n      - {free: own}", extra: "lifetime: 5"))
        #expect(errors.count == 1 && errors.first?.line == 8 && errors.first?.message.contains("phased group") == true, "\(errors)")
    }

    static func run(_ yaml: String, clock: RunClock? = nil) async throws -> RunResult {
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "phases.yaml").spec
        var options = RunOptions()
        options.clock = clock
        options.check = true
        return try await WorkloadRunner(spec: spec, options: options).run()
    }

    @Test(arguments: ["own", "shuffled"])
    func everyTaskAllocatesThenFreesAfterABarrier(free: String) async throws {
        let yaml = Self.workload(phases: "      - {name: alloc, allocate: 600}\n      - {name: free, free: \(free)}")
        let result = try await Self.run(yaml)
        let report = result.report
        #expect(report.phases.map(\.name) == ["alloc", "free"])
        #expect(report.phases.map(\.operations) == [2400, 2400], "\(report.phases)")
        for row in report.phases {
            #expect(row.group == "g")
            #expect(row.nsPerOperation.min > 0 && row.nsPerOperation.min <= row.nsPerOperation.mean
                    && row.nsPerOperation.mean <= row.nsPerOperation.max, "\(row)")
        }
        // Every page came back: the frees of the second phase are counted, and the run ended with its
        // phases, long before the 5 s bound.
        #expect((report.vmstat["pgfree"] ?? 0) >= 2400)
        #expect(report.durationSeconds < 1)
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        #expect(result.exitStatus(failOnBug: false) == 0)
    }

    @Test func theShuffledRunRepeatsByteForByte() async throws {
        let yaml = Self.workload(phases: "      - {name: alloc, allocate: 300}\n      - {name: free, free: shuffled}", cpus: 3)
        var first = try await Self.run(yaml).report
        var second = try await Self.run(yaml).report
        first.host = .init(wallSeconds: 0, simulatedSeconds: 0, simulatedOpsPerHostSecond: 0)
        second.host = first.host
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(first) == encoder.encode(second))
    }

    @Test func phasesRunOnTheRealEngineToo() async throws {
        let yaml = Self.workload(phases: "      - {name: alloc, allocate: 200}\n      - {name: free, free: shuffled}", cpus: 2)
        let result = try await Self.run(yaml, clock: .real)
        #expect(result.report.clock == "real")
        #expect(result.report.phases.map(\.operations) == [400, 400], "\(result.report.phases)")
        #expect(result.report.invariants.violations.isEmpty)
    }

    @Test func theJSONHasThePhases() async throws {
        let parsed = try #require(try BundledWorkloads.load(named: "llfree-bulk"))
        var spec = parsed.spec
        spec.taskGroups[0].phases[0].action = .allocate(64)
        let result = try await WorkloadRunner(spec: spec).run()
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result.report)) as? [String: Any])
        let phases = try #require(json["phases"] as? [[String: Any]])
        #expect(phases.map { $0["name"] as? String } == ["alloc", "free"])
        for phase in phases {
            #expect(Set(phase.keys) == ["group", "name", "operations", "nsPerOperation"])
            #expect(Set((phase["nsPerOperation"] as? [String: Any])?.keys.map { $0 } ?? []) == ["mean", "min", "max"])
        }
    }
}
