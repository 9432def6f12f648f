extension AllocFlags {
    /// The watermark an allocation must stay above, after the reserve discounts of `__zone_watermark_ok()`
    /// (mm/page_alloc.c); `nil` for ALLOC_NO_WATERMARKS, which `get_page_from_freelist` lets through.
    ///
    /// Only when some ALLOC_RESERVES flag is set: ALLOC_MIN_RESERVE (`__GFP_HIGH`) takes `min -= min / 2`,
    /// and with ALLOC_NON_BLOCK as well `min -= min / 4` more, so GFP_ATOMIC goes down to 37.5 % of the
    /// mark; ALLOC_NON_BLOCK alone (GFP_NOWAIT) gets nothing; ALLOC_OOM takes `min -= min / 2`. Integer
    /// division truncates like the kernel's `long` arithmetic. Called on the page allocator's hot path.
    @inlinable
    public func effectiveMinimum(_ mark: Int) -> Int? {
        if contains(.noWatermarks) { return nil }
        var minimum = mark
        if !isDisjoint(with: AllocFlags.reserves) {
            if contains(.minReserve) {
                minimum -= minimum / 2
                if contains(.nonBlock) { minimum -= minimum / 4 }
            }
            if contains(.oom) { minimum -= minimum / 2 }
        }
        return minimum
    }
}
