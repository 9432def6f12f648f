/// `drain_all_pages()` / `drain_local_pages()` (mm/page_alloc.c): return every per-CPU page to the
/// buddy lists.
///
/// Since 5.19 the kernel drains every CPU's lists from the calling CPU, under each remote `&pcp->lock`
/// (`__drain_all_pages()`; before, a work item ran on each CPU), and so does kmsim. No interrupt
/// handler is involved, so no CPU's interrupt side ever spins on a pcp lock its own process side holds.
extension PageAllocator {
    /// Drains every CPU's lists of `zone`, or of every zone when nil. `context` is the CPU asking.
    public func drainAllPages(zone: Zone? = nil, context: ExecutionContext) {
        let targets = zone.map { [$0] } ?? populatedZones
        for cpu in 0..<cpuCount {
            for zone in targets {
                zone.drainPages(cpu: cpu, lockingCPU: context.cpu)
            }
        }
    }

    /// `drain_local_pages()`: this CPU's lists only.
    public func drainLocalPages(zone: Zone? = nil, context: ExecutionContext) {
        for zone in zone.map({ [$0] }) ?? populatedZones {
            zone.drainPages(cpu: context.cpu, lockingCPU: context.cpu)
        }
    }
}
