/// Each CPU's `vmstat_update` work in a run (mm/vmstat.c): every `sysctl_stat_interval` (1 s) the CPU runs
/// `refresh_cpu_vm_stats(true)`, whose per-CPU list part decays each zone's `pcp->high` towards
/// `high_min` (`decay_pcp_high()`). The first runs one interval after the start, as the kernel's
/// deferrable work, so nothing of it happens in shorter runs.
///
/// On the real engine one task per CPU sleeps through each interval; on the virtual clock each CPU's
/// update is an event on its process side re-armed every interval (no task at time 0, so the order of
/// a run's other events is what it was without it), and virtual runs stay deterministic.
extension WorkloadRunner {
    /// `sysctl_stat_interval`: HZ, one second.
    static let statIntervalNanoseconds: Int64 = 1_000_000_000

    /// Starts every CPU's vmstat_update: the real engine's tasks (returned, for the run to cancel and
    /// await at its end; pids from `pid` on, the kernel's kworkers), or the virtual clock's events.
    func startVMStatUpdates(pid: Int32) -> [Task<Void, Never>] {
        let allocator = machine.pageAllocator
        if let virtualClock, virtualClock.isLoopThread {
            for cpu in cpus.indices {
                armVirtualVMStatUpdate(virtualClock, cpu: cpu, pid: pid + Int32(cpu), at: Self.statIntervalNanoseconds)
            }
            return []
        }
        return cpus.indices.map { cpu in
            cpus[cpu].startTask(pid: pid + Int32(cpu)) { context, _ in
                while !self.isStopping && !Task.isCancelled {
                    guard await scheduleTimeout(nanoseconds: UInt64(Self.statIntervalNanoseconds)), !self.isStopping else { return }
                    allocator.refreshCPUVMStats(context: context)
                }
            }
        }
    }

    /// One CPU's vmstat_update as a virtual-clock event at `time` on its process side, re-arming itself.
    private func armVirtualVMStatUpdate(_ clock: VirtualClock, cpu: Int, pid: Int32, at time: Int64) {
        let side = CPUSide(machine: cpus[cpu].irqSide.machine, cpu: cpu, kind: .process)
        clock.schedule(actor: cpu, at: time, side: side) {
            guard !self.isStopping else { return }
            self.machine.pageAllocator.refreshCPUVMStats(context: .task(cpu: cpu, pid: pid))
            self.armVirtualVMStatUpdate(clock, cpu: cpu, pid: pid, at: time &+ Self.statIntervalNanoseconds)
        }
    }
}
