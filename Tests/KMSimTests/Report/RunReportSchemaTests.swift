import Foundation
import Testing
@testable import KMSim

/// The `--json` schema documented in README.md, and the meminfo layout.
@Suite(TestTime.limit(minutes: 5)) struct RunReportSchemaTests {
    static let requiredKeys: Set<String> = ["workload", "seed", "machine", "durationSeconds", "classes", "atomicWaits",
                                            "bugs", "reclaim", "locks", "invariants", "vmstat"]

    static func sample() -> RunReport {
        RunReport(
            workload: "w", seed: 3, machine: .init(nodes: 1, cpus: 2, memoryBytes: 1 << 30), durationSeconds: 1,
            classes: [.init(context: "task", gfp: "GFP_KERNEL", api: "kmalloc", ops: 10, failures: 1,
                            latencyNs: .init(p50: 1, p99: 2, p999: 3, max: 4))],
            atomicWaits: 0, bugs: ["slab_doubleFree": 2],
            reclaim: .init(kswapdWakeups: 1, directReclaimStalls: 2, pagesScanned: 3, pagesReclaimed: 4, oomKills: 5,
                           dirtyThrottles: 6, pagesWrittenByWriters: 7),
            locks: [.init(lockClass: "&zone->lock", acquisitions: 9, contentions: 1, waitTotalNs: 100, waitMaxNs: 50)],
            invariants: .init(checked: 1, violations: []), vmstat: ["nr_free_pages": 7], operations: 10,
            operationsPerSecond: 10, slub: .init(allocFastpath: 1, allocSlowpath: 1, freeFastpath: 1, freeSlowpath: 1,
                                                 allocFastpathPercent: 50, freeFastpathPercent: 50),
            perCPUPageListHitPercent: nil, numa: .init(hit: 1, miss: 0, foreign: 0, local: 1, other: 0), interrupts: 0,
            droppedInterrupts: 0, missedInterrupts: 0, remoteFrees: 0, remoteFreeFallbacks: 0, deliberateBugs: [])
    }

    static func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

    @Test func reportHoldsTheSchemaKeys() throws {
        let json = Self.object(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.sample())))
        #expect(Self.requiredKeys.isSubset(of: Set(json.keys)))
        #expect(Set(Self.object(json["machine"]).keys) == ["nodes", "cpus", "memoryBytes"])
        let row = Self.object((json["classes"] as? [Any])?.first)
        #expect(Set(row.keys) == ["context", "gfp", "api", "ops", "failures", "injected", "latencyNs", "outcomes", "fallback"])
        #expect(Set(Self.object(row["fallback"]).keys) == ["otherZone", "otherNode"])
        #expect(Set(Self.object(json["injectedFailures"]).keys) == ["failslab", "failPageAlloc"])
        #expect((json["injectedFailureSites"] as? [Any])?.isEmpty == true)
        #expect(Set(Self.object(row["latencyNs"]).keys) == ["p50", "p99", "p999", "max"])
        #expect(Set(Self.object(json["reclaim"]).keys) == ["kswapdWakeups", "directReclaimStalls", "pagesScanned", "pagesReclaimed", "oomKills",
                                                         "dirtyThrottles", "pagesWrittenByWriters"])
        let lock = Self.object((json["locks"] as? [Any])?.first)
        #expect(Set(lock.keys) == ["class", "acquisitions", "contentions", "waitTotalNs", "waitMaxNs"])
        #expect(lock["class"] as? String == "&zone->lock")
        #expect(Set(Self.object(json["invariants"]).keys) == ["checked", "violations"])
        #expect(Self.object(json["bugs"])["slab_doubleFree"] as? Int == 2)
        #expect(Self.object(json["vmstat"])["nr_free_pages"] as? Int == 7)
        let decoded = try JSONDecoder().decode(RunReport.self, from: JSONEncoder().encode(Self.sample()))
        #expect(decoded == Self.sample())
    }

    @Test func textReportNamesEverySection() {
        let text = Self.sample().text
        for fragment in ["task GFP_KERNEL kmalloc", "reclaim: kswapd wakeups 1", "&zone->lock", "SLUB alloc fast path 50.0%",
                         "numa_hit 1", "slab_doubleFree: 2", "invariants: OK"] {
            #expect(text.contains(fragment), "\(fragment)")
        }
        var violated = Self.sample()
        violated.invariants.violations = ["x"]
        #expect(violated.text.contains("invariants: 1 VIOLATED"))
    }

    @Test func meminfoUsesTheKernelLayout() throws {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 1, memoryPerNode: 64 << 20))
        let text = ProcFS.meminfo(machine)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.first?.hasPrefix("MemTotal:       ") == true)
        for line in lines {
            #expect(line.count >= 27 && line.dropLast(3).last?.isNumber == true, "\(line)")
            #expect(line.hasSuffix(" kB"))
            #expect(line.prefix(16).contains(":"))
        }
        let managed = machine.pageAllocator.populatedZones.reduce(0) { $0 + $1.managedPages }
        #expect(lines.first == Substring(ProcFS.showValKB("MemTotal", pages: managed).dropLast()))
        #expect(lines.contains("VmallocTotal:   34359738367 kB"))
        for name in ["MemFree:", "Slab:", "SReclaimable:", "SUnreclaim:", "PageTables:", "VmallocTotal:", "VmallocUsed:"] {
            #expect(lines.contains { $0.hasPrefix(name) }, "\(name)")
        }
    }

    @Test func meminfoShowsPageCacheAnonymousMemoryAndSwap() async throws {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 1, memoryPerNode: 64 << 20),
                                  reclaimConfig: ReclaimConfig(swapPages: 1000))
        let reclaim = machine.reclaim
        let task = try #require(reclaim.registerTask(pid: 100, comm: "user"))
        let file = reclaim.mapFile(task, pages: 30)
        let anon = reclaim.mapAnonymous(task, pages: 20)
        let context = ExecutionContext.task(cpu: 0, pid: 100)
        for page in 0..<30 { #expect(await reclaim.readFile(file, page: page, context: context)) }
        for page in 0..<20 { #expect(await reclaim.touchAnonymous(anon, page: page, context: context)) }
        func kilobytes(_ name: String) -> Int? {
            ProcFS.meminfo(machine).split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Int($0.dropFirst(16).dropLast(3).trimmingCharacters(in: .whitespaces)) }
        }
        #expect(kilobytes("Cached") == 30 * 4)
        #expect(kilobytes("AnonPages") == 20 * 4)
        #expect(kilobytes("Inactive(file)").map { $0 + (kilobytes("Active(file)") ?? 0) } == 30 * 4)
        #expect(kilobytes("SwapTotal") == 1000 * 4)
        #expect(kilobytes("SwapFree") == 1000 * 4)
        reclaim.exitTask(task, context: context)
        #expect(kilobytes("Cached") == 0 && kilobytes("AnonPages") == 0)
        await machine.shutdown()
    }
}
