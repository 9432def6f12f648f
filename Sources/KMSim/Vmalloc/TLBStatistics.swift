import Atomics

/// TLB hits and misses of kernel-address accesses, per simulated CPU and side (process, interrupt): the
/// counts the `dtlb_load_misses.*` performance events would give.
///
/// Each row has one writer (a CPU side is one host thread at a time), so a bump is a relaxed load and
/// store, not a locked read-modify-write, like the kernel's `this_cpu_inc()`. Readers sum the rows.
/// Rows are 128 bytes apart. Hence `@unchecked Sendable`: the cells are only touched through atomics.
public final class TLBStatistics: @unchecked Sendable {
    static let rowStride = 128
    let rows: Int
    let base: UnsafeMutableRawPointer

    init(cpuCount: Int) {
        rows = cpuCount * 2
        base = .allocate(byteCount: rows * Self.rowStride, alignment: 128)
        base.initializeMemory(as: Int.AtomicRepresentation.self, repeating: .init(0), count: rows * Self.rowStride / 8)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func cell(row: Int, _ field: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: (base + row * Self.rowStride).assumingMemoryBound(to: Int.AtomicRepresentation.self) + field)
    }

    @inline(__always)
    static func row(_ context: ExecutionContext) -> Int { context.cpu << 1 | (context.kind == .task ? 0 : 1) }

    @inline(__always)
    func count(hit: Bool, context: ExecutionContext) {
        let cell = cell(row: Self.row(context), hit ? 0 : 1)
        cell.store(cell.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// TLB hits so far, all CPUs.
    public var hits: Int { (0..<rows).reduce(0) { $0 + cell(row: $1, 0).load(ordering: .relaxed) } }
    /// TLB misses (page-table walks) so far, all CPUs.
    public var misses: Int { (0..<rows).reduce(0) { $0 + cell(row: $1, 1).load(ordering: .relaxed) } }

    /// hits / (hits + misses), nil before any access.
    public var hitRate: Double? {
        let hits = hits, total = hits + misses
        return total == 0 ? nil : Double(hits) / Double(total)
    }
}
