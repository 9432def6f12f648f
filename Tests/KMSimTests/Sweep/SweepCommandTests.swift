import Foundation
import Testing
@testable import KMSim

/// The `kmsim sweep` executable: child runs with --jobs, --shard and merge, and exit status 2 for bad knobs.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct SweepCommandTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try KMSimExecutable.run(arguments)
    }

    @Test func shardedChildRunsMergeIntoTheWholeSweep() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-sweep-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let common = ["sweep", "larson", "--cpus", "2,3,4", "--duration", "200us", "--quiet"]
        let whole = try Self.run(common + ["--jobs", "2", "--json", path("whole.json"), "--csv", path("whole.csv")])
        #expect(whole.status == 0, "\(whole.errors)")
        #expect(whole.output.split(separator: "\n").count == 4, "\(whole.output)")
        for shard in ["0/2", "1/2"] {
            let part = try Self.run(common + ["--jobs", "1", "--shard", shard, "--json", path("part\(shard.prefix(1)).json")])
            #expect(part.status == 0, "\(part.errors)")
        }
        let merged = try Self.run(["sweep", "merge", path("part1.json"), path("part0.json"), "--json", path("merged.json")])
        #expect(merged.status == 0, "\(merged.errors)")
        let wholeData = try Data(contentsOf: URL(fileURLWithPath: path("whole.json")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("merged.json"))) == wholeData)
        let csv = try String(contentsOfFile: path("whole.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("machine.cpusPerNode,opsPerSecond,"))
    }

    @Test func badKnobsExitTwoNamingTheFlag() throws {
        let unknown = try Self.run(["sweep", "larson", "--set", "machine.minFreeKbyte=1024", "--quiet"])
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("error: --set machine.minFreeKbyte=1024: "))
        let badValue = try Self.run(["sweep", "larson", "--set", "reclaim.swappiness=10,500"])
        #expect(badValue.status == 2)
        #expect(badValue.errors.contains("--set reclaim.swappiness=10,500: reclaim.swappiness=500: "))
        let badShard = try Self.run(["sweep", "larson", "--shard", "2/2"])
        #expect(badShard.status == 2)
        #expect(badShard.errors.contains("--shard"))
        let badJobs = try Self.run(["sweep", "larson", "--jobs", "0"])
        #expect(badJobs.status == 2)
        #expect(badJobs.errors.contains("--jobs"))
    }
}
