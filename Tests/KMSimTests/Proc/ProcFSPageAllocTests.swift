import Foundation
import Testing
@testable import KMSim

@Suite struct ProcFSPageAllocTests {
    @Test func buddyinfoLayout() throws {
        let machine = try makeMachine()
        let lines = ProcFS.buddyinfo(machine).split(separator: "\n", omittingEmptySubsequences: false)
        // 16 MiB DMA = 4 order-10 blocks; 48 MiB DMA32 = 12.
        #expect(lines[0] == "Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      4 ")
        #expect(lines[1] == "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     12 ")
        #expect(lines.count == 3 && lines[2].isEmpty)
    }

    @Test func zoneinfoLayout() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1)
        _ = machine.pageAllocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 0))
        let text = ProcFS.zoneinfo(machine)
        let dma32 = machine.pageAllocator.zone(node: 0, type: .dma32)
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
                  numa_hit     1
                  numa_miss    0
                  numa_foreign 0
                  numa_interleave 0
                  numa_local   1
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

    @Test func vmstatCountsAllocationsAndFrees() throws {
        let machine = try makeMachine()
        let allocator = machine.pageAllocator
        let pfn = try #require(allocator.allocPages(order: 3, gfp: .kernel, context: .task(cpu: 1)))
        allocator.freePages(pfn, order: 3, context: .task(cpu: 1))
        let vmstat = ProcFS.vmstat(machine)
        #expect(vmstat.hasPrefix("nr_free_pages "))
        #expect(vmstat.contains("\nnuma_hit 1\nnuma_miss 0\nnuma_foreign 0\nnuma_interleave 0\nnuma_local 1\nnuma_other 0\n"))
        #expect(vmstat.contains("\npgalloc_dma 0\npgalloc_dma32 8\npgalloc_normal 0\npgalloc_movable 0\n"))
        #expect(vmstat.contains("\npgfree 8\n"))
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
