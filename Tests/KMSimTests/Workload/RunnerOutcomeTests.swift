import Foundation
import Testing
@testable import KMSim

/// The report's "where allocations were served" table from a whole run on the virtual clock.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct RunnerOutcomeTests {
    /// One CPU, 64 MiB all ZONE_NORMAL with hand-set watermarks (min_free_kbytes 8192: min 2048 pages),
    /// a task that keeps every GFP_ATOMIC page it gets: fast down to LOW, the first slow-path attempt
    /// down to MIN, the reserve down to 37.5 % of MIN, then failures. A fixed number of operations, not a
    /// duration: on the virtual clock a failing GFP_ATOMIC allocation costs no simulated time.
    static let yaml = """
        name: atomic-drain
        clock: virtual
        machine:
          nodes: 1
          cpusPerNode: 1
          memoryPerNode: 64MiB
          zones:
            node0: {}
          minFreeKbytes: 8192
        operations: 20000
        seed: 3
        taskGroups:
          - name: hoarder
            cpus: all
            gfp: GFP_ATOMIC
            mix:
              - api: allocPages
                order: 0
            lifetime: forever
        """

    @Test func atomicDrainShowsEveryOutcomeItCanReach() async throws {
        let spec = try WorkloadSpec.parse(yaml: Self.yaml, file: "atomic-drain.yaml").spec
        let runner = try WorkloadRunner(spec: spec)
        let report = await runner.run().report
        let zone = runner.machine.pageAllocator.zone(node: 0, type: .normal)
        #expect(zone.watermarkMin == 2048)
        let row = try #require(report.classes.first { $0.gfp == "GFP_ATOMIC" && $0.api == "alloc_pages" })
        #expect(Set(row.outcomes.keys) == ["fast", "afterKswapdWakeup", "reserve", "failed"])
        let counts = row.outcomes.mapValues(\.count)
        #expect(row.ops == 20000 && counts.values.reduce(0, +) == row.ops)
        #expect(counts["failed"] == row.failures && row.failures > 0)
        #expect((counts["fast"] ?? 0) > 0 && (counts["afterKswapdWakeup"] ?? 0) > 0 && (counts["reserve"] ?? 0) > 0)
        // Every page the zone gave below MIN was a reserve page: the pages held are the successes.
        #expect(row.fallback == .zero)
        let dip = try #require(row.outcomes["reserve"]?.deepestFreePercentOfMin)
        let finalPercent = Double(zone.freePages) * 100 / Double(zone.watermarkMin)
        #expect(dip <= 37.5 && dip > 30, "GFP_ATOMIC's floor is 37.5 % of min, less one per-CPU refill")
        #expect(dip <= finalPercent + 0.05, "the deepest dip is no higher than where the zone was left")
        #expect(row.outcomes["fast"]?.deepestFreePercentOfMin == nil)
        let reserveLatency = try #require(row.outcomes["reserve"]?.latencyNs)
        #expect(reserveLatency.p50 > 0 && reserveLatency.p99 >= reserveLatency.p50)
        // The JSON: one object per outcome, with count, latencyNs {p50, p99} and, for reserve, the dip.
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        let classes = try #require(json["classes"] as? [[String: Any]])
        let outcomes = try #require(classes.first { $0["gfp"] as? String == "GFP_ATOMIC" }?["outcomes"] as? [String: [String: Any]])
        #expect(Set(outcomes["reserve"]?.keys.map { $0 } ?? []) == ["count", "latencyNs", "deepestFreePercentOfMin"])
        #expect(Set(outcomes["fast"]?.keys.map { $0 } ?? []) == ["count", "latencyNs"])
        #expect(Set((outcomes["fast"]?["latencyNs"] as? [String: Any])?.keys.map { $0 } ?? []) == ["p50", "p99"])
        // The terminal table, after the latency table.
        let text = report.text
        let table = try #require(text.range(of: "where allocations were served"))
        let latency = try #require(text.range(of: "allocations by context and GFP mask"))
        #expect(latency.upperBound < table.lowerBound)
        #expect(text.contains(String(format: "%.1f%% min", dip)))
        // The virtual clock repeats the run byte for byte, outcomes included.
        let again = await (try WorkloadRunner(spec: spec)).run().report
        #expect(try VirtualRunTests.deterministicJSON(again) == VirtualRunTests.deterministicJSON(report))
    }
}
