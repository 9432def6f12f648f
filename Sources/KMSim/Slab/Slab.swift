import Atomics
import Synchronization

/// `struct slab` (mm/slab.h): SLUB's view of a slab's head page. It overlays the `PageFrame` of the
/// head PFN as the kernel's `struct slab` overlays `struct page`:
/// - `slabFreelist`/`slabCounters` are `slab->freelist` (the raw address of the first free object, 0 for
///   none) and `slab->counters` (`SlabCounters`), always accessed atomically, changed together by a
///   double-word compare-and-swap (`slab_update_freelist` / `__update_freelist_fast`);
/// - `owner` is `slab->slab_cache` as a cache id (set before any object is handed out);
/// - `next`/`prev` link the slab into a node partial list (under `n->list_lock`) or, as `slab->next`
///   and `slab->slabs`, into a CPU partial list (under the CPU's lock): a slab is on one list at a time;
/// - the "on node partial list" mark (`slab_test_node_partial`, PG_workingset in the kernel) is bit 32
///   of `slabCounters`, set and cleared under `n->list_lock` with a compare-and-swap that keeps the
///   other bits: no other `PageFrame` byte is free while the page allocator may read neighbours' frames.
struct Slab {
    let pfn: PFN
    let frame: UnsafeMutablePointer<PageFrame>

    /// Offset of `slabFreelist` in `PageFrame` (a literal so the fast path needs no lazy global; a test
    /// checks it against `MemoryLayout`).
    static let slabWordsOffset = 16

    @inline(__always)
    var words: UnsafeMutablePointer<Atomic<WordPair>> {
        (UnsafeMutableRawPointer(frame) + Self.slabWordsOffset).assumingMemoryBound(to: Atomic<WordPair>.self)
    }

    /// `READ_ONCE(slab->freelist)`.
    @inline(__always)
    var freelist: UInt {
        UnsafeAtomic<UInt>(at: (UnsafeMutableRawPointer(frame) + Self.slabWordsOffset)
            .assumingMemoryBound(to: UInt.AtomicRepresentation.self)).load(ordering: .relaxed)
    }

    /// `READ_ONCE(slab->counters)`.
    @inline(__always)
    var counters: SlabCounters {
        SlabCounters(rawValue: UInt64(UnsafeAtomic<UInt>(at: (UnsafeMutableRawPointer(frame) + Self.slabWordsOffset + 8)
            .assumingMemoryBound(to: UInt.AtomicRepresentation.self)).load(ordering: .relaxed)))
    }

    /// `slab_update_freelist()`: {freelist, counters} from `old` to `new` in one compare-and-swap.
    @inline(__always)
    func update(freelist oldFreelist: UInt, counters oldCounters: SlabCounters,
                to newFreelist: UInt, _ newCounters: SlabCounters) -> Bool {
        words.pointee.compareExchange(
            expected: WordPair(first: oldFreelist, second: UInt(oldCounters.rawValue)),
            desired: WordPair(first: newFreelist, second: UInt(newCounters.rawValue)),
            ordering: .acquiringAndReleasing).exchanged
    }

    /// Sets both words outright, keeping the node-partial mark; only for a slab nobody else can reach
    /// yet or under its node's lock in the debug paths, where the kernel writes them plainly.
    func set(freelist: UInt, counters: SlabCounters) {
        while true {
            let old = words.pointee.load(ordering: .relaxed)
            var new = counters
            new.onNodePartial = SlabCounters(rawValue: UInt64(old.second)).onNodePartial
            if words.pointee.compareExchange(expected: old, desired: WordPair(first: freelist, second: UInt(new.rawValue)),
                                             ordering: .acquiringAndReleasing).exchanged { return }
        }
    }

    var cacheID: Int { Int(frame.pointee.owner) }
    /// `slab_test_node_partial()` / `slab_set_node_partial()`; under `n->list_lock`.
    var onNodePartial: Bool {
        get { counters.onNodePartial }
        nonmutating set {
            while true {
                let old = words.pointee.load(ordering: .relaxed)
                var new = SlabCounters(rawValue: UInt64(old.second))
                new.onNodePartial = newValue
                if words.pointee.compareExchange(expected: old, desired: WordPair(first: old.first, second: UInt(new.rawValue)),
                                                 ordering: .acquiringAndReleasing).exchanged { return }
            }
        }
    }
    /// `slab->next` on a CPU partial list (and `slab_list` on a node partial list).
    var next: Int {
        get { frame.pointee.next == PageFrame.none ? KMemCacheCPU.noSlab : Int(frame.pointee.next) }
        nonmutating set { frame.pointee.next = newValue < 0 ? PageFrame.none : UInt32(newValue) }
    }
    var prev: Int {
        get { frame.pointee.prev == PageFrame.none ? KMemCacheCPU.noSlab : Int(frame.pointee.prev) }
        nonmutating set { frame.pointee.prev = newValue < 0 ? PageFrame.none : UInt32(newValue) }
    }
    /// `slab->slabs`: on a CPU partial list, how many slabs this one and those after it make (kept in
    /// `prev`, which a CPU partial list does not use, as the kernel keeps it in the `slab_list` union).
    var cpuPartialSlabs: Int {
        get { Int(frame.pointee.prev) }
        nonmutating set { frame.pointee.prev = UInt32(newValue) }
    }
}

/// `slab->counters`: `inuse:16, objects:15, frozen:1` in the low 32 bits, as in the kernel; bit 32 is
/// kmsim's node-partial mark (see `Slab`).
struct SlabCounters: Equatable {
    var rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }
    init(inuse: Int, objects: Int, frozen: Bool) {
        rawValue = UInt64(inuse & 0xffff) | UInt64(objects & 0x7fff) << 16 | (frozen ? 1 << 31 : 0)
    }

    var inuse: Int {
        get { Int(rawValue & 0xffff) }
        set { rawValue = rawValue & ~0xffff | UInt64(newValue & 0xffff) }
    }
    var objects: Int { Int(rawValue >> 16 & 0x7fff) }
    var frozen: Bool {
        get { rawValue & (1 << 31) != 0 }
        set { rawValue = newValue ? rawValue | 1 << 31 : rawValue & ~(1 << 31) }
    }
    var onNodePartial: Bool {
        get { rawValue & (1 << 32) != 0 }
        set { rawValue = newValue ? rawValue | 1 << 32 : rawValue & ~(1 << 32) }
    }
}
