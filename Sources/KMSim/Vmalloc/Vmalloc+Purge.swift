import Dispatch
import Synchronization

/// The lazy purge (mm/vmalloc.c, 6.12): `drain_vmap_area_work()` → `__purge_vmap_area_lazy()`: take every
/// lazily freed area, flush the kernel TLB range covering them on every CPU with one IPI broadcast
/// (`flush_tlb_kernel_range()` → `on_each_cpu(..., wait=1)`), then return their address space to the
/// free tree.
extension Vmalloc {
    /// `purge_vmap_area_lazy()`: purges now, under `vmap_purge_lock`, from process context. Returns the
    /// number of areas whose address space went back to the free tree. Used by the allocator when it runs
    /// out of address space, by the drain work, and by tests that need a deterministic flush.
    @discardableResult
    public func purgeVmapAreaLazy(context: ExecutionContext) -> Int {
        guard isValidCPU(context, function: "purge_vmap_area_lazy") else { return 0 }
        return purgeMutex.withLock { purges in
            purges += 1
            return purgeLocked(context: context)
        }
    }

    /// `__purge_vmap_area_lazy()` with `vmap_purge_lock` held.
    private func purgeLocked(context: ExecutionContext) -> Int {
        let batch = lazyLock.withLock(cpu: context.cpu) { () -> [LazyArea] in
            defer { lazyAreas.removeAll(keepingCapacity: true) }
            return lazyAreas
        }
        guard !batch.isEmpty else { return 0 }
        var start = KernelAddress.max, end: KernelAddress = 0, pages = 0
        for area in batch {
            start = min(start, area.start)
            end = max(end, area.end)
            pages += Int((area.end - area.start) >> UInt64(VmallocLayout.pageShift))
        }
        flushTLBKernelRange(start: start, end: end, context: context)
        vmapLazyNr.subtract(pages, ordering: .relaxed)
        freeLock.withLock(cpu: context.cpu) {
            for area in batch {
                if !freeTree.mergeOrAdd(start: area.start, end: area.end, payload: FreeSpace()) {
                    bugReports.record(.vmallocWarning, String(format: "vmalloc bug: lazily freed 0x%llx-0x%llx overlaps free space\n", area.start, area.end))
                }
            }
        }
        return batch.count
    }

    /// `flush_tlb_kernel_range()`: every CPU drops its translations of `[start, end)` (all of them when
    /// the range is large). With simulated CPUs this is an IPI to each, run on its IRQ queue in hardirq
    /// context, and the caller spins until all have run, as `smp_call_function_many_cond()` does with
    /// `wait` (csd_lock_wait); without CPUs the purging thread flushes every TLB itself.
    func flushTLBKernelRange(start: KernelAddress, end: KernelAddress, context: ExecutionContext) {
        flushCount.add(1, ordering: .relaxed)
        guard let cpus else {
            for cpu in 0..<cpuCount { tlb.flush(cpu: cpu, start: start, end: end) }
            return
        }
        if let clock = cpus.virtualClock, clock.isLoopThread {
            // Virtual time: the sender waits for every CPU's handler (csd_lock_wait), charged as one
            // IPI round trip per CPU; the flushes themselves are done here, as no other event can run
            // while the sender spins.
            for cpu in 0..<cpus.count { tlb.flush(cpu: cpu, start: start, end: end) }
            clock.charge(.tlbFlushIPI, times: cpus.count)
            return
        }
        let completion = FlushCompletion(count: cpus.count)
        let tlb = self.tlb
        for cpu in cpus {
            cpu.raiseIRQ { irq in
                tlb.flush(cpu: irq.cpu, start: start, end: end)
                completion.handlerFinished()
            }
        }
        completion.done.wait()
    }

    /// `schedule_work(&drain_vmap_work)`: at most one drain queued at a time.
    func scheduleDrain(cpu: Int) {
        guard !drainPending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        scheduleWork(cpu: cpu) { [self] work in
            drainPending.store(false, ordering: .releasing)
            purgeVmapAreaLazy(context: work)
        }
    }

    /// Runs `body` as a kworker would: in process context on `cpu` (a task on that simulated CPU when
    /// the machine has CPUs, the vmalloc kworker queue otherwise). Tracked by `waitForDeferredWork`.
    func scheduleWork(cpu: Int, _ body: @escaping @Sendable (ExecutionContext) -> Void) {
        deferredWork.enter()
        deferredWorkPending.add(1, ordering: .relaxed)
        let group = deferredWork
        let context = ExecutionContext.task(cpu: cpu, pid: Self.kworkerPID)
        if let cpus, cpus.indices.contains(cpu) {
            cpus[cpu].startTask(pid: Self.kworkerPID) { _, _ in
                body(context)
                self.deferredWorkPending.subtract(1, ordering: .relaxed)
                group.leave()
            }
        } else {
            workQueue.async {
                body(context)
                self.deferredWorkPending.subtract(1, ordering: .relaxed)
                group.leave()
            }
        }
    }

    /// The pid kmsim gives the kworker that runs vmalloc's deferred work.
    static let kworkerPID: Int32 = 2

    /// Blocks until every scheduled drain and deferred vfree has run (tests, invariant checks, the end of
    /// a run).
    public func waitForDeferredWork() {
        deferredWork.wait()
    }

    /// Whether scheduled drains or deferred vfrees have not run yet (what a virtual-clock check asks
    /// instead of blocking the only thread in `waitForDeferredWork`).
    public var hasDeferredWork: Bool { deferredWorkPending.load(ordering: .relaxed) > 0 }
}

/// Counts the flush IPIs still running; the last one releases the waiting purger (the csd lock the
/// kernel's caller spins on).
final class FlushCompletion: Sendable {
    let remaining: Atomic<Int>
    let done = DispatchSemaphore(value: 0)

    init(count: Int) { remaining = Atomic(count) }

    func handlerFinished() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { done.signal() }
    }
}
