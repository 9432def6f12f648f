/// One batch of a task's operations: the draws first (`BatchTrace.fill`), then the allocator calls in a
/// synchronous loop (`runOperations`) that stops early only when an allocation that may sleep finds no
/// memory on its fast half. That allocation's slow half is awaited here (the task may sleep in direct
/// reclaim while its CPU runs other tasks), and the loop resumes after it.
///
/// Why two levels: everything a loop in an `async` function keeps across a suspension point lives in the
/// task's heap frame, so the common case, which never suspends, paid loads and stores to that frame on
/// every operation. The synchronous loop keeps its state in registers; the `async` level runs once per
/// batch plus once per allocation that really goes to reclaim.
extension WorkloadRunner {
    /// What every operation of one batch shares: where objects go when their lifetimes end, where
    /// latencies and counts are recorded, and the task's flags outside scoped sections.
    struct BatchEnvironment {
        var remoteFraction: Double
        /// CPUs this CPU's objects may be freed on.
        var targets: [Int]
        /// This CPU's process side in `RemoteFreeMailboxes`.
        var side: Int
        /// The latency recorder of this CPU's process side, where the batch runs.
        var recorder: LatencyRecorder
        var counts: UnsafeMutablePointer<Int64>
        var baseFlags: TaskFlags
    }

    /// An operation of the trace whose fast half found no memory: where the synchronous loop stopped and
    /// what the slow half needs.
    struct SleepingOperation {
        var position: Int
        var operationIndex: Int
        var reportClass: Int
        var gfp: GFPFlags
        var pending: PendingSlowAllocation
    }

    /// Why the synchronous loop stopped before the end of its trace.
    enum BatchStop {
        /// An allocation needs its slow half, which may sleep.
        case sleeping(SleepingOperation)
        /// On the virtual clock: the CPU ran past the next event (`VirtualClock.mustYield`); the trace
        /// resumes at `next` in the task's next batch.
        case yielded(next: Int)
    }

    /// `operations` operations of a group's mix on the CPU's process side, drawn `trace.capacity` at a time.
    /// Returns how many ran: all of them, or fewer when the virtual clock asked the task to yield.
    @discardableResult
    func runBatch(_ group: RunPlan.Group, operations: Int, trace: BatchTrace, live: inout LiveObjectSet,
                  generator: inout SplitMix64, context: inout ExecutionContext, counts: UnsafeMutablePointer<Int64>,
                  runqueue: isolated CPURunqueue) async -> Int {
        let batch = BatchEnvironment(remoteFraction: group.spec.remoteFree.fraction,
                                     targets: group.remoteTargets[context.cpu] ?? [],
                                     side: RemoteFreeMailboxes.processSide(context.cpu),
                                     recorder: latency.recorder(of: cpus[context.cpu].processSide),
                                     counts: counts, baseFlags: context.taskFlags)
        discardServed(context)
        var remaining = operations
        while remaining > 0 {
            let count = min(remaining, trace.capacity)
            remaining -= count
            trace.fill(group, plan: plan, count: count, using: &generator)
            var position = 0
            while let stop = runOperations(group, trace: trace, from: position, to: count, batch: batch, live: &live,
                                           generator: &generator, context: &context) {
                guard case .sleeping(let stopped) = stop else {
                    if case .yielded(let next) = stop { return operations - remaining - count + next }
                    break
                }
                let object = await allocateSlowMaySleep(plan.operations[stopped.operationIndex], index: stopped.operationIndex,
                                                        size: trace.sizes[stopped.position], gfp: stopped.gfp, context: context,
                                                        reportClass: stopped.reportClass, counts: counts,
                                                        recorder: batch.recorder, pending: stopped.pending, runqueue: runqueue)
                context.taskFlags = batch.baseFlags
                keep(object, batch: batch, live: &live, generator: &generator, context: context)
                position = stopped.position + 1
                if let virtualClock, virtualClock.mustYield { return operations - remaining - count + position }
            }
        }
        return operations
    }

    /// Runs the trace's operations `start..<end` synchronously: an allocation that may sleep (`maySleep`)
    /// tries its fast half only, and the first whose fast half finds no memory ends the loop, returned
    /// with its scope's task flags still set for the slow half; on the virtual clock the loop also ends
    /// when the CPU has run past the next event. Nil when all ran.
    ///
    /// A mix of one operation outside scoped sections (larson, xmalloc, most stress runs) takes a loop with
    /// the operation, its mask and its report class hoisted: the per-operation lookups of the general loop
    /// cost that case about five points of runner overhead.
    func runOperations(_ group: RunPlan.Group, trace: BatchTrace, from start: Int, to end: Int, batch: BatchEnvironment,
                       live: inout LiveObjectSet, generator: inout SplitMix64,
                       context: inout ExecutionContext) -> BatchStop? {
        if group.operations.count == 1 && group.scopeThresholds.isEmpty {
            let operationIndex = group.operations[0]
            let operation = plan.operations[operationIndex]
            let reportClass = group.classes[0][0]
            for position in start..<end {
                if let stopped = perform(operation, index: operationIndex, reportClass: reportClass, position: position,
                                         trace: trace, batch: batch, live: &live, generator: &generator, context: context) {
                    return .sleeping(stopped)
                }
                if let virtualClock, virtualClock.mustYield { return .yielded(next: position + 1) }
            }
            return nil
        }
        for position in start..<end {
            let entry = Int(trace.entries[position])
            let scope = Int(trace.scopes[position])
            if scope != 0 { context.taskFlags = batch.baseFlags.union(group.spec.scoped[scope - 1].kind.taskFlag) }
            let operationIndex = group.operations[entry]
            if let stopped = perform(plan.operations[operationIndex], index: operationIndex,
                                     reportClass: group.classes[scope][entry], position: position, trace: trace,
                                     batch: batch, live: &live, generator: &generator, context: context) {
                return .sleeping(stopped)
            }
            if scope != 0 { context.taskFlags = batch.baseFlags }
            if let virtualClock, virtualClock.mustYield { return .yielded(next: position + 1) }
        }
        return nil
    }

    /// One operation of the trace, in the scope `context.taskFlags` holds (the caller leaves the scope
    /// after): the allocation, then the lifetime rule (`keep`). Returns the operation instead when it
    /// needs its slow half.
    @inline(__always)
    func perform(_ operation: RunPlan.Operation, index operationIndex: Int, reportClass: Int, position: Int,
                 trace: BatchTrace, batch: BatchEnvironment, live: inout LiveObjectSet, generator: inout SplitMix64,
                 context: ExecutionContext) -> SleepingOperation? {
        let size = trace.sizes[position]
        let gfp = context.currentGFPContext(operation.gfp)
        let object: LiveObject?
        if Self.maySleep(operation, gfp: gfp, context: context) {
            if faults != nil {
                // With fault injection the hooks must see the allocation once, with its full mask (a
                // fast half without __GFP_DIRECT_RECLAIM would pass ignore-gfp-wait): straight to the
                // sleeping entry point.
                return SleepingOperation(position: position, operationIndex: operationIndex, reportClass: reportClass,
                                         gfp: gfp, pending: PendingSlowAllocation(start: clockTicks(),
                                                                                  sizeClass: sizeClass(operation, size: size)))
            }
            let fast = allocateFastWithoutReclaim(operation, index: operationIndex, size: size, gfp: gfp, context: context,
                                                  reportClass: reportClass, counts: batch.counts, recorder: batch.recorder)
            if let pending = fast.slowPath {
                return SleepingOperation(position: position, operationIndex: operationIndex, reportClass: reportClass,
                                         gfp: gfp, pending: pending)
            }
            object = fast.object
        } else {
            object = allocate(operation, index: operationIndex, size: size, gfp: gfp, context: context,
                              reportClass: reportClass, counts: batch.counts, recorder: batch.recorder)
        }
        keep(object, batch: batch, live: &live, generator: &generator, context: context)
        return nil
    }

    /// Applies the group's lifetime after an allocation: ends the lives that are due, then keeps `object`
    /// (nil when the allocation failed), ending the life it displaces.
    @inline(__always)
    func keep(_ object: LiveObject?, batch: BatchEnvironment, live: inout LiveObjectSet, generator: inout SplitMix64,
              context: ExecutionContext) {
        let now = live.isTimed ? nowNanoseconds() : 0
        while let expired = live.popExpired(now: now) {
            retire(expired, batch: batch, generator: &generator, context: context)
        }
        if let object, let evicted = live.admit(object, now: now, using: &generator) {
            retire(evicted, batch: batch, generator: &generator, context: context)
        }
    }

    /// Ends an object's life: freed here, or with probability `remoteFraction` handed to another CPU.
    @inline(__always)
    func retire(_ object: LiveObject, batch: BatchEnvironment, generator: inout SplitMix64, context: ExecutionContext) {
        if batch.remoteFraction > 0, !batch.targets.isEmpty, generator.nextUnitDouble() < batch.remoteFraction {
            let target = batch.targets[Int(generator.next(below: UInt64(batch.targets.count)))]
            handOver(object, side: batch.side, target: target, context: context, counts: batch.counts)
        } else {
            release(object, context: context)
        }
    }
}
