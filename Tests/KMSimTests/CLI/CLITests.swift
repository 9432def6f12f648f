import Foundation
import Testing
@testable import KMSim

/// The command-line tool as a user runs it: exit statuses 0/1/2/3 of `run` and `stress`, `--json -`, and
/// the machine-readable output of `gfp`, `topology`, `workloads`, `costs` and `bench`. Runs are on the
/// virtual clock and a few hundred simulated microseconds long, so they are quick and repeat.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct CLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try KMSimExecutable.run(arguments)
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-cli-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func runCompletesWithStatus0AndPrintsJSONOnStandardOutput() throws {
        let result = try Self.run(["run", "larson", "--clock", "virtual", "--duration", "200us", "--quiet", "--json", "-"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.hasPrefix("kmsim run: larson"))
        let json = try #require(try KMSimExecutable.json(in: result.output) as? [String: Any])
        #expect(json["workload"] as? String == "larson")
        #expect(json["clock"] as? String == "virtual")
        #expect((json["operations"] as? Int ?? 0) > 0)
    }

    @Test func stressCompletesWithStatus0() throws {
        let result = try Self.run(["stress", "--clock", "virtual", "--duration", "200us", "--cpus-per-node", "2", "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("kmsim run: stress"))
    }

    @Test(arguments: [
        (["run", "larson", "--clock", "sometimes"], "--clock"),
        (["run", "larson", "--duration", "0s"], "--duration"),
        (["run", "no-such-workload"], "no-such-workload"),
        (["stress", "--sizes", "4096-8"], "--sizes"),
        (["stress", "--duration", "99999999999h"], "--duration"),
        (["gfp", "GFP_KERNEL|__GFP_NOPE"], "__GFP_NOPE"),
        (["test-vmalloc", "--nr-threads", "0"], "nr-threads"),
        (["sweep", "larson", "--set", "machine.nope=1"], "--set"),
    ])
    func badInputExitsWithStatus2NamingIt(arguments: [String], named: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 2, "\(arguments): status \(result.status), \(result.errors)")
        #expect(result.errors.contains(named), "\(arguments): \(result.errors)")
    }

    @Test func aBadWorkloadFileNamesItsLineAndColumn() throws {
        let file = try Self.temporaryFile("bad.yaml", "duration: soon\ntaskGroups:\n  - name: t\n    mix:\n      - api: kmalloc\n        size: 64\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["run", file.path])
        #expect(result.status == 2)
        #expect(result.errors.contains("\(file.path):1:11: duration"), "\(result.errors)")
    }

    @Test func aViolatedInvariantExitsWithStatus1() throws {
        let result = try Self.run(["run", "larson", "--clock", "virtual", "--duration", "200us", "--quiet",
                                   "--inject-invariant-violation"])
        #expect(result.status == 1, "\(result.errors)")
        #expect(result.output.contains("injected violation"))
    }

    @Test func aKernelPanicExitsWithStatus3() throws {
        let file = try Self.temporaryFile("leak.yaml", """
            clock: virtual
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 16MiB}
            duration: 600s
            taskGroups:
              - name: leak
                gfp: GFP_KERNEL
                mix:
                  - api: kmalloc
                    size: 4096
                lifetime: forever
            """)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["run", file.path, "--quiet", "--json", "-"])
        #expect(result.status == 3, "\(result.errors)")
        let json = try #require(try KMSimExecutable.json(in: result.output) as? [String: Any])
        #expect(json["panic"] as? String == "System is deadlocked on memory")
    }

    @Test func gfpExplainsInTextAndJSON() throws {
        let text = try Self.run(["gfp", "GFP_ATOMIC"])
        #expect(text.status == 0)
        #expect(text.output.contains("__GFP_HIGH") && text.output.contains("__GFP_KSWAPD_RECLAIM"))
        #expect(text.output.contains("outcomes:      fast, after kswapd wakeup, reserve, failed ("))
        let json = try Self.run(["gfp", "GFP_KERNEL", "--json"])
        #expect(json.status == 0)
        let object = try #require(try KMSimExecutable.json(in: json.output) as? [String: Any])
        #expect((object["bits"] as? [String])?.contains("__GFP_DIRECT_RECLAIM") == true)
        #expect(object["directReclaim"] as? Bool == true)
        #expect(object["outcomes"] as? [String]
            == ["fast", "afterKswapdWakeup", "afterDirectReclaim", "afterOOMKill", "afterRetries", "failed"])
    }

    @Test func topologyWorkloadsAndCostsPrintJSON() throws {
        let topology = try Self.run(["topology", "--json", "--nodes", "2", "--cpus-per-node", "2"])
        #expect(topology.status == 0)
        let host = try #require(try KMSimExecutable.json(in: topology.output) as? [String: Any])
        #expect(host["host"] is [String: Any])
        let workloads = try Self.run(["workloads", "--json"])
        #expect(workloads.status == 0)
        let list = try #require(try KMSimExecutable.json(in: workloads.output) as? [[String: Any]])
        #expect(list.compactMap { $0["name"] as? String } == BundledWorkloads.names)
        let costs = try Self.run(["costs", "--json"])
        #expect(costs.status == 0)
        let table = try #require(try KMSimExecutable.json(in: costs.output) as? [[String: Any]])
        #expect(table.compactMap { $0["key"] as? String } == VirtualCost.allCases.map(\.key))
        #expect(table.allSatisfy { $0["nanoseconds"] is Int && $0["default"] is Int && ($0["source"] as? String)?.isEmpty == false })
    }

    @Test func benchWritesItsJSONSchema() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-bench-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["bench", "--filter", "kmalloc64", "--rounds", "1", "--iterations", "2000", "--json", file.path])
        #expect(result.status == 0, "\(result.errors)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]])
        #expect(rows.contains { $0["name"] as? String == "kmalloc64" })
        for row in rows {
            #expect(row["name"] is String && row["nsPerOp"] is Double && row["baselineNsPerOp"] is Double && row["ratio"] is Double,
                    "\(row)")
        }
    }
}
