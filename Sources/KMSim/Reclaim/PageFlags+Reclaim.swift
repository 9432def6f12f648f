/// The page flags reclaim adds to those the page allocator defines (include/linux/page-flags.h).
///
/// Like the allocator's own flags these are changed only by the page's owner, which for a page on an
/// LRU list (or isolated from one) is whoever holds that node's `&lruvec->lru_lock`.
extension PageFlags {
    /// PG_referenced: touched since reclaim last looked (`folio_mark_accessed()`'s first step).
    public static let referenced = PageFlags(rawValue: 1 << 13)
    /// PG_writeback: isolated by a reclaimer that is writing it back or swapping it out.
    public static let writeback = PageFlags(rawValue: 1 << 14)
}
