import Atomics

/// A block of per-CPU `Int64` counters, summed when read: the shape of the kernel's vmstat per-CPU diffs
/// (`struct per_cpu_zonestat`, `vm_event_states`) and of lockdep's per-CPU `cpu_lock_stats`.
///
/// Each simulated CPU owns one row, padded to a multiple of 128 bytes so two CPUs never write the same
/// cache line (x86's adjacent-line prefetcher pairs 64-byte lines, hence 128 rather than 64). Readers sum
/// the rows without stopping writers, so a sum is a moment's approximation while CPUs are running and
/// exact once they are quiet, as `global_zone_page_state()` is.
///
/// Synchronisation: every cell is accessed only through swift-atomics' `UnsafeAtomic` with relaxed
/// ordering. A row has more than one writer (a simulated CPU's process side and its interrupt side run on
/// two host threads, as an interrupt can land in the middle of `__mod_zone_page_state`), so additions are
/// atomic read-modify-writes; nothing else is published through these cells, so relaxed suffices. The
/// storage pointer is immutable after `init` and freed in `deinit`; this is why the class can be
/// `@unchecked Sendable`.
public final class PerCPUCounters: @unchecked Sendable {
    /// Alignment and padding unit of a row: two 64-byte cache lines.
    static let rowAlignment = 128

    /// The number of rows (simulated CPUs).
    public let cpuCount: Int
    /// The number of counters in each row.
    public let counterCount: Int
    /// Bytes from one CPU's row to the next: `counterCount * 8` rounded up to `rowAlignment`.
    let rowStride: Int
    let base: UnsafeMutableRawPointer

    /// Creates `counters` zeroed counters for each of `cpuCount` CPUs.
    public init(cpuCount: Int, counters: Int) {
        precondition(cpuCount > 0 && counters > 0, "PerCPUCounters needs at least one CPU and one counter")
        self.cpuCount = cpuCount
        self.counterCount = counters
        let rowBytes = counters * MemoryLayout<UnsafeAtomic<Int64>.Storage>.stride
        self.rowStride = (rowBytes + Self.rowAlignment - 1) / Self.rowAlignment * Self.rowAlignment
        self.base = UnsafeMutableRawPointer.allocate(
            byteCount: cpuCount * rowStride, alignment: Self.rowAlignment)
        for cpu in 0..<cpuCount {
            let row = (base + cpu * rowStride).bindMemory(
                to: UnsafeAtomic<Int64>.Storage.self, capacity: rowStride / 8)
            row.initialize(repeating: UnsafeAtomic<Int64>.Storage(0), count: rowStride / 8)
        }
    }

    deinit {
        base.deallocate()
    }

    /// The atomic cell of counter `index` in `cpu`'s row.
    @inline(__always)
    func cell(_ index: Int, cpu: Int) -> UnsafeAtomic<Int64> {
        precondition(UInt(bitPattern: index) < UInt(bitPattern: counterCount) && UInt(bitPattern: cpu) < UInt(bitPattern: cpuCount),
                     "per-CPU counter index or CPU out of range")
        return uncheckedCell(index, cpu: cpu)
    }

    /// The cell of counter `index` in `cpu`'s row, for callers that have checked both.
    @inline(__always)
    func uncheckedCell(_ index: Int, cpu: Int) -> UnsafeAtomic<Int64> {
        UnsafeAtomic(at: (base + (cpu &* rowStride &+ index &* 8)).assumingMemoryBound(to: UnsafeAtomic<Int64>.Storage.self))
    }

    /// Adds `delta` to counter `index` in `cpu`'s row (`__this_cpu_add` / `__mod_zone_page_state`).
    @inline(__always)
    public func add(_ index: Int, _ delta: Int64, cpu: Int) {
        cell(index, cpu: cpu).wrappingIncrement(by: delta, ordering: .relaxed)
    }

    /// Counter `index` summed over all CPUs (`global_zone_page_state` after a fold, without the fold).
    public func sum(_ index: Int) -> Int64 {
        var total: Int64 = 0
        for cpu in 0..<cpuCount {
            total &+= cell(index, cpu: cpu).load(ordering: .relaxed)
        }
        return total
    }

    /// Every counter summed over all CPUs, in index order.
    public func sums() -> [Int64] {
        (0..<counterCount).map(sum)
    }

    /// Counter `index` as `cpu` alone sees it (`per_cpu_ptr(...)->vm_stat_diff[i]`).
    public func value(_ index: Int, cpu: Int) -> Int64 {
        cell(index, cpu: cpu).load(ordering: .relaxed)
    }
}
