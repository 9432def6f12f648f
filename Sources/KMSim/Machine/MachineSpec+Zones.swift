/// One zone's place in a node's physical memory: what `zone_sizes_init()` and `free_area_init()` compute.
public struct ZoneSpan: Sendable, Equatable {
    public var type: ZoneType
    /// First page frame number of the zone (global across nodes).
    public var startPFN: Int
    /// `spanned_pages`; kmsim has no holes, so present and spanned are equal.
    public var pages: Int
}

extension MachineSpec {
    /// The zones of a node in ascending order, empty zones left out.
    ///
    /// Default, as on x86-64: node 0 holds ZONE_DMA for the first 16 MiB and ZONE_DMA32 up to 4 GiB; the
    /// rest of node 0 and all of the other nodes are ZONE_NORMAL. `zoneSizes` overrides this per node,
    /// which is how HighMem and Movable zones are made for experiments.
    public func zoneSpans(ofNode node: Int) -> [ZoneSpan] {
        var sizes = zoneBytes(ofNode: node)
        let explicit = sizes.values.reduce(0, +)
        sizes[.normal] = (sizes[.normal] ?? 0) + (memoryPerNode > explicit ? memoryPerNode - explicit : 0)
        var pfn = startPFN(ofNode: node)
        var spans: [ZoneSpan] = []
        for type in ZoneType.allCases {
            let pages = Int((sizes[type] ?? 0) / UInt64(Self.pageSize))
            guard pages > 0 else { continue }
            spans.append(ZoneSpan(type: type, startPFN: pfn, pages: pages))
            pfn += pages
        }
        return spans
    }

    /// The explicitly sized zones of a node: the user's override, or the x86-64 default for node 0.
    /// Normal is the remainder and is added by `zoneSpans(ofNode:)`.
    func zoneBytes(ofNode node: Int) -> [ZoneType: UInt64] {
        if let override = zoneSizes[node] {
            var sizes = override
            sizes[.normal] = nil
            return sizes
        }
        guard node == 0 else { return [:] }
        let dma = min(memoryPerNode, Self.dmaLimitBytes)
        let dma32 = min(memoryPerNode, Self.dma32LimitBytes) - dma
        return [.dma: dma, .dma32: dma32]
    }
}
