/// The periodic shrinking of the per-CPU lists' `high` (mm/page_alloc.c and mm/vmstat.c, 6.12):
/// `decay_pcp_high()`, called for each populated zone by `refresh_cpu_vm_stats(true)` from each CPU's
/// `vmstat_update` work every `sysctl_stat_interval` (1 s). A list that grew towards `high_max` while
/// its CPU allocated and freed in bursts gives its idle pages back.
extension Zone {
    /// `decay_pcp_high()` for `cpu`'s list: while `high` is above `high_min`, it drops to the largest of
    /// count − (batch << CONFIG_PCP_BATCH_SCALE_MAX), high − high / 8 and `high_min`; pages above the new
    /// `high` go back to the buddy lists (`free_pcppages_bulk()` from list 0). Returns the work done (0,
    /// 1 or 2), as the kernel's `todo`. Runs on `lockingCPU` under `cpu`'s `&pcp->lock` (the kernel writes
    /// `high` with preemption off and takes the lock for the drain; kmsim's interrupt side may hold the
    /// lock, so the whole update is under it).
    @discardableResult
    func decayPCPHigh(cpu: Int, lockingCPU: Int) -> Int {
        let lock = pcpLocks[cpu]
        lock.lock(cpu: lockingCPU)
        defer { lock.unlock(cpu: lockingCPU) }
        let pcp = pcp(cpu)
        let highMin = Int(pcp.pointee.highMin)
        let batch = Int(pcp.pointee.batch)
        var todo = 0
        let high = Int(pcp.pointee.high)
        if high > highMin {
            let decayed = Swift.max(Int(pcp.pointee.count) - (batch << Int(PerCPUPages.batchScaleMax)),
                                    high - (high >> 3), highMin)
            pcp.pointee.high = Int32(truncatingIfNeeded: decayed)
            if decayed > highMin { todo += 1 }
        }
        let toDrain = Int(pcp.pointee.count) - Int(pcp.pointee.high)
        if toDrain > 0 {
            freePCPPagesBulk(count: toDrain, cpu: cpu, startIndex: 0, lockingCPU: lockingCPU)
            todo += 1
        }
        return todo
    }
}

extension PageAllocator {
    /// The per-CPU list part of `refresh_cpu_vm_stats(true)`: `decay_pcp_high()` on every populated
    /// zone for `context`'s CPU. Returns the zones' summed work. (The NUMA drain of remote zones'
    /// lists after `pcp->expire` rounds is not modelled.)
    @discardableResult
    public func refreshCPUVMStats(context: ExecutionContext) -> Int {
        populatedZones.reduce(0) { $0 + $1.decayPCPHigh(cpu: context.cpu, lockingCPU: context.cpu) }
    }
}
