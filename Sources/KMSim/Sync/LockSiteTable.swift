import Atomics

/// A lock class's `contention_point[LOCKSTAT_POINTS]` (or `contending_point[]`) array: the first four
/// distinct call sites seen, in order. The per-CPU counts for each slot live in the class's statistics
/// rows; this table only names the slots.
///
/// The kernel fills the slots with plain racy stores (`lock_point()` in kernel/locking/lockdep.c); kmsim
/// claims an empty slot with a compare-and-swap so two CPUs cannot overwrite each other's site. It is
/// touched only on the contended path.
final class LockSiteTable: Sendable {
    private let keys: [ManagedAtomic<UInt64>]

    init() {
        keys = (0..<LockStatField.points).map { _ in ManagedAtomic<UInt64>(0) }
    }

    /// `lock_point()`: the slot holding `key`, claiming the first empty one if `key` is new; nil when the
    /// site is unknown or all slots belong to other sites.
    func slot(for key: UInt64) -> Int? {
        guard key != 0 else { return nil }
        for (index, cell) in keys.enumerated() {
            var current = cell.load(ordering: .relaxed)
            if current == 0 {
                let (claimed, original) = cell.compareExchange(
                    expected: 0, desired: key, ordering: .relaxed)
                if claimed { return index }
                current = original
            }
            if current == key { return index }
        }
        return nil
    }

    /// The recorded sites' names in slot order, up to the first empty slot (as `seq_stats` stops).
    func names() -> [String] {
        var result: [String] = []
        for cell in keys {
            guard let name = LockSite.name(cell.load(ordering: .relaxed)) else { break }
            result.append(name)
        }
        return result
    }

    /// Forgets every site, as `clear_lock_stats()` clears the class's point arrays.
    func clear() {
        for cell in keys {
            cell.store(0, ordering: .relaxed)
        }
    }
}
