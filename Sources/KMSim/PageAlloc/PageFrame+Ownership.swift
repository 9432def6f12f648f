/// Who may touch which field of a `PageFrame`.
///
/// A frame belongs to whoever holds the page: while it is free in the buddy lists, its zone's
/// `&zone->lock`; while it sits on a per-CPU list, that list's `&pcp->lock`; while allocated, the caller
/// that allocated it (slab, LRU, a test). Ownership passes with the page, through the lock release /
/// acquire of the list it leaves or joins, so no field needs atomics. The allocator owns the
/// `allocated`, `head`, `tail`, `buddy` and `pcp` flag bits and `order` of an allocated block's head;
/// owners add and remove their own bits with `|=` / `&= ~` and leave those alone.
///
/// The one cross-owner question is `__free_one_page()` asking whether the neighbouring buddy is free.
/// The kernel reads the buddy's `page_type` racily; kmsim answers it from the zone's buddy bitmap
/// (`Zone.isBuddyHead`), written and read only under the zone lock, and reads the buddy's `order` only
/// once the bitmap says the zone lock owns that frame. Pages on per-CPU lists are not free buddies, so
/// they never merge, as in the kernel.
///
/// Race boundary of the bad-free checks: `freePages` inspects `flags` under the lock it takes for the
/// free. Two CPUs freeing the same page at the same instant are a data race of the caller's, which the
/// kernel catches only through the page refcount; kmsim reports double frees that are ordered (one free
/// completes before the other starts), which is every double free in a single-threaded or
/// lock-ordered program.
extension PageFrame {
    /// Whether the frame has every flag of `flag`.
    @inline(__always)
    func has(_ flag: PageFlags) -> Bool { flags & flag.rawValue == flag.rawValue }
}
