import Testing
@testable import KMSim

/// GFP_ZONE_TABLE and GFP_ZONE_BAD from include/linux/gfp.h, written out by hand.
@Suite struct GFPZoneTests {
    @Test(arguments: [
        (UInt32(0x0), ZoneType.normal),
        (0x1, .dma),
        (0x2, .highMem),
        (0x4, .dma32),
        (0x8, .normal),
        (0x9, .dma),
        (0xa, .movable),
        (0xc, .dma32),
    ])
    func validCombinations(bits: UInt32, zone: ZoneType) throws {
        #expect(try GFPFlags(rawValue: bits).zone() == zone)
        #expect(try GFPFlags(rawValue: bits | 0xcc0).zone() == zone, "non-zone bits do not matter")
    }

    @Test(arguments: [
        (UInt32(0x3), "__GFP_DMA|__GFP_HIGHMEM"),
        (0x5, "__GFP_DMA|__GFP_DMA32"),
        (0x6, "__GFP_HIGHMEM|__GFP_DMA32"),
        (0x7, "__GFP_DMA|__GFP_HIGHMEM|__GFP_DMA32"),
        (0xb, "__GFP_DMA|__GFP_HIGHMEM|__GFP_MOVABLE"),
        (0xd, "__GFP_DMA|__GFP_DMA32|__GFP_MOVABLE"),
        (0xe, "__GFP_HIGHMEM|__GFP_DMA32|__GFP_MOVABLE"),
        (0xf, "__GFP_DMA|__GFP_HIGHMEM|__GFP_DMA32|__GFP_MOVABLE"),
    ])
    func invalidCombinationsNameTheFlags(bits: UInt32, names: String) {
        let flags = GFPFlags(rawValue: bits | 0x820)
        #expect(throws: GFPZoneError.invalidZoneModifiers(GFPFlags(rawValue: bits))) { try flags.zone() }
        do {
            _ = try flags.zonelistOrder()
            Issue.record("0x\(String(bits, radix: 16)) should be rejected")
        } catch {
            #expect(error.conflictingFlags == names)
            #expect(error.description.hasPrefix("invalid zone modifiers \(names):"))
        }
    }

    @Test func zonelistsFallBackDownwards() throws {
        #expect(try GFPFlags.highUserMovable.zonelistOrder() == [.movable, .highMem, .normal, .dma32, .dma])
        #expect(try GFPFlags.highUser.zonelistOrder() == [.highMem, .normal, .dma32, .dma])
        #expect(try GFPFlags.kernel.zonelistOrder() == [.normal, .dma32, .dma])
        #expect(try GFPFlags.gfpDMA32.zonelistOrder() == [.dma32, .dma])
        #expect(try GFPFlags.gfpDMA.zonelistOrder() == [.dma])
    }
}
