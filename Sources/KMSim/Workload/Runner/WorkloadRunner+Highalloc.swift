/// mmtests' stress-highalloc in a run (`highalloc:`): two passes under the workload's load, then one at
/// rest after the load is released and the caches are dropped. Each pass tries to allocate and keep
/// `share` of memory in blocks of `order`, one attempt every `interval`, then frees what it got.
extension WorkloadRunner {
    /// The mask of every attempt: huge-page-order user memory, no failure warnings.
    static let highallocGFP: GFPFlags = [.highUserMovable, .noWarn]

    /// Starts the highalloc task, nil without a `highalloc:` section.
    func startHighalloc(pid: Int32) -> Task<Void, Never>? {
        guard let highalloc = spec.highalloc else { return nil }
        let requested = highalloc.requested(on: spec.machine)
        let start = highalloc.startSeconds ?? (durationSeconds.map { $0 / 4 } ?? 1)
        return cpus[highalloc.cpu].startTask(pid: pid) { context, _ in
            guard await scheduleTimeout(nanoseconds: nanoseconds(seconds: start)), !self.isStopping else { return }
            for pass in 1...3 {
                if pass == 3 {
                    // The load is released: the other tasks stop at their next batch; caches are dropped.
                    await self.gate.pause()
                    self.machine.pageAllocator.drainAllPages(context: context)
                    self.machine.reclaim.dropCaches(context: context)
                }
                let allocated = await self.highallocPass(highalloc, requested: requested, context: context)
                self.highallocPasses.withLock { $0.append(RunReport.HighallocPass(pass: pass, requested: requested, allocated: allocated)) }
                if pass == 3 { self.gate.resume() }
                if self.isStopping { return }
            }
        }
    }

    /// One pass: up to `requested` attempts, `interval` apart, keeping every block; then frees them.
    func highallocPass(_ highalloc: HighallocSpec, requested: Int, context: ExecutionContext) async -> Int {
        var held: [PFN] = []
        let interval = nanoseconds(seconds: highalloc.intervalSeconds)
        for attempt in 0..<requested {
            if self.isStopping { break }
            if attempt > 0 { _ = await scheduleTimeout(nanoseconds: interval) }
            if let pfn = await machine.pageAllocator.allocPagesMaySleep(order: highalloc.order, gfp: Self.highallocGFP,
                                                                        context: context) {
                held.append(pfn)
            }
        }
        for pfn in held { machine.pageAllocator.freePages(pfn, order: highalloc.order, context: context) }
        return held.count
    }
}
