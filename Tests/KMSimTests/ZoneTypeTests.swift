import Testing
@testable import KMSim

@Suite struct ZoneTypeTests {
    @Test func zoneIndicesFollowTheKernel() {
        #expect(ZoneType.allCases.map(\.kernelName) == ["DMA", "DMA32", "Normal", "HighMem", "Movable"])
        #expect(ZoneType.allCases.map(\.lowmemReserveRatio) == [256, 256, 32, 0, 0])
    }
}
