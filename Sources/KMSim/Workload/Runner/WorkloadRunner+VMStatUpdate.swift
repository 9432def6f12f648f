/// Each CPU's `vmstat_update` work in a run (mm/vmstat.c): every `sysctl_stat_interval` (1 s) the CPU runs
/// `refresh_cpu_vm_stats(true)`, whose per-CPU list part decays each zone's `pcp->high` towards
/// `high_min` (`decay_pcp_high()`). One task per CPU, started with the run and cancelled at its end; its
/// sleeps go through the virtual clock when the run has one, so virtual runs stay deterministic.
extension WorkloadRunner {
    /// `sysctl_stat_interval`: HZ, one second.
    static let statIntervalNanoseconds: UInt64 = 1_000_000_000

    /// Starts every CPU's vmstat_update task; pids from `pid` on (the kernel's kworkers).
    func startVMStatUpdates(pid: Int32) -> [Task<Void, Never>] {
        let allocator = machine.pageAllocator
        return cpus.indices.map { cpu in
            cpus[cpu].startTask(pid: pid + Int32(cpu)) { context, _ in
                while !self.isStopping && !Task.isCancelled {
                    guard await scheduleTimeout(nanoseconds: Self.statIntervalNanoseconds), !self.isStopping else { return }
                    allocator.refreshCPUVMStats(context: context)
                }
            }
        }
    }
}
