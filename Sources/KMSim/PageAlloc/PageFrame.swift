/// A page frame number: the index of a 4 KiB page in the simulated machine's physical memory.
/// Nodes are laid out one after another, so node `n` owns PFNs `n * pagesPerNode ..< (n + 1) * pagesPerNode`.
public typealias PFN = Int

/// The simulator's `struct page`: 32 bytes of metadata per 4 KiB page, kept in a PFN-indexed table in
/// unsafe storage (see `PhysicalMemory`), never as an object per page.
///
/// Like the kernel's `struct page`, the fields are a union in practice: a page is on at most one list at
/// a time (a buddy free list, a per-CPU list, an LRU list or a slab partial list), so `next`/`prev` serve
/// all of them, and `slabFreelist`/`slabCounters` are meaningful only while the page heads a slab
/// (`struct slab` overlays `struct page` in the kernel the same way). The two slab words are 16-byte
/// aligned (the table is 16-byte aligned and the stride is 32) so SLUB can change them together with one
/// double-word compare-and-swap, as `__update_freelist_slow`/`cmpxchg_double` does.
///
/// Layout (asserted by a test): flags 2 bytes, order/migratetype 1, zoneIndex 1, next 4, prev 4, owner 4,
/// then the two slab words at offset 16. The page allocator's "free buddy head" marker (PG_buddy) is not
/// in the frame but in a per-zone bitmap (`Zone.buddyBitmap`), so that marker is never in a word another
/// owner writes.
public struct PageFrame {
    /// `PageFlags` bits.
    public var flags: UInt16
    /// `order` (low 4 bits) and `migratetype` (high 4 bits) packed into one byte; see the accessors.
    var orderAndMigratetype: UInt8
    /// Index of the zone within its node's zone array (`page_zonenum()`), set when the page is allocated.
    public var zoneIndex: UInt8
    /// Intrusive doubly linked list: PFNs of the neighbours, `PageFrame.none` for none.
    public var next: UInt32
    public var prev: UInt32
    /// The owner: a slab cache id for slab pages, a task id for LRU pages, the head PFN for compound tails.
    public var owner: UInt32
    /// SLUB's `slab->freelist` (an encoded object address) for a slab's head page.
    public var slabFreelist: UInt64
    /// SLUB's `slab->counters` (inuse, objects, frozen) for a slab's head page.
    public var slabCounters: UInt64

    /// Buddy order while free (`page_private` under PG_buddy) or the allocation order of a block's head.
    public var order: UInt8 {
        @inline(__always) get { orderAndMigratetype & 0x0F }
        @inline(__always) set { orderAndMigratetype = orderAndMigratetype & 0xF0 | newValue & 0x0F }
    }

    /// The migratetype of the list the page sits on while free or on a per-CPU list.
    public var migratetype: UInt8 {
        @inline(__always) get { orderAndMigratetype >> 4 }
        @inline(__always) set { orderAndMigratetype = orderAndMigratetype & 0x0F | newValue << 4 }
    }

    /// The list terminator for `next`/`prev`.
    public static let none: UInt32 = .max
}

/// Page flag bits (`enum pageflags`, include/linux/page-flags.h), the subset kmsim tracks.
public struct PageFlags: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// PG_buddy: the page heads a free block on a buddy free list.
    public static let buddy = PageFlags(rawValue: 1 << 0)
    /// The page is on a per-CPU page list.
    public static let pcp = PageFlags(rawValue: 1 << 1)
    /// Handed out by the page allocator (the kernel tells this from refcount > 0).
    public static let allocated = PageFlags(rawValue: 1 << 2)
    /// PG_head: first page of a compound (`__GFP_COMP`) allocation.
    public static let head = PageFlags(rawValue: 1 << 3)
    /// A tail page of a compound allocation; `owner` holds the head PFN.
    public static let tail = PageFlags(rawValue: 1 << 4)
    /// PG_slab: the page belongs to a SLUB slab.
    public static let slab = PageFlags(rawValue: 1 << 5)
    /// PG_lru: on an LRU list.
    public static let lru = PageFlags(rawValue: 1 << 6)
    /// PG_active: on the active LRU list.
    public static let active = PageFlags(rawValue: 1 << 7)
    /// PG_dirty: page cache that needs writeback before it can be reclaimed.
    public static let dirty = PageFlags(rawValue: 1 << 8)
    /// PG_swapbacked: anonymous memory, reclaimed by swap-out.
    public static let swapBacked = PageFlags(rawValue: 1 << 9)
    /// PG_reserved: never handed to the allocator.
    public static let reserved = PageFlags(rawValue: 1 << 10)
    /// A page-table page (`PageTable`, counted in nr_page_table_pages).
    public static let pageTable = PageFlags(rawValue: 1 << 11)
    /// Mapped into the vmalloc area.
    public static let vmalloc = PageFlags(rawValue: 1 << 12)
}
