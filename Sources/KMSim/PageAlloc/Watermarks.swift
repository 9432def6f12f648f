/// One zone's watermarks and `lowmem_reserve[]` as the kernel computes them.
public struct ZoneWatermarks: Sendable, Equatable {
    public var min: Int
    public var low: Int
    public var high: Int
    /// WMARK_PROMO (memory tiering); printed by /proc/zoneinfo as `promo`.
    public var promo: Int
    /// `lowmem_reserve[j]` for every zone index j (MAX_NR_ZONES entries).
    public var lowmemReserve: [Int]
}

/// The zone-sizing formulas of mm/page_alloc.c (6.12): `calculate_min_free_kbytes()`,
/// `__setup_per_zone_wmarks()` and `setup_per_zone_lowmem_reserve()`, as pure functions of the zones'
/// managed pages so tests can feed any machine's figures.
public enum Watermarks {
    /// One zone as the formulas see it.
    public struct ZoneInput: Sendable, Equatable {
        public var node: Int
        public var type: ZoneType
        public var managedPages: Int
        public init(node: Int, type: ZoneType, managedPages: Int) {
            self.node = node
            self.type = type
            self.managedPages = managedPages
        }
    }

    /// `calculate_min_free_kbytes()`: `int_sqrt(lowmem_kbytes * 16)` clamped to [128, 262144], where
    /// lowmem_kbytes is `nr_free_buffer_pages()` (managed pages of the zones GFP_USER may use, i.e. all
    /// zones up to Normal of all nodes, minus their high watermarks, which are still 0 at this point of
    /// boot) in KiB.
    ///
    /// A kernel with transparent hugepages raises this later (khugepaged's
    /// `set_recommended_min_free_kbytes()`, e.g. 67584 on the reference machine); kmsim models no THP.
    public static func defaultMinFreeKbytes(zones: [ZoneInput]) -> Int {
        let lowmemPages = zones.filter { $0.type <= .normal }.reduce(0) { $0 + $1.managedPages }
        let lowmemKbytes = lowmemPages * (MachineSpec.pageSize >> 10)
        return Swift.min(Swift.max(integerSquareRoot(lowmemKbytes * 16), 128), 262_144)
    }

    /// `__setup_per_zone_wmarks()` followed by `setup_per_zone_lowmem_reserve()`, for every zone given
    /// (all zones of all nodes; `lowmem_reserve` is computed within each node).
    public static func compute(zones: [ZoneInput], minFreeKbytes: Int, watermarkScaleFactor: Int) -> [ZoneWatermarks] {
        let pagesMin = minFreeKbytes >> (MachineSpec.pageShift - 10)
        let lowmemPages = zones.filter { $0.type.isLowmem }.reduce(0) { $0 + $1.managedPages }
        return zones.map { zone in
            let managed = zone.managedPages
            var tmp = lowmemPages > 0 ? pagesMin * managed / lowmemPages : 0
            let minimum: Int
            if zone.type.isLowmem {
                minimum = tmp
            } else {
                minimum = Swift.min(Swift.max(managed / 1024, swapClusterMax), 128)
            }
            tmp = Swift.max(tmp >> 2, multFrac(managed, watermarkScaleFactor, 10_000))
            let low = minimum + tmp
            let high = low + tmp
            return ZoneWatermarks(min: minimum, low: low, high: high, promo: high + tmp,
                                  lowmemReserve: lowmemReserve(for: zone, in: zones))
        }
    }

    /// `setup_per_zone_lowmem_reserve()`: `lowmem_reserve[j]` = managed pages of the node's zones above
    /// this one up to j, divided by this zone's ratio; 0 on the diagonal and below, and for a zone that
    /// has no ratio or no managed pages.
    static func lowmemReserve(for zone: ZoneInput, in zones: [ZoneInput]) -> [Int] {
        let ratio = zone.type.lowmemReserveRatio
        let clear = ratio == 0 || zone.managedPages == 0
        var reserve = Array(repeating: 0, count: ZoneType.allCases.count)
        var upperManaged = 0
        for upper in ZoneType.allCases where upper > zone.type {
            upperManaged += zones.first { $0.node == zone.node && $0.type == upper }?.managedPages ?? 0
            reserve[upper.rawValue] = clear ? 0 : upperManaged / ratio
        }
        return reserve
    }

    /// `SWAP_CLUSTER_MAX`.
    static let swapClusterMax = 32

    /// `mult_frac(x, n, d)` without the intermediate overflow.
    static func multFrac(_ x: Int, _ numerator: Int, _ denominator: Int) -> Int {
        (x / denominator) * numerator + ((x % denominator) * numerator) / denominator
    }

    /// `int_sqrt()`: the floor of the square root.
    static func integerSquareRoot(_ value: Int) -> Int {
        guard value > 1 else { return Swift.max(value, 0) }
        var root = Int(Double(value).squareRoot())
        while root * root > value { root -= 1 }
        while (root + 1) * (root + 1) <= value { root += 1 }
        return root
    }
}
