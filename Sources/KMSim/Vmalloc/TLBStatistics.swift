import Atomics

/// TLB hits and misses of kernel-address accesses, per execution context: the counts the
/// `dtlb_load_misses.*` performance events would give.
///
/// A `PerCPUCounters` block with a row per execution context (`PerCPUCounters.row(of:)`: each CPU's
/// sides, each kernel thread), so each row has one writer and a bump is a relaxed load and store, not
/// a locked read-modify-write, like the kernel's `this_cpu_inc()`. Readers sum the rows.
public final class TLBStatistics: Sendable {
    let counters: PerCPUCounters
    static let hitIndex = 0
    static let missIndex = 1

    init(cpuCount: Int, kernelThreads: Int) {
        counters = PerCPUCounters(cpuCount: PerCPUCounters.rows(cpuCount: cpuCount, kernelThreads: kernelThreads), counters: 2)
    }

    @inline(__always)
    func count(hit: Bool, context: ExecutionContext) {
        counters.addSingleWriter(hit ? Self.hitIndex : Self.missIndex, 1, row: PerCPUCounters.row(of: context))
    }

    /// TLB hits so far, all CPUs.
    public var hits: Int { Int(counters.sum(Self.hitIndex)) }
    /// TLB misses (page-table walks) so far, all CPUs.
    public var misses: Int { Int(counters.sum(Self.missIndex)) }

    /// hits / (hits + misses), nil before any access.
    public var hitRate: Double? {
        let hits = hits, total = hits + misses
        return total == 0 ? nil : Double(hits) / Double(total)
    }
}
