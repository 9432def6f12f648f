import Atomics
import Synchronization

/// A range of simulated user memory owned by one task: a mapped file (its page cache) or an anonymous
/// mapping. Each page slot says where the page is: nowhere yet, resident at a PFN, or swapped out.
///
/// Mirrors the parts of `struct address_space` (file) and the page tables of an anonymous VMA that
/// reclaim needs: the way back from a page to its slot (`folio->mapping` / `folio->index`, kept in the
/// frame's otherwise unused slab words) so reclaim can unmap it.
///
/// Synchronisation: slots are atomics. A slot that points at a page is changed only under the
/// `&lruvec->lru_lock` of that page's node, which also guards the page's frame; a task reads its slots
/// without a lock and re-checks under the lock before touching the frame (the kernel's
/// `folio_try_get()` + recheck of `folio->mapping`). Empty and swapped slots are changed only by the
/// owning task. Storage is immutable after `init`; hence `@unchecked Sendable`.
public final class MemoryRegion: @unchecked Sendable {
    public enum Kind: Sendable {
        /// A file mapped by the task: its pages are page cache, written back when dirty.
        case file
        /// Anonymous memory: swapped out to be reclaimed.
        case anonymous
    }

    public let kind: Kind
    /// Pages in the region.
    public let pageCount: Int
    /// The owning task's pid.
    public let pid: Int32
    /// The owner's slot in the task table.
    let taskSlot: Int
    let slots: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    /// Set when the owner exits or is killed: pages the task is about to add must be freed instead.
    let dead = Atomic<Bool>(false)
    /// `mapping->writeback_index`: where the next writeback of the file goes on (only the owning task
    /// writes its file back, so relaxed ordering suffices).
    let writebackIndex = Atomic<Int>(0)

    static let empty: UInt64 = 0
    static let swapped: UInt64 = 1 << 63

    init(kind: Kind, pageCount: Int, pid: Int32, taskSlot: Int) {
        self.kind = kind
        self.pageCount = max(0, pageCount)
        self.pid = pid
        self.taskSlot = taskSlot
        slots = .allocate(capacity: max(1, pageCount))
        slots.initialize(repeating: UnsafeAtomic<UInt64>.Storage(Self.empty), count: max(1, pageCount))
    }

    deinit { slots.deallocate() }

    @inline(__always)
    func slot(_ index: Int) -> UnsafeAtomic<UInt64> { UnsafeAtomic(at: slots + index) }

    /// The slot value of a page resident at `pfn`.
    @inline(__always)
    static func resident(_ pfn: PFN) -> UInt64 { UInt64(pfn) + 1 }

    /// The PFN a slot value points at, nil for empty or swapped slots.
    @inline(__always)
    static func pfn(_ value: UInt64) -> PFN? {
        value == empty || value & swapped != 0 ? nil : Int(value - 1)
    }

    /// Resident pages now (a racy count, for reports).
    public var residentPages: Int { (0..<pageCount).reduce(0) { $0 + (Self.pfn(slot($1).load(ordering: .relaxed)) == nil ? 0 : 1) } }

    /// Swapped-out pages now.
    public var swappedPages: Int {
        (0..<pageCount).reduce(0) { $0 + (slot($1).load(ordering: .relaxed) & Self.swapped != 0 ? 1 : 0) }
    }

    /// The bits kept in a frame's `slabFreelist` word while the page belongs to a region.
    var opaqueBits: UInt64 { UInt64(UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque())) }

    /// The region a frame's back-reference names. The caller holds the page's `lru_lock` and knows the
    /// page belongs to a live region (it is on the LRU or isolated by the caller, who retained it).
    static func from(_ bits: UInt64) -> Unmanaged<MemoryRegion> {
        Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped)
    }
}
