import Testing
@testable import KMSim

/// Machines and helpers for the reclaim tests.
enum ReclaimTest {
    /// One node of `memory` bytes, all ZONE_NORMAL, `cpus` CPUs. 64 MiB gives 16384 managed pages and
    /// min/low/high watermarks of 256/320/384 pages.
    /// `watermarkBoostFactor` is `vm.watermark_boost_factor` (15000 by default; 0 for tests whose
    /// ballast fallbacks must not raise the watermarks while no kswapd runs to reclaim the boost).
    static func machine(memory: UInt64 = 64 << 20, cpus: Int = 2, swapPages: Int = 0, kswapd: Bool = false,
                        writeNanoseconds: UInt64 = 1_000,
                        watermarkBoostFactor: Int = KernelTunables.defaultWatermarkBoostFactor) throws -> Machine {
        var spec = MachineSpec(nodes: 1, cpusPerNode: cpus, memoryPerNode: memory, zoneSizes: [0: [:]])
        spec.tunables.watermarkBoostFactor = watermarkBoostFactor
        return try Machine(spec: spec,
                           reclaimConfig: ReclaimConfig(swapPages: swapPages, writeNanosecondsPerPage: writeNanoseconds,
                                                        swapInNanosecondsPerPage: writeNanoseconds, kswapdEnabled: kswapd))
    }

    /// A mask that neither reclaims nor wakes kswapd: the test's own ballast allocations, which stop at
    /// the MIN watermark like GFP_NOWAIT without disturbing reclaim.
    static let ballast = GFPFlags.noWarn

    /// Allocates order-0 ballast pages (or pages of `gfp`) until even a drained zone refuses one; the
    /// test holds them.
    static func fillToMin(_ machine: Machine, holding held: inout [PFN], cpu: Int = 0, gfp: GFPFlags = ballast) {
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: cpu, pid: 999)
        while true {
            var got = 0
            while let pfn = allocator.allocPages(order: 0, gfp: gfp, context: context) {
                held.append(pfn)
                got += 1
            }
            allocator.drainAllPages(context: context)
            if got == 0 { return }
        }
    }

    static func free(_ machine: Machine, _ pfns: [PFN], cpu: Int = 0) {
        for pfn in pfns { machine.pageAllocator.freePages(pfn, order: 0, context: .task(cpu: cpu, pid: 999)) }
    }

    /// The single Normal zone of node 0.
    static func zone(_ machine: Machine) -> Zone { machine.pageAllocator.zone(node: 0, type: .normal) }

    /// Pages of `region` that are resident and dirty, counted under the LRU lock.
    static func dirtyResident(_ machine: Machine, _ region: MemoryRegion) -> Int {
        let lruvec = machine.reclaim.lruvecs[0]
        return lruvec.lruLock.withLock(cpu: 0) {
            (0..<region.pageCount).reduce(0) { total, index in
                guard let pfn = MemoryRegion.pfn(region.slot(index).load(ordering: .relaxed)) else { return total }
                return total + (lruvec.frames[pfn].flags & PageFlags.dirty.rawValue != 0 ? 1 : 0)
            }
        }
    }

    /// Runs `body` in hard-interrupt context on `cpu` and returns its result.
    static func inIRQ<R: Sendable>(_ machine: Machine, cpu: Int, _ body: @escaping @Sendable (inout ExecutionContext) -> R) async -> R {
        await withCheckedContinuation { continuation in
            machine.cpus[cpu].raiseIRQ { context in
                continuation.resume(returning: body(&context))
            }
        }
    }

    /// Runs `body` as a task in process context on `cpu` and returns its result.
    static func inTask<R: Sendable>(_ machine: Machine, cpu: Int, pid: Int32,
                                    _ body: @escaping @Sendable (inout ExecutionContext) async -> R) async -> R {
        await machine.cpus[cpu].startTask(pid: pid) { context, _ in await body(&context) }.value
    }
}
