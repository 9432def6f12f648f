import Atomics
import Glibc

/// The pages workload tasks allocate with `__GFP_MOVABLE` (`alloc_pages`, order 0), made migratable
/// the way a driver makes the pages it holds movable in the kernel: `__SetPageMovable()` with
/// `movable_operations` (`isolate_page`, `migrate_page`, `putback_page`; include/linux/migrate.h,
/// used by zsmalloc and the balloon driver), reached from a page in O(1) as the kernel reaches them
/// through `page->mapping`.
///
/// A task keeps such a page as a **handle**, not as its PFN. Each handle names one live page at a time,
/// and the registry keeps the bijection between PFNs and handles: `handleOfPFN[pfn]` and, per handle,
/// an entry word with its PFN and two bits, LIVE (a task holds it) and ISOLATED (a compaction run took
/// it for migration). Migrating a page from `source` to `target` swaps the two PFNs' handles: the live
/// handle follows its contents to `target`, and `target`'s old (unused) handle becomes `source`'s. So a
/// page that never moved has its PFN as its handle (both tables start as the identity: they store
/// `value XOR index`, so the zero pages of a lazily committed mapping are the identity), registering
/// needs no allocation, and the task's slot never has to be found or rewritten: the slot holds the
/// handle, and freeing it frees whatever page the handle names then.
///
/// Synchronisation (both engines): the entry words are atomics, and each transition is one
/// compare-and-exchange, so a task freeing its page and a compaction run migrating it cannot both free
/// it, and neither loses it:
/// - `register` (the allocating task): stores LIVE with the page's PFN.
/// - `isolate` (the migrate scanner): LIVE → LIVE|ISOLATED for the PFN it found; fails for anything
///   else (not a registered page, freed, moved, or isolated by another run).
/// - `unregister` (the task freeing it): clears LIVE. If the page was not isolated, the task frees it;
///   if it was, the run owns it and frees it when it sees LIVE gone (the kernel's "folio freed from
///   under us" in `migrate_folio_unmap()`).
/// - `migrate` (after the contents were copied): swaps the handles, then LIVE|ISOLATED@source →
///   LIVE@target; when the task unregistered meanwhile, the swap is undone and the run frees the source.
/// - `putback`: LIVE|ISOLATED → LIVE, or, when the task unregistered meanwhile, the run frees it.
/// `handleOfPFN` changes only for a source the run has isolated and a target free page it has isolated,
/// which nobody else can allocate, free or isolate meanwhile; other runs read it racily (relaxed) and
/// their compare-and-exchange then fails on the entry. The tables are two anonymous `MAP_NORESERVE`
/// mappings, committed only where touched; immutable references otherwise, hence `@unchecked Sendable`.
public final class MovablePages: @unchecked Sendable {
    /// PFNs (and handles) the tables cover.
    let pageCount: Int
    private let handles: UnsafeMutablePointer<UnsafeAtomic<UInt32>.Storage>
    private let entries: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    private let handleBytes: Int
    private let entryBytes: Int

    static let live: UInt64 = 1 << 32
    static let isolated: UInt64 = 1 << 33
    private static let pfnMask: UInt64 = (1 << 32) - 1

    init(pageCount: Int) {
        self.pageCount = pageCount
        handleBytes = max(pageCount, 1) * MemoryLayout<UInt32>.stride
        entryBytes = max(pageCount, 1) * MemoryLayout<UInt64>.stride
        handles = Self.map(handleBytes).bindMemory(to: UnsafeAtomic<UInt32>.Storage.self, capacity: max(pageCount, 1))
        entries = Self.map(entryBytes).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: max(pageCount, 1))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(handles), handleBytes)
        munmap(UnsafeMutableRawPointer(entries), entryBytes)
    }

    /// Zero-filled, lazily committed memory; a host that cannot even reserve it gets a process-private
    /// allocation instead (zeroed here, so committed at once).
    private static func map(_ bytes: Int) -> UnsafeMutableRawPointer {
        let pointer = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        if let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) { return pointer }
        let fallback = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 8)
        fallback.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return fallback
    }

    @inline(__always)
    private func handleWord(_ pfn: PFN) -> UnsafeAtomic<UInt32> { UnsafeAtomic(at: handles + pfn) }

    @inline(__always)
    private func entry(_ handle: Int) -> UnsafeAtomic<UInt64> { UnsafeAtomic(at: entries + handle) }

    /// The handle `pfn` has now.
    @inline(__always)
    func handle(of pfn: PFN) -> Int { Int(handleWord(pfn).load(ordering: .relaxed) ^ UInt32(truncatingIfNeeded: pfn)) }

    @inline(__always)
    private func setHandle(_ handle: Int, of pfn: PFN) {
        handleWord(pfn).store(UInt32(truncatingIfNeeded: handle ^ pfn), ordering: .relaxed)
    }

    /// An entry word: `pfn` (stored XOR its handle) and the bits.
    @inline(__always)
    private static func word(_ pfn: PFN, handle: Int, bits: UInt64 = 0) -> UInt64 {
        UInt64(truncatingIfNeeded: pfn ^ handle) & pfnMask | bits
    }

    /// The page `handle` names now.
    @inline(__always)
    func pfn(of handle: Int) -> PFN { Int((entry(handle).load(ordering: .acquiring) & Self.pfnMask) ^ UInt64(handle)) }

    /// Whether a task holds the page `handle` names.
    func isLive(_ handle: Int) -> Bool { entry(handle).load(ordering: .acquiring) & Self.live != 0 }

    /// `__SetPageMovable()`: the allocating task registers the order-0 page it got at `pfn`; returns the
    /// handle it keeps instead of the PFN. One atomic store.
    @inline(__always)
    func register(_ pfn: PFN) -> Int {
        let handle = handle(of: pfn)
        entry(handle).store(Self.word(pfn, handle: handle, bits: Self.live), ordering: .releasing)
        return handle
    }

    /// The task is done with the page `handle` names: the PFN it must free, or nil when a compaction run
    /// has the page isolated (the run frees it).
    @inline(__always)
    func unregister(_ handle: Int) -> PFN? {
        let word = entry(handle)
        var old = word.load(ordering: .acquiring)
        while true {
            let (exchanged, original) = word.weakCompareExchange(expected: old, desired: old & ~Self.live,
                                                                 ordering: .acquiringAndReleasing)
            if exchanged { break }
            old = original
        }
        if old & Self.isolated != 0 { return nil }
        return Int((old & Self.pfnMask) ^ UInt64(handle))
    }

    /// `isolate_movable_page()` → `movable_operations.isolate_page`: takes the registered page at `pfn`
    /// for migration; its handle, or nil when `pfn` holds no live registered page that is not already
    /// isolated.
    func isolate(_ pfn: PFN) -> Int? {
        guard pfn >= 0 && pfn < pageCount else { return nil }
        let handle = handle(of: pfn)
        let expected = Self.word(pfn, handle: handle, bits: Self.live)
        let (exchanged, _) = entry(handle).compareExchange(expected: expected, desired: expected | Self.isolated,
                                                           ordering: .acquiringAndReleasing)
        return exchanged ? handle : nil
    }

    /// `movable_operations.migrate_page` for the isolated page `handle` at `source`, whose contents
    /// were copied to `target` (a free page the run isolated): the handle moves to `target`. False when
    /// the task freed the page while it was isolated: nothing changed, and the run must free `source`
    /// (and keep `target`).
    func migrate(_ handle: Int, from source: PFN, to target: PFN) -> Bool {
        let spare = self.handle(of: target)
        setHandle(handle, of: target)
        setHandle(spare, of: source)
        entry(spare).store(Self.word(source, handle: spare), ordering: .relaxed)
        let expected = Self.word(source, handle: handle, bits: Self.live | Self.isolated)
        let (moved, _) = entry(handle).compareExchange(expected: expected,
                                                       desired: Self.word(target, handle: handle, bits: Self.live),
                                                       ordering: .acquiringAndReleasing)
        if moved { return true }
        setHandle(spare, of: target)
        setHandle(handle, of: source)
        entry(spare).store(Self.word(target, handle: spare), ordering: .relaxed)
        entry(handle).store(Self.word(source, handle: handle), ordering: .releasing)
        return false
    }

    /// `movable_operations.putback_page`: the isolated page `handle` at `pfn` was not migrated. False when
    /// the task freed it meanwhile: the run must free `pfn`.
    func putback(_ handle: Int, at pfn: PFN) -> Bool {
        let expected = Self.word(pfn, handle: handle, bits: Self.live | Self.isolated)
        let (exchanged, _) = entry(handle).compareExchange(expected: expected, desired: Self.word(pfn, handle: handle, bits: Self.live),
                                                           ordering: .acquiringAndReleasing)
        if !exchanged { entry(handle).store(Self.word(pfn, handle: handle), ordering: .releasing) }
        return exchanged
    }
}
