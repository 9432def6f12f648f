extension AllocFlags {
    /// The `ALLOC_*` names of mm/internal.h, joined by `|`: the watermark first (`ALLOC_WMARK_MIN`,
    /// `_LOW` or `_HIGH` from the low two bits), then each other flag set, in bit order.
    public var kernelDescription: String {
        let watermarks = ["ALLOC_WMARK_MIN", "ALLOC_WMARK_LOW", "ALLOC_WMARK_HIGH"]
        var names = [watermarkIndex < watermarks.count ? watermarks[watermarkIndex] : "ALLOC_WMARK_0x3"]
        let others: [(flag: AllocFlags, name: String)] = [
            (.noWatermarks, "ALLOC_NO_WATERMARKS"), (.oom, "ALLOC_OOM"), (.nonBlock, "ALLOC_NON_BLOCK"),
            (.minReserve, "ALLOC_MIN_RESERVE"), (.cpuset, "ALLOC_CPUSET"), (.cma, "ALLOC_CMA"),
            (.noFragment, "ALLOC_NOFRAGMENT"), (.highAtomic, "ALLOC_HIGHATOMIC"), (.kswapd, "ALLOC_KSWAPD"),
        ]
        names += others.filter { contains($0.flag) }.map(\.name)
        return names.joined(separator: "|")
    }
}
