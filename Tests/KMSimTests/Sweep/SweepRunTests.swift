import Foundation
import Testing
@testable import KMSim

/// Whole sweeps on the virtual clock: shards merged equal the unsharded sweep byte for byte, and the
/// JSON and CSV carry the columns the README lists.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct SweepRunTests {
    static let settings = SweepRunSettings(clock: .virtual, duration: "200us", jobs: 1)

    static func plan() throws -> SweepPlan {
        try SweepPlan(source: SweepSource.resolve("larson").0,
                      knobs: [SweepKnob.cpus("2,3"), SweepKnob.set("taskGroups.0.tasksPerCPU=1,2")])
    }

    static func run(_ points: [SweepPlan.Point]) async throws -> [SweepEntry] {
        let result = try await SweepExecution.run(points, settings: settings, runner: SweepInProcess.runner)
        #expect(result.exitStatus == 0)
        return result.entries
    }

    @Test func shardsMergedEqualTheUnshardedSweepByteForByte() async throws {
        let plan = try Self.plan()
        let whole = try SweepDocument.encode(try await Self.run(plan.points))
        var shards: [(file: String, entries: [SweepEntry])] = []
        for index in [1, 0] {
            let data = try SweepDocument.encode(try await Self.run(plan.shard(index, of: 2)))
            shards.append(("shard\(index).json", try SweepDocument.decode(data, file: "shard\(index).json")))
        }
        #expect(shards.map(\.entries.count) == [2, 2])
        let merged = try SweepDocument.merge(shards)
        #expect(SweepDocument.missingPoints(merged).isEmpty)
        #expect(try SweepDocument.encode(merged) == whole)
        #expect(SweepDocument.missingPoints(shards[0].entries) == [0, 2])
    }

    @Test func jsonAndCSVCarryTheColumns() async throws {
        let plan = try Self.plan()
        let entries = try await Self.run(Array(plan.points.prefix(2)))
        let json = try #require(try JSONSerialization.jsonObject(with: SweepDocument.encode(entries)) as? [[String: Any]])
        #expect(json.count == 2)
        let first = try #require(json.first)
        #expect(Set(first.keys) == ["point", "knobs", "report"])
        #expect(first["knobs"] as? [String: Int] == ["machine.cpusPerNode": 2, "taskGroups.0.tasksPerCPU": 1])
        let report = try #require(first["report"] as? [String: Any])
        #expect(report["host"] == nil, "the host's seconds are left out of a virtual sweep")
        #expect(report["clock"] as? String == "virtual")
        #expect(report["allLatencyNs"] is [String: Any])
        let rows = try entries.map { try SweepRow($0, order: plan.knobs.map(\.path)) }
        #expect(rows.allSatisfy { $0.operationsPerSecond > 0 && $0.p50Ns > 0 && $0.p99Ns >= $0.p50Ns })
        #expect(rows[1].operationsPerSecondPerCPU == rows[1].operationsPerSecond / 2)
        let csv = SweepTable.csv(rows).split(separator: "\n").map(String.init)
        #expect(csv.count == 3)
        #expect(csv[0] == (["machine.cpusPerNode", "taskGroups.0.tasksPerCPU"] + SweepTable.csvColumns).joined(separator: ","))
        #expect(csv[1].hasPrefix("2,1,"))
        #expect(csv[2].hasPrefix("2,2,"))
        let text = SweepTable.text(rows).split(separator: "\n").map(String.init)
        #expect(text.count == 3)
        #expect(text[0].hasPrefix("machine.cpusPerNode  taskGroups.0.tasksPerCPU"))
        #expect(text[0].contains("most contended lock"))
        #expect(text[0].contains("reclaim stalls"))
    }

    @Test func aPhasedWorkloadsRowsCarryItsPhases() async throws {
        let plan = try SweepPlan(source: SweepSource.resolve("llfree-bulk").0,
                                 knobs: [SweepKnob.cpus("1,2"), SweepKnob.set("taskGroups.0.phases.0.allocate=64")])
        let entries = try await Self.run(plan.points)
        let rows = try entries.map { try SweepRow($0, order: plan.knobs.map(\.path)) }
        #expect(rows.map { $0.phases.map(\.label) } == [["alloc", "free"], ["alloc", "free"]])
        #expect(rows.allSatisfy { $0.phases.allSatisfy { $0.nsPerOperation.mean > 0 } })
        let csv = SweepTable.csv(rows).split(separator: "\n").map(String.init)
        #expect(csv[0].hasPrefix("machine.cpusPerNode,taskGroups.0.phases.0.allocate,allocNsPerOpMean,allocNsPerOpMin,allocNsPerOpMax,freeNsPerOpMean,"))
        let text = SweepTable.text(rows).split(separator: "\n").map(String.init)
        #expect(text[0].hasPrefix("machine.cpusPerNode  taskGroups.0.phases.0.allocate  alloc ns/op  free ns/op  ops/s"), "\(text[0])")
    }

    @Test func realClockRowsSayHowManyHostCoresTheRunHad() {
        var settings = Self.settings
        #expect(settings.hostCores(points: 4, hostCores: 8) == nil)
        settings.clock = .real
        settings.jobs = 2
        #expect(settings.hostCores(points: 4, hostCores: 8) == 4)
        #expect(settings.hostCores(points: 1, hostCores: 8) == 8)
        settings.jobs = 16
        #expect(settings.hostCores(points: 16, hostCores: 8) == 1)
    }

    @Test func mergeRefusesShardsOfDifferentSweepsAndDifferingPoints() throws {
        let a = SweepEntry(point: 0, knobs: .object(["machine.nodes": .int(1)]), report: .object([:]))
        let b = SweepEntry(point: 1, knobs: .object(["machine.cpusPerNode": .int(1)]), report: .object([:]))
        #expect(throws: SweepError.self) { try SweepDocument.merge([("a", [a]), ("b", [b])]) }
        var changed = a
        changed.report = .object(["operations": .int(1)])
        #expect(throws: SweepError.self) { try SweepDocument.merge([("a", [a]), ("c", [changed])]) }
        #expect(try SweepDocument.merge([("a", [a]), ("a2", [a])]) == [a])
    }
}
