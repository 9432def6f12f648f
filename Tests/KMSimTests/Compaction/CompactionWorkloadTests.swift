import Foundation
import Testing
@testable import KMSim

/// The `compaction:` and `highalloc:` sections, the extfrag files, the report's compaction figures and
/// a small stress-highalloc run.
@Suite(TestTime.limit(minutes: 10)) struct CompactionWorkloadTests {
    static func errors(_ yaml: String) -> [WorkloadDiagnostic] {
        do {
            _ = try WorkloadSpec.parse(yaml: yaml, file: "compaction.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func sectionsParseWithDefaultsAndValues() throws {
        let parsed = try WorkloadSpec.parse(yaml: """
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 64MiB}
            compaction: {enabled: false, proactiveness: 0, extfragThreshold: 700, compactEvery: 500ms}
            highalloc: {cpu: 1, order: 8, share: 25%, interval: 5ms, start: 0s}
            memoryUsers:
              - {name: r, kind: pageCacheReader, cpus: 0, fileSize: 1MiB}
            """, file: "c.yaml").spec
        #expect(parsed.compaction.config == CompactionConfig(enabled: false, proactiveness: 0, extfragThreshold: 700))
        #expect(parsed.compaction.compactEverySeconds == 0.5)
        let highalloc = try #require(parsed.highalloc)
        #expect(highalloc.cpu == 1 && highalloc.order == 8 && highalloc.share == 0.25)
        #expect(highalloc.intervalSeconds == 0.005 && highalloc.startSeconds == 0)
        // 64 MiB in order-8 blocks (1 MiB) is 64 blocks; a quarter of them.
        #expect(highalloc.requested(on: parsed.machine) == 16)
        let defaults = try WorkloadSpec.parse(yaml: "duration: 1s\nmemoryUsers:\n  - {name: r, kind: pageCacheReader, cpus: 0, fileSize: 1MiB}\n", file: "d.yaml").spec
        #expect(defaults.compaction == CompactionSpec())
        #expect(defaults.highalloc == nil)
        #expect(defaults.reclaim.config(for: defaults.machine, compaction: defaults.compaction.config).compaction
                == CompactionConfig(enabled: true, proactiveness: 20, extfragThreshold: 500))
    }

    @Test func badValuesAreLocated() {
        let proactive = Self.errors("compaction:\n  proactiveness: 101\n\nmemoryUsers:\n  - {name: r, kind: pageCacheReader, cpus: 0, fileSize: 1MiB}\n")
        #expect(proactive.count == 1)
        #expect(proactive.first?.line == 2 && proactive.first?.column == 18)
        #expect(proactive.first?.message.contains("proactiveness: found '101', expected an integer within 0...100") == true)
        let unknown = Self.errors("compaction:\n  extfrag: 500\n\nmemoryUsers:\n  - {name: r, kind: pageCacheReader, cpus: 0, fileSize: 1MiB}\n")
        #expect(unknown.first?.message.contains("unknown key 'extfrag'") == true)
        #expect(unknown.first?.line == 2 && unknown.first?.column == 3)
        let cpu = Self.errors("machine: {nodes: 1, cpusPerNode: 2}\nhighalloc:\n  cpu: 2\n  share: 0%\n\nmemoryUsers:\n  - {name: r, kind: pageCacheReader, cpus: 0, fileSize: 1MiB}\n")
        #expect(cpu.count == 2)
        #expect(cpu.first?.line == 3 && cpu.first?.column == 8)
        #expect(cpu.last?.message.contains("share: found 0%") == true)
        let every = Self.errors("compaction: {compactEvery: 0s}\n\nmemoryUsers:\n  - {name: r, kind: pageCacheReader, cpus: 0, fileSize: 1MiB}\n")
        #expect(every.count == 1 && every.first?.line == 1)
    }

    /// The extfrag files print each order's index as the kernel's `%2d.%03d` / `%d.%03d`, here checked
    /// against Foundation's printf of the same numbers.
    @Test func extfragFilesPrintTheIndicesAsTheKernelDoes() async throws {
        let machine = try CompactionTest.machine()
        _ = try await CompactionTest.fragmentWithPageCache(machine)
        let zone = ReclaimTest.zone(machine)
        let nrFree = (0...PageAllocator.maxOrder).map { zone.nrFree[$0] }
        let extfrag = ProcFS.extfragIndex(machine)
        let unusable = ProcFS.unusableIndex(machine)
        var expectedExtfrag = "Node 0, zone   Normal "
        var expectedUnusable = "Node 0, zone   Normal "
        for order in 0...PageAllocator.maxOrder {
            let info = Compaction.contigPageInfo(nrFree: nrFree, suitableOrder: order)
            let fragmentation = Compaction.fragmentationIndex(order: order, info: info)
            let unusableIndex = Compaction.unusableFreeIndex(order: order, info: info)
            expectedExtfrag += String(format: "%2d.%03d ", fragmentation / 1000, fragmentation % 1000)
            expectedUnusable += String(format: "%d.%03d ", unusableIndex / 1000, unusableIndex % 1000)
        }
        #expect(extfrag == expectedExtfrag + "\n")
        #expect(unusable == expectedUnusable + "\n")
        // Order 0 is always satisfiable here; order 9 is not, and fragmentation is the reason.
        #expect(extfrag.contains("Normal -1.000 "))
        let fields = extfrag.split(separator: " ").suffix(12)
        #expect(fields.dropFirst(9).first?.hasPrefix(" 0.9") == true || fields.dropFirst(9).first?.hasPrefix("0.9") == true)
    }

    static let smallHighalloc = """
        name: small-highalloc
        machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 32MiB}
        duration: 2s
        seed: 3
        memoryUsers:
          - {name: readers, kind: pageCacheReader, cpus: 0, fileSize: 20MiB}
        highalloc: {cpu: 1, order: 9, share: 50%, interval: 1ms, start: 50ms}
        """

    /// Three passes recorded with the blocks asked for and had, and the compaction figures in the report
    /// and JSON.
    @Test func stressHighallocRecordsThreePasses() async throws {
        let spec = try WorkloadSpec.parse(yaml: Self.smallHighalloc, file: "h.yaml").spec
        let report = try await WorkloadRunner(spec: spec).run().report
        let passes = try #require(report.highalloc)
        #expect(passes.map(\.pass) == [1, 2, 3])
        #expect(passes.allSatisfy { $0.requested == 8 && $0.allocated <= 8 })
        #expect(passes.allSatisfy { $0.successPercent == (Double($0.allocated) * 1000 / 8).rounded() / 10 })
        #expect(report.compaction.stalls == report.vmstat["compact_stall"])
        #expect(report.compaction.pagesMigrated == report.vmstat["pgmigrate_success"])
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        let text = report.text
        #expect(text.contains("compaction: stalls \(report.compaction.stalls), success \(report.compaction.success)"))
        #expect(text.contains("highalloc pass 3: \(passes[2].allocated) of 8 blocks"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let compaction = json?["compaction"] as? [String: Any]
        #expect(Set(compaction?.keys ?? [:].keys) == ["stalls", "success", "fail", "pagesMigrated", "kcompactdWakeups"])
        let highalloc = json?["highalloc"] as? [[String: Any]]
        #expect(Set(highalloc?.first?.keys ?? [:].keys) == ["pass", "requested", "allocated", "successPercent"])
    }

    /// The same run without compaction: no stall, no migration.
    @Test func withoutCompactionNothingMigrates() async throws {
        let yaml = Self.smallHighalloc + "\ncompaction: {enabled: false}\n"
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "h.yaml").spec
        let report = try await WorkloadRunner(spec: spec).run().report
        #expect(report.highalloc?.count == 3)
        #expect(report.compaction == .zero)
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
    }
}
