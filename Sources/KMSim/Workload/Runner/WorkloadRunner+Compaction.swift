/// Compaction in a run: each node's kcompactd starts with the run (the kernel starts it at boot), so
/// proactive compaction works from the beginning; with `compactEvery` (or `--compact-every`) a task on
/// CPU 0 writes /proc/sys/vm/compact_memory that often (`compact_nodes()`; a `compact_memory` slice on
/// its track under `--trace`). Both work on either engine:
/// kcompactd's executor and the task's sleeps go through the virtual clock when the run has one.
extension WorkloadRunner {
    /// Seconds between compact_memory writes: `--compact-every`, else the workload's `compactEvery`.
    var compactEverySeconds: Double? { options.compactEverySeconds ?? spec.compaction.compactEverySeconds }

    /// Starts kcompactd and, when asked for, the periodic compact_memory task (returned, for the run to
    /// cancel and await at its end).
    func startCompaction(pid: Int32) -> Task<Void, Never>? {
        let compaction = machine.reclaim.compaction
        compaction.startKcompactds()
        guard compaction.config.enabled, let seconds = compactEverySeconds else { return nil }
        let interval = nanoseconds(seconds: seconds)
        return cpus[0].startTask(pid: pid) { context, _ in
            while !self.isStopping && !Task.isCancelled {
                guard await scheduleTimeout(nanoseconds: interval), !self.isStopping else { return }
                let log = self.machine.pageAllocator.eventLog
                let traced = log.isEnabled ? log.now() : nil
                await compaction.compactNodes(context: context)
                if let traced {
                    log.recordSlice(.compactMemory, track: log.track(of: context), since: traced, argument: Int64(self.spec.machine.nodes))
                }
            }
        }
    }
}
