import Testing
@testable import KMSim

@Suite struct PageAllocWatermarkTests {
    /// The figures of a real kernel's /proc/zoneinfo (linux-mm-facts.md §2): min_free_kbytes 67584,
    /// managed DMA 3840 / DMA32 772808 / Normal 458752.
    @Test func reproducesARealKernelsZoneinfo() {
        let zones = [
            Watermarks.ZoneInput(node: 0, type: .dma, managedPages: 3840),
            Watermarks.ZoneInput(node: 0, type: .dma32, managedPages: 772_808),
            Watermarks.ZoneInput(node: 0, type: .normal, managedPages: 458_752),
        ]
        let marks = Watermarks.compute(zones: zones, minFreeKbytes: 67584, watermarkScaleFactor: 10)
        #expect(marks.map { [$0.min, $0.low, $0.high] } == [[52, 65, 78], [10569, 13211, 15853], [6274, 7842, 9410]])
        #expect(marks[0].lowmemReserve == [0, 3018, 4810, 4810, 4810])
        #expect(marks[1].lowmemReserve == [0, 0, 458_752 / 256, 458_752 / 256, 458_752 / 256])
        #expect(marks[2].lowmemReserve == [0, 0, 0, 0, 0])
    }

    /// The same machine booted with those managed counts: zoneinfo and the per-CPU list sizes of a
    /// 2-CPU kernel (DMA32 high_min 6605, high_max 48300, batch 63; DMA batch 1).
    @Test func bootedMachineShowsTheKernelsFigures() throws {
        let spec = MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: (4 << 30) + 458_752 * 4096, minFreeKbytes: 67584)
        let machine = try Machine(spec: spec, managedPages: [0: [.dma: 3840, .dma32: 772_808, .normal: 458_752]])
        let allocator = machine.pageAllocator
        let dma32 = allocator.zone(node: 0, type: .dma32)
        #expect([dma32.watermarkMin, dma32.watermarkLow, dma32.watermarkHigh] == [10569, 13211, 15853])
        let pcp = dma32.pcpSnapshot(cpu: 1, lockingCPU: 0)
        #expect(pcp.batch == 63 && pcp.highMin == 6605 && pcp.highMax == 48300 && pcp.high == 6605)
        let dma = allocator.zone(node: 0, type: .dma).pcpSnapshot(cpu: 0, lockingCPU: 0)
        #expect(dma.batch == 1 && dma.highMin == 65 / 2)
        let info = ProcFS.zoneinfo(machine)
        #expect(info.contains("Node 0, zone      DMA\n  pages free     3840\n        boost    0\n        min      52\n        low      65\n        high     78\n"))
        #expect(info.contains("        protection: (0, 3018, 4810, 4810, 4810)\n"))
    }

    /// `__setup_per_zone_wmarks` worked out by hand for machines of several sizes, with the default
    /// min_free_kbytes = int_sqrt(lowmem_kbytes * 16).
    @Test(arguments: [
        (UInt64(64) << 20, 1), (UInt64(1) << 30, 1), (UInt64(6) << 30, 1), (UInt64(2) << 30, 2),
    ])
    func watermarksFollowTheKernelFormulas(memoryPerNode: UInt64, nodes: Int) throws {
        let machine = try Machine(spec: MachineSpec(nodes: nodes, cpusPerNode: 1, memoryPerNode: memoryPerNode))
        let zones = machine.pageAllocator.populatedZones
        let lowmemPages = zones.reduce(0) { $0 + $1.managedPages }
        var root = 0
        while (root + 1) * (root + 1) <= lowmemPages * 4 * 16 { root += 1 }
        let minFreeKbytes = min(max(root, 128), 262_144)
        #expect(machine.pageAllocator.minFreeKbytes == minFreeKbytes)
        for zone in zones {
            let share = (minFreeKbytes / 4) * zone.managedPages / lowmemPages
            let gap = max(share / 4, zone.managedPages / 10_000 * 10 + zone.managedPages % 10_000 * 10 / 10_000)
            #expect(zone.watermarkMin == share)
            #expect(zone.watermarkLow == share + gap)
            #expect(zone.watermarkHigh == share + 2 * gap)
            let ratio = zone.type == .normal ? 32 : 256
            let upper = ZoneType.allCases.map { upperType in
                upperType <= zone.type ? 0 : ZoneType.allCases.filter { $0 > zone.type && $0 <= upperType }
                    .reduce(0) { $0 + machine.pageAllocator.zone(node: zone.node, type: $1).managedPages } / ratio
            }
            #expect(zone.lowmemReserve == upper)
        }
    }

    @Test func highmemAndMovableZonesGetTheSmallFixedMinimum() {
        let zones = [
            Watermarks.ZoneInput(node: 0, type: .normal, managedPages: 200_000),
            Watermarks.ZoneInput(node: 0, type: .movable, managedPages: 100_000),
            Watermarks.ZoneInput(node: 0, type: .highMem, managedPages: 0),
        ]
        let marks = Watermarks.compute(zones: zones, minFreeKbytes: 4000, watermarkScaleFactor: 10)
        // Movable: min = clamp(100000 / 1024, 32, 128) = 97, but the gap still starts from the zone's
        // proportional share: 1000 pages * 100000 / 200000 lowmem pages = 500, so max(500 >> 2, 100) = 125.
        #expect(marks[1].min == 97 && marks[1].low == 97 + 125 && marks[1].high == 97 + 250)
        #expect(marks[2].min == 32 && marks[2].low == 32 && marks[2].high == 32)
        #expect(marks[0].min == 1000 && marks[0].low == 1250 && marks[0].high == 1500)
        #expect(marks[0].lowmemReserve == [0, 0, 0, 0, 100_000 / 32])
    }

    @Test func perCPUBatchFollowsZoneBatchsize() {
        #expect(PerCPUPageSizing.batch(managedPages: 3840) == 1)
        #expect(PerCPUPageSizing.batch(managedPages: 16384) == 3)
        #expect(PerCPUPageSizing.batch(managedPages: 772_808) == 63)
        #expect(PerCPUPageSizing.batch(managedPages: 100_000) == 31)
    }
}
