/// One allocation and one free by API: the only place the runner calls the allocators, so each subsystem
/// plugs in here.
extension WorkloadRunner {
    /// Allocates one object as `operation` describes with the mask in effect `gfp`, timing the call into
    /// `recorder` (the calling CPU side's) and counting it in `counts` under `reportClass`. The allocators
    /// run `might_alloc()` themselves (`slab_pre_alloc_hook()`, `prepare_alloc_pages()`, vmalloc's
    /// `might_sleep()`), so a blocking mask in atomic context is reported once per call. Synchronous:
    /// interrupt handlers, atomic masks, vmalloc (see `allocateFastWithoutReclaim`).
    @inline(__always)
    func allocate(_ operation: RunPlan.Operation, index: Int, size: UInt64, gfp: GFPFlags, context: ExecutionContext,
                  reportClass: Int, counts: UnsafeMutablePointer<Int64>, recorder: LatencyRecorder) -> LiveObject? {
        let start = clockTicks()
        let (address, sizeClass) = call(operation, size: size, gfp: gfp, context: context)
        return record(operation, index: index, size: size, address: address, sizeClass: sizeClass,
                      nanoseconds: elapsedNanoseconds(since: start), context: context,
                      reportClass: reportClass, counts: counts, recorder: recorder)
    }

    /// Whether a task's allocation goes through the sleeping entry points: a blocking mask in process
    /// context, for the APIs that have them (vmalloc and kvmalloc's page allocations stay synchronous).
    @inline(__always)
    static func maySleep(_ operation: RunPlan.Operation, gfp: GFPFlags, context: ExecutionContext) -> Bool {
        gfp.allowsBlocking && !context.isAtomic && operation.api != .vmalloc && operation.api != .kvmalloc
    }

    /// The mask of the fast half: without `__GFP_DIRECT_RECLAIM` (and so without `__GFP_NOFAIL`, which
    /// needs it) and with `__GFP_NOWARN`.
    @inline(__always)
    static func fastPathMask(_ gfp: GFPFlags) -> GFPFlags {
        gfp.subtracting([.directReclaim, .noFail]).union(.noWarn)
    }

    /// An allocation whose fast half found no memory: when it started and the latency size class the
    /// fast half's call determined, carried into `allocateSlowMaySleep`.
    struct PendingSlowAllocation {
        var start: UInt64
        var sizeClass: AllocationSizeClass
    }

    /// The synchronous first half of an allocation that may sleep (`maySleep`): the kernel's fast path on
    /// the CPU, with the mask without `__GFP_DIRECT_RECLAIM` and quietly (it wakes kswapd but neither
    /// reclaims nor warns). Returns the object when that found memory, or what the caller needs to go on
    /// to `allocateSlowMaySleep`. Kept synchronous so the common case costs the task no `async` call (a
    /// task frame and an executor check per allocation).
    @inline(__always)
    func allocateFastWithoutReclaim(_ operation: RunPlan.Operation, index: Int, size: UInt64, gfp: GFPFlags,
                                    context: ExecutionContext, reportClass: Int, counts: UnsafeMutablePointer<Int64>,
                                    recorder: LatencyRecorder) -> (object: LiveObject?, slowPath: PendingSlowAllocation?) {
        let start = clockTicks()
        let (address, sizeClass) = call(operation, size: size, gfp: Self.fastPathMask(gfp), context: context)
        guard address != 0 else { return (nil, PendingSlowAllocation(start: start, sizeClass: sizeClass)) }
        return (record(operation, index: index, size: size, address: address, sizeClass: sizeClass,
                       nanoseconds: elapsedNanoseconds(since: start), context: context,
                       reportClass: reportClass, counts: counts, recorder: recorder), nil)
    }

    /// The second half, when the fast path found no memory: the sleeping entry point with the full mask,
    /// which may suspend the task in direct reclaim, compaction retries or the OOM killer while its CPU
    /// runs other tasks. The latency recorded runs from the fast half's start, so it covers both halves.
    func allocateSlowMaySleep(_ operation: RunPlan.Operation, index: Int, size: UInt64, gfp: GFPFlags, context: ExecutionContext,
                              reportClass: Int, counts: UnsafeMutablePointer<Int64>, recorder: LatencyRecorder,
                              pending: PendingSlowAllocation, runqueue: isolated CPURunqueue) async -> LiveObject? {
        var address: UInt
        var sizeClass = pending.sizeClass
        discardServed(context)
        switch operation.api {
        case .kmalloc:
            address = UInt(bitPattern: await machine.slab.kmallocMaySleep(Int(size), gfp: gfp, context: context))
        case .kmemCache:
            address = UInt(bitPattern: await caches[operation.cache ?? 0].allocMaySleep(gfp: gfp, context: context))
        case .allocPages:
            address = await machine.pageAllocator.allocPagesMaySleep(order: Int(size), gfp: gfp, context: context).map { UInt($0) + 1 } ?? 0
        case .vmalloc, .kvmalloc:
            (address, sizeClass) = call(operation, size: size, gfp: gfp, context: context)
        }
        return record(operation, index: index, size: size, address: address, sizeClass: sizeClass,
                      nanoseconds: elapsedNanoseconds(since: pending.start), context: context,
                      reportClass: reportClass, counts: counts, recorder: recorder)
    }

    /// The allocator call itself and the latency size class it falls in.
    @inline(__always)
    func call(_ operation: RunPlan.Operation, size: UInt64, gfp: GFPFlags, context: ExecutionContext) -> (UInt, AllocationSizeClass) {
        switch operation.api {
        case .kmalloc:
            return (UInt(bitPattern: slabRef._withUnsafeGuaranteedRef { $0.kmalloc(Int(size), gfp: gfp, context: context) }),
                    Self.kmallocSizeClass(Int(size)))
        case .kmemCache:
            let cache = caches[operation.cache ?? 0]
            return (UInt(bitPattern: cache.alloc(gfp: gfp, context: context)), .slab(size: cache.objectSize))
        case .allocPages:
            return (pageAllocatorRef._withUnsafeGuaranteedRef { $0.allocPages(order: Int(size), gfp: gfp, context: context) }.map { UInt($0) + 1 } ?? 0,
                    .pages(order: Int(size)))
        case .vmalloc:
            return (UInt(machine.vmalloc.vmalloc(Int(size), gfp: gfp, context: context) ?? 0), Self.vmallocSizeClass(size))
        case .kvmalloc:
            let block = machine.kvmalloc.kvmallocNode(Int(size), gfp: gfp, node: nil, context: context)
            return (UInt(block?.address ?? 0),
                    block?.source == .vmalloc ? Self.vmallocSizeClass(size) : Self.kmallocSizeClass(Int(size)))
        }
    }

    /// Records one allocation's latency into `recorder` and its counts (and charges `runnerOperation` on
    /// the virtual clock); the object to keep, nil when it
    /// failed. With fault injection, a failure an injection caused is also counted as injected (the
    /// caller's mark is taken after every allocation, so one that recovered leaves none behind).
    @inline(__always)
    func record(_ operation: RunPlan.Operation, index: Int, size: UInt64, address: UInt, sizeClass: AllocationSizeClass,
                nanoseconds: UInt64, context: ExecutionContext, reportClass: Int, counts: UnsafeMutablePointer<Int64>,
                recorder: LatencyRecorder) -> LiveObject? {
        if let fastPathTrace { traceAllocation(operation, size: size, nanoseconds: nanoseconds, context: context, log: fastPathTrace) }
        // The runner's own share of an operation, after the call was timed (0 ns unless a workload's
        // `costs:` sets it).
        if let virtualClock { virtualClock.charge(.runnerOperation) }
        let served = outcomeCells.take(row: PerCPUCounters.row(of: context))
        let outcome = served == 0 && address != 0
            ? AllocationOutcome.fast
            : countServed(served, failed: address == 0, context: context, reportClass: reportClass, counts: counts)
        recorder.record(slot: plan.latencySlotBases[reportClass] + sizeClass.index, nanoseconds: nanoseconds,
                        tag: OutcomeLatencyKey.tag(reportClass: reportClass, outcome: outcome))
        counts[RunCounters.opsIndex(reportClass)] += 1
        var injected = false
        if let faults { injected = faults.takeInjected(context) }
        guard address != 0 else {
            counts[RunCounters.failuresIndex(reportClass)] += 1
            if injected { counts[RunCounters.injectedIndex(reportClass)] += 1 }
            return nil
        }
        guard operation.api == .allocPages else { return LiveObject(address: address, operation: index) }
        if size == 0 && operation.gfp.contains(.movable) {
            // A movable page the workload holds: kept as its handle, which follows the page if compaction
            // migrates it (`MovablePages`).
            return LiveObject(address: UInt(movablePages.register(Int(address) - 1)) + 1, operation: index)
        }
        return LiveObject(address: address, operation: index, order: Int(size))
    }

    /// Frees `object` in `context` with the call matching its allocation (timed into the trace under
    /// `--trace-all`).
    @inline(__always)
    func release(_ object: LiveObject, context: ExecutionContext) {
        if let fastPathTrace { return releaseTraced(object, context: context, log: fastPathTrace) }
        freeObject(object, context: context)
    }

    /// The free call matching `object`'s allocation.
    @inline(__always)
    func freeObject(_ object: LiveObject, context: ExecutionContext) {
        let operation = plan.operations[object.operation]
        switch operation.api {
        case .kmalloc:
            slabRef._withUnsafeGuaranteedRef { $0.kfree(UnsafeMutableRawPointer(bitPattern: object.address), context: context) }
        case .kmemCache:
            caches[operation.cache ?? 0].free(UnsafeMutableRawPointer(bitPattern: object.address), context: context)
        case .allocPages:
            var pfn = Int(object.address) - 1
            if object.order == 0 && operation.gfp.contains(.movable) {
                // The page the handle names now; none when compaction has it isolated (it frees it).
                guard let current = movablePages.unregister(pfn) else { return }
                pfn = current
            }
            pageAllocatorRef._withUnsafeGuaranteedRef { $0.freePages(pfn, order: object.order, context: context) }
        case .vmalloc:
            machine.vmalloc.vfree(KernelAddress(object.address), context: context)
        case .kvmalloc:
            machine.kvmalloc.kvfree(KernelAddress(object.address), context: context)
        }
    }

    /// Hands `object` to `target`'s ring from `side` (with the handler allocation whose lifetime the target
    /// applies, or -1); frees it here when there is no room.
    @inline(__always)
    func handOver(_ object: LiveObject, deferral: Int = -1, side: Int, target: Int, context: ExecutionContext,
                  counts: UnsafeMutablePointer<Int64>) {
        let log = machine.pageAllocator.eventLog
        if log.isEnabled { log.recordHandOver(address: object.address, track: log.track(of: context), target: target) }
        if let queues = mailboxes.virtualQueues {
            queues.push(RemoteObject(object: object, deferral: deferral), to: target)
            counts[counters.eventIndex(.remoteFrees)] += 1
        } else if let ring = mailboxes.ring(side: side, target: target), ring.push(RemoteObject(object: object, deferral: deferral)) {
            counts[counters.eventIndex(.remoteFrees)] += 1
        } else {
            counts[counters.eventIndex(.remoteFreeFallbacks)] += 1
            release(object, context: context)
        }
    }

    /// The latency size class `call` would give `operation` of `size`, without calling.
    func sizeClass(_ operation: RunPlan.Operation, size: UInt64) -> AllocationSizeClass {
        switch operation.api {
        case .kmalloc: return Self.kmallocSizeClass(Int(size))
        case .kmemCache: return .slab(size: caches[operation.cache ?? 0].objectSize)
        case .allocPages: return .pages(order: Int(size))
        case .vmalloc, .kvmalloc: return Self.vmallocSizeClass(size)
        }
    }

    /// The latency size class of a vmalloc of `size` bytes: its page count's bucket.
    @inline(__always)
    static func vmallocSizeClass(_ size: UInt64) -> AllocationSizeClass {
        .vmalloc(pages: Int((size + 4095) / 4096))
    }

    /// The latency size class of a kmalloc: a slab bucket up to `KMALLOC_MAX_CACHE_SIZE`, else the
    /// `kmalloc_large()` order.
    @inline(__always)
    static func kmallocSizeClass(_ size: Int) -> AllocationSizeClass {
        if size <= KmallocSizes.maxCacheSize { return .slab(size: size) }
        return .kmallocLarge(order: AllocationSizeClass.ceilLog2((size + 4095) / 4096))
    }
}
