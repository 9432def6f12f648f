import Foundation
import Testing
@testable import KMSim

@Suite struct ProcFSPageAllocTests {
    @Test func buddyinfoLayout() throws {
        let machine = try makeMachine(nodes: 2)
        let lines = ProcFS.buddyinfo(machine).split(separator: "\n", omittingEmptySubsequences: false)
        // 16 MiB DMA = 4 order-10 blocks; node 1's 64 MiB Normal = 16 (node 0's DMA32 holds the boot's
        // vmalloc page tables).
        #expect(lines[0] == "Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      4 ")
        #expect(lines[1].hasPrefix("Node 0, zone    DMA32 "))
        #expect(lines[2] == "Node 1, zone   Normal      0      0      0      0      0      0      0      0      0      0     16 ")
        #expect(lines.count == 4 && lines[3].isEmpty)
    }

    @Test func zoneinfoLayout() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1)
        let dma32 = machine.pageAllocator.zone(node: 0, type: .dma32)
        // The boot's vmalloc page tables came from this zone too.
        let bootHits = dma32.numaEvents.sum(NUMAStatItem.numaHit.rawValue)
        _ = machine.pageAllocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 0))
        let text = ProcFS.zoneinfo(machine)
        let pcp = dma32.pcpSnapshot(cpu: 0, lockingCPU: 0)
        let expected = """
            Node 0, zone    DMA32
              pages free     \(dma32.freePages)
                    boost    0
                    min      \(dma32.watermarkMin)
                    low      \(dma32.watermarkLow)
                    high     \(dma32.watermarkHigh)
                    promo    \(dma32.watermarkPromo)
                    spanned  12288
                    present  12288
                    managed  12288
                    cma      0
                    protection: (0, 0, 0, 0, 0)
                  nr_free_pages \(dma32.freePages)
                  nr_zone_inactive_anon 0
            """
        #expect(text.contains(expected + "\n"))
        #expect(text.contains("""
                  numa_hit     \(bootHits + 1)
                  numa_miss    0
                  numa_foreign 0
                  numa_interleave 0
                  numa_local   \(bootHits + 1)
                  numa_other   0
              pagesets
                cpu: 0
                          count:    \(pcp.count)
                          high:     \(pcp.high)
                          batch:    \(pcp.batch)
                          high_min: \(pcp.highMin)
                          high_max: \(pcp.highMax)
              vm stats threshold: 4
                cpu: 1
            """))
        // An unpopulated zone stops after its protection line.
        #expect(text.contains("Node 1, zone      DMA\n  pages free     0\n"))
        #expect(text.contains("        protection: (0, 0, 0, 0, 0)\nNode 1, zone    DMA32\n"))
        #expect(text.hasSuffix("  start_pfn:           16384\nNode 1, zone  HighMem\n  pages free     0\n        boost    0\n        min      32\n        low      32\n        high     32\n        promo    32\n        spanned  0\n        present  0\n        managed  0\n        cma      0\n        protection: (0, 0, 0, 0, 0)\nNode 1, zone  Movable\n  pages free     0\n        boost    0\n        min      32\n        low      32\n        high     32\n        promo    32\n        spanned  0\n        present  0\n        managed  0\n        cma      0\n        protection: (0, 0, 0, 0, 0)\n"))
    }

    /// zoneinfo's `node_unreclaimable` is `pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES`, per node.
    @Test func zoneinfoNodeUnreclaimableFollowsKswapdFailures() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1)
        #expect(!ProcFS.zoneinfo(machine).contains("node_unreclaimable:  1"))
        machine.reclaim.nodeStates[1].kswapdFailures.store(16, ordering: .relaxed)
        let text = ProcFS.zoneinfo(machine)
        let node1 = try #require(text.range(of: "Node 1, zone      DMA"))
        #expect(text[..<node1.lowerBound].contains("node_unreclaimable:  0\n  start_pfn:"))
        #expect(!text[..<node1.lowerBound].contains("node_unreclaimable:  1"))
        #expect(text[node1.lowerBound...].contains("node_unreclaimable:  1\n  start_pfn:           16384\n"))
        machine.reclaim.nodeStates[1].kswapdFailures.store(15, ordering: .relaxed)
        #expect(!ProcFS.zoneinfo(machine).contains("node_unreclaimable:  1"))
    }

    /// `calculate_pressure_threshold()` and `refresh_zone_stat_thresholds()`' drift mark, on the
    /// kernel's formulas: (low - min) / CPUs within 1...125; a mark when CPUs * threshold > low - min.
    @Test func pressureThresholdAndDriftMark() throws {
        #expect(ProcFS.pressureThreshold(low: 1100, min: 1000, onlineCPUs: 4) == 25)
        #expect(ProcFS.pressureThreshold(low: 5000, min: 1000, onlineCPUs: 2) == 125)
        #expect(ProcFS.pressureThreshold(low: 1003, min: 1000, onlineCPUs: 8) == 1)
        let machine = try makeMachine(nodes: 1, cpusPerNode: 2)
        let zone = machine.pageAllocator.zone(node: 0, type: .dma32)
        let gap = zone.watermarkLow - zone.watermarkMin
        #expect(ProcFS.hasPercpuDriftMark(normalThreshold: gap / 2 + 1, zone: zone, onlineCPUs: 2))
        #expect(!ProcFS.hasPercpuDriftMark(normalThreshold: gap / 2, zone: zone, onlineCPUs: 2))
        // kswapd is not running on a bare machine: the normal threshold.
        #expect(ProcFS.statThreshold(zone, machine: machine)
                == ProcFS.statThreshold(managedPages: zone.managedPages, onlineCPUs: 2))
    }

    @Test func vmstatCountsAllocationsAndFrees() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        // Counted from the state after boot, whose vmalloc page tables are order-0 DMA32 allocations.
        let boot = Self.values(ProcFS.vmstat(machine))
        let pfn = try #require(allocator.allocPages(order: 3, gfp: .kernel, context: .task(cpu: 1)))
        allocator.freePages(pfn, order: 3, context: .task(cpu: 1))
        let vmstat = ProcFS.vmstat(machine)
        #expect(vmstat.hasPrefix("nr_free_pages "))
        #expect(vmstat.contains("\nnuma_hit \(boot["numa_hit", default: -1] + 1)\nnuma_miss 0\nnuma_foreign 0\nnuma_interleave 0\nnuma_local \(boot["numa_local", default: -1] + 1)\nnuma_other 0\n"))
        #expect(vmstat.contains("\npgalloc_dma 0\npgalloc_dma32 \(boot["pgalloc_dma32", default: -1] + 8)\npgalloc_normal 0\npgalloc_movable 0\n"))
        #expect(vmstat.contains("\npgfree \(boot["pgfree", default: -1] + 8)\n"))
    }

    /// /proc/vmstat's `name value` lines as a dictionary.
    static func values(_ vmstat: String) -> [String: Int] {
        var values: [String: Int] = [:]
        for line in vmstat.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = Int(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }

    @Test func writesADirectoryTree() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-proc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProcFS.write(to: directory, machine: machine)
        let buddyinfo = try String(contentsOf: directory.appendingPathComponent("proc/buddyinfo"), encoding: .utf8)
        #expect(buddyinfo == ProcFS.buddyinfo(machine))
        let numastat = try String(contentsOf: directory.appendingPathComponent("sys/devices/system/node/node1/numastat"), encoding: .utf8)
        #expect(numastat == "numa_hit 0\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node 0\nother_node 0\n")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("proc/lock_stat").path))
    }
}
