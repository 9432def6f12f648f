import Synchronization

/// The machine's swap space (`swap_info_struct`, mm/swapfile.c) as far as reclaim needs it: a size in
/// pages and the slots in use. Page contents are not kept: swapped pages are simulated user memory
/// nobody reads back byte for byte, so a swap-in yields a fresh page and costs the configured I/O time.
public final class SwapDevice: Sendable {
    /// `total_swap_pages`.
    public let totalPages: Int
    private let used = Atomic<Int>(0)

    init(pages: Int) { totalPages = max(0, pages) }

    /// Slots in use (`total_swap_pages - nr_swap_pages`).
    public var usedPages: Int { used.load(ordering: .relaxed) }

    /// `get_nr_swap_pages()`.
    public var freePages: Int { totalPages - usedPages }

    /// `folio_alloc_swap()`: reserves one slot; false when swap is full.
    func reserve() -> Bool {
        var current = used.load(ordering: .relaxed)
        while current < totalPages {
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// `swap_free()`.
    func release(_ count: Int = 1) {
        used.subtract(count, ordering: .relaxed)
    }
}
