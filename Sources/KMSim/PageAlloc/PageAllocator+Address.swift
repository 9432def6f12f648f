/// The address-based API (include/linux/gfp.h, mm/page_alloc.c): `__get_free_pages()`,
/// `get_zeroed_page()`, and the node/zone lookups other subsystems use.
extension PageAllocator {
    /// `__get_free_pages()`: the address of a new block; `__GFP_HIGHMEM` is refused as in the kernel
    /// (such pages need not have a kernel address), logged as a warning.
    public func getFreePages(gfp: GFPFlags, order: Int, context: ExecutionContext) -> UnsafeMutableRawPointer? {
        guard !gfp.contains(.highMem) else {
            warnAllocation("__get_free_pages() with __GFP_HIGHMEM", gfp: gfp, context: context)
            return nil
        }
        guard let pfn = allocPages(order: order, gfp: gfp, context: context) else { return nil }
        return pageAddress(pfn)
    }

    /// `get_zeroed_page()`: one zeroed page.
    public func getZeroedPage(gfp: GFPFlags, context: ExecutionContext) -> UnsafeMutableRawPointer? {
        getFreePages(gfp: gfp.union(.zero), order: 0, context: context)
    }
}
