import Atomics

/// A fixed array of `Int` cells read and written through relaxed atomics: state changed under a lock but
/// read without it, as the kernel's READ_ONCE/WRITE_ONCE fields are (`free_area.nr_free`,
/// `zone->nr_free_highatomic`, `lowmem_reserve`, the watermarks).
///
/// Synchronisation: every access is an `UnsafeAtomic` operation; the storage pointer is immutable and
/// freed in `deinit`, which is why the type can be `@unchecked Sendable`.
///
/// A noncopyable struct rather than a class: its owner (a zone, an LRU vector) holds the storage pointer
/// inline, so a fast-path read of a zone's flags or watermarks is one dependent load from the zone
/// instead of two (zone → array object → cells).
struct AtomicCounterArray: ~Copyable, @unchecked Sendable {
    let count: Int
    private let cells: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    init(count: Int) {
        self.count = count
        cells = .allocate(capacity: max(count, 1))
        cells.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: max(count, 1))
    }

    deinit { cells.deallocate() }

    @inline(__always)
    subscript(index: Int) -> Int {
        get { UnsafeAtomic<Int>(at: cells + index).load(ordering: .relaxed) }
        nonmutating set { UnsafeAtomic<Int>(at: cells + index).store(newValue, ordering: .relaxed) }
    }

    /// Adds `delta` with a single writer in mind (the caller holds the lock that serialises writers).
    @inline(__always)
    func addLocked(_ index: Int, _ delta: Int) {
        let cell = UnsafeAtomic<Int>(at: cells + index)
        cell.store(cell.load(ordering: .relaxed) &+ delta, ordering: .relaxed)
    }

    /// Sets `bits` atomically (`set_bit()` on a word several CPUs change without a lock).
    @inline(__always)
    func setBits(_ index: Int, _ bits: Int) {
        _ = UnsafeAtomic<Int>(at: cells + index).loadThenBitwiseOr(with: bits, ordering: .relaxed)
    }

    /// Clears `bits` atomically (`clear_bit()`).
    @inline(__always)
    func clearBits(_ index: Int, _ bits: Int) {
        _ = UnsafeAtomic<Int>(at: cells + index).loadThenBitwiseAnd(with: ~bits, ordering: .relaxed)
    }

    /// Adds `delta` atomically for cells with several concurrent writers.
    @inline(__always)
    func add(_ index: Int, _ delta: Int) {
        UnsafeAtomic<Int>(at: cells + index).wrappingIncrement(by: delta, ordering: .relaxed)
    }
}
