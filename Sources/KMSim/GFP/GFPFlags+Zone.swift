extension GFPFlags {
    /// The highest zone the request may use: `gfp_zone()` over `GFP_ZONE_TABLE` (include/linux/gfp.h).
    ///
    /// By the four zone bits: none → Normal, DMA → DMA, HIGHMEM → HighMem, DMA32 → DMA32,
    /// MOVABLE alone → Normal, MOVABLE+DMA → DMA, MOVABLE+HIGHMEM → Movable, MOVABLE+DMA32 → DMA32.
    /// The other eight combinations are `GFP_ZONE_BAD` and throw.
    ///
    /// HighMem is configured only on 32-bit kernels (`OPT_ZONE_HIGHMEM` is ZONE_NORMAL on x86-64, so there
    /// `__GFP_HIGHMEM` alone means Normal). kmsim keeps the 32-bit table: a machine may give a node a
    /// HighMem zone for experiments, this returns `.highMem`, and the zonelist simply skips zones a node
    /// does not have, which gives the x86-64 result on a node without HighMem.
    public func zone() throws(GFPZoneError) -> ZoneType {
        let bits = intersection(.zoneMask)
        switch bits {
        case []: return .normal
        case [.dma]: return .dma
        case [.highMem]: return .highMem
        case [.dma32]: return .dma32
        case [.movable]: return .normal
        case [.movable, .dma]: return .dma
        case [.movable, .highMem]: return .movable
        case [.movable, .dma32]: return .dma32
        default: throw .invalidZoneModifiers(bits)
        }
    }

    /// The zones an allocation may fall back through, best first: its `zone()` and then every lower zone
    /// (Movable → HighMem → Normal → DMA32 → DMA), the order of a node's zonelist. Zones a node lacks
    /// are skipped when the zonelist is built, not here.
    public func zonelistOrder() throws(GFPZoneError) -> [ZoneType] {
        let highest = try zone()
        return ZoneType.allCases.filter { $0 <= highest }.reversed()
    }
}
