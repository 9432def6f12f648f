/// `drain_all_pages()` / `drain_local_pages()` (mm/page_alloc.c): return every per-CPU page to the
/// buddy lists.
///
/// The kernel drains each CPU from that CPU (a work item per CPU, or directly under the remote pcp
/// lock since 5.19); kmsim takes each CPU's `&pcp->lock` from the calling CPU. The CPU model issue turns
/// this into IPIs.
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
