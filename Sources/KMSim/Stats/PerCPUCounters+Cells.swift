import Atomics

extension PerCPUCounters {
    /// The block's storage as a value, for an owner's hot path: kept in the owner's own fields, a cell is
    /// two dependent loads from the owner (owner, then the cell) instead of going through the
    /// `PerCPUCounters` object for its base, stride and row count first, as the kernel's
    /// `raw_cpu_inc(s->cpu_slab->stat[si])` reaches its cell from the cache. SLUB's `stat()` counters
    /// keep one: that third load cost `kmalloc64` 1.5-2 ns a pair.
    ///
    /// Valid while the `PerCPUCounters` it came from lives (its owner keeps that too). `@unchecked
    /// Sendable`: the pointer and sizes never change, and the cells are only accessed atomically.
    struct Cells: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let rowStride: Int
        let rows: Int

        /// `addSingleWriter` on these cells (see `PerCPUCounters.addSingleWriter`): the row is
        /// bounds-checked, `index` must be in range.
        @inline(__always)
        func addSingleWriter(_ index: Int, _ delta: Int64, row: Int) {
            precondition(UInt(bitPattern: row) < UInt(bitPattern: rows), "per-CPU counter row out of range")
            let cell = UnsafeAtomic<Int64>(at: (base + (row &* rowStride &+ index &* 8))
                .assumingMemoryBound(to: UnsafeAtomic<Int64>.Storage.self))
            cell.store(cell.load(ordering: .relaxed) &+ delta, ordering: .relaxed)
        }
    }

    /// This block's cells.
    @inline(__always)
    var cells: Cells { Cells(base: base, rowStride: rowStride, rows: cpuCount) }
}
