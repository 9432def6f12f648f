/// Deliberate bugs: each commits the mistake its `DeliberateBugSpec` names at its rate, so the report
/// shows what the kernel (and kmsim) reports for it. The BUG reports are results of the run.
extension WorkloadRunner {
    /// A blocking kmalloc in a hard interrupt handler: `might_alloc()` reports "BUG: sleeping function
    /// called from invalid context"; the allocation then proceeds without sleeping.
    func commitSleepingAllocInIRQ(_ bug: RunPlan.Bug, context: inout ExecutionContext) {
        guard gate.tryEnter() else { return }
        let state = interruptStates[context.cpu]
        let operation = RunPlan.Operation(api: .kmalloc, size: .fixed(bug.spec.size), gfp: bug.spec.gfp.flags)
        discardServed(context)
        if let object = allocate(operation, index: 0, size: bug.spec.size, gfp: bug.spec.gfp.flags, context: context,
                                 reportClass: bug.reportClass, counts: state.counts,
                                 recorder: latency.recorder(of: cpus[context.cpu].irqSide)) {
            machine.slab.kfree(UnsafeMutableRawPointer(bitPattern: object.address), context: context)
        }
        gate.leave()
        counters.flush(state.counts, cpu: context.cpu)
    }

    /// A task that commits a slab bug `rate` times a second: a double kfree, a write after kfree (found
    /// by poisoning at the next allocation of the object), or a write one byte past the object (found by
    /// the red zone check at kfree). The kmalloc cache runs with slub_debug so SLUB notices.
    func runBugTask(_ bug: RunPlan.Bug, context: inout ExecutionContext, runqueue: isolated CPURunqueue) async {
        let interval = nanoseconds(seconds: 1 / bug.spec.ratePerSecond)
        let width = RunCounters.width(classCount: plan.classes.count)
        let counts = UnsafeMutablePointer<Int64>.allocate(capacity: width)
        counts.initialize(repeating: 0, count: width)
        defer { counts.deallocate() }
        let size = Int(bug.spec.size)
        let slab = machine.slab
        while !isStopping {
            guard await scheduleTimeout(nanoseconds: interval) else { return }
            await gate.enter()
            counts[RunCounters.opsIndex(bug.reportClass)] += 1
            if let object = slab.kmalloc(size, gfp: .kernel, context: context) {
                switch bug.spec.kind {
                case .doubleFree:
                    slab.kfree(object, context: context)
                    slab.kfree(object, context: context)
                case .writeAfterFree:
                    slab.kfree(object, context: context)
                    object.storeBytes(of: 0x42, toByteOffset: size / 2, as: UInt8.self)
                    slab.kfree(slab.kmalloc(size, gfp: .kernel, context: context), context: context)
                case .redzoneOverwrite:
                    let cacheSize = slab.kmallocCache(size: size, gfp: .kernel)?.objectSize ?? size
                    object.storeBytes(of: 0x42, toByteOffset: cacheSize, as: UInt8.self)
                    slab.kfree(object, context: context)
                case .sleepingAllocInIRQ:
                    slab.kfree(object, context: context)
                }
            } else {
                counts[RunCounters.failuresIndex(bug.reportClass)] += 1
            }
            gate.leave()
            counters.flush(counts, cpu: context.cpu)
        }
    }

    /// The BUG report kinds the workload's deliberate bugs cause.
    var provokedBugKinds: Set<BugKind> {
        var kinds: Set<BugKind> = []
        for bug in plan.bugs {
            switch bug.spec.kind {
            case .sleepingAllocInIRQ: kinds.insert(.sleepingInAtomic)
            case .doubleFree: kinds.formUnion([SlabBugKind.doubleFree.bugKind, SlabBugKind.freelistCorrupt.bugKind])
            case .writeAfterFree: kinds.insert(SlabBugKind.poisonOverwritten.bugKind)
            case .redzoneOverwrite: kinds.insert(SlabBugKind.redzoneOverwritten.bugKind)
            }
        }
        return kinds
    }

    /// Kinds in the kernel log that are not BUG reports: allocation failures (a result of GFP masks under
    /// pressure, counted per class): the page allocator's warn_alloc() and SLUB's slab_out_of_memory()
    /// ("SLUB: Unable to allocate memory on node ..."); `slab_fix()` lines following a report; and the
    /// OOM killer's reports (a result of running out of memory, counted as `oomKills`); fault
    /// injection's `FAULT_INJECTION: forcing a failure.` (asked for, counted as `injectedFailures`); and a
    /// kernel panic, the run's outcome (`RunReport.panic`, exit status 3).
    static let nonBugKinds: Set<BugKind> = [.allocFailure, SlabBugKind.outOfMemory.bugKind, SlabBugKind.fixBugKind,
                                            BugKind.oomKill, BugKind.faultInjection, BugKind.kernelPanic]
}
