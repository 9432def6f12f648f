import Testing
@testable import KMSim

@Suite struct MachineSpecTests {
    @Test(arguments: [
        ("4096", UInt64(4096)), ("16M", 16 << 20), ("512MiB", 512 << 20), ("4GiB", 4 << 30),
        ("64k", 64 << 10), ("2 GB", 2 << 30), ("1T", 1 << 40), ("0", 0),
    ])
    func sizesParse(text: String, bytes: UInt64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "MiB", "12XB", "-4K", "1.5G", "99999999999999999999", "18446744073709551615G"])
    func malformedSizesAreRejected(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func node0GetsTheX86ZoneLayout() {
        let spec = MachineSpec(nodes: 2, cpusPerNode: 1, memoryPerNode: 8 << 30)
        let node0 = spec.zoneSpans(ofNode: 0)
        #expect(node0.map(\.type) == [.dma, .dma32, .normal])
        #expect(node0.map(\.pages) == [4096, (4 << 30) / 4096 - 4096, (4 << 30) / 4096])
        #expect(node0.map(\.startPFN) == [0, 4096, (4 << 30) / 4096])
        let node1 = spec.zoneSpans(ofNode: 1)
        #expect(node1.map(\.type) == [.normal])
        #expect(node1[0].startPFN == (8 << 30) / 4096)
    }

    @Test func smallNode0HasNoNormalZone() {
        let spans = MachineSpec(memoryPerNode: 1 << 30).zoneSpans(ofNode: 0)
        #expect(spans.map(\.type) == [.dma, .dma32])
    }

    @Test func experimentalZonesComeFromOverrides() throws {
        let spec = MachineSpec(nodes: 1, memoryPerNode: 1 << 30,
                               zoneSizes: [0: [.dma: 16 << 20, .highMem: 256 << 20, .movable: 128 << 20]])
        try spec.validate()
        let spans = spec.zoneSpans(ofNode: 0)
        #expect(spans.map(\.type) == [.dma, .normal, .highMem, .movable])
        #expect(spans.map(\.pages) == [4096, (1024 - 16 - 256 - 128) * 256, 256 * 256, 128 * 256])
    }

    @Test func defaultDistancesAreTenLocalTwentyRemote() {
        let spec = MachineSpec(nodes: 3)
        #expect(spec.distance(from: 1, to: 1) == 10)
        #expect(spec.distance(from: 0, to: 2) == 20)
    }

    @Test(arguments: [
        (MachineSpec(nodes: 0), "nodes"),
        (MachineSpec(nodes: 65), "nodes"),
        (MachineSpec(cpusPerNode: 0), "cpusPerNode"),
        (MachineSpec(memoryPerNode: 0), "memoryPerNode"),
        (MachineSpec(memoryPerNode: 1 << 20), "memoryPerNode"),
        (MachineSpec(memoryPerNode: (64 << 20) + 1), "memoryPerNode"),
        (MachineSpec(memoryPerNode: 64 << 20, zoneSizes: [0: [.dma32: 128 << 20]]), "zones.node0"),
        (MachineSpec(memoryPerNode: 64 << 20, zoneSizes: [3: [.movable: 4 << 20]]), "zones.node3"),
        (MachineSpec(memoryPerNode: 64 << 20, zoneSizes: [0: [.dma: 32 << 20]]), "zones.node0.DMA"),
        (MachineSpec(minFreeKbytes: -1), "minFreeKbytes"),
        (MachineSpec(watermarkScaleFactor: 0), "watermarkScaleFactor"),
        (MachineSpec(nodes: 2, distances: [[10, 20]]), "distances"),
        (MachineSpec(nodes: 2, distances: [[10, 20], [20, 12]]), "distances[1][1]"),
        (MachineSpec(nodes: 2, distances: [[10, 5], [20, 10]]), "distances[0][1]"),
    ])
    func invalidSpecsNameTheField(spec: MachineSpec, field: String) {
        #expect(throws: MachineSpecError.self) { try spec.validate() }
        do {
            try spec.validate()
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test func aLargeValidMachineValidates() throws {
        try MachineSpec(nodes: 64, cpusPerNode: 16, memoryPerNode: 64 << 30).validate()
    }
}
