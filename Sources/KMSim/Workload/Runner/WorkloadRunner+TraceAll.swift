/// `--trace-all`: every allocation and free the runner makes becomes a slice of the trace, named by the
/// kernel call (`kmalloc`, `kfree`, `alloc_pages`, `__free_pages`, ...) on the track of the CPU side that
/// made it; an allocation that went through the slow path encloses its `__alloc_pages_slowpath` (and
/// reclaim or compaction) slices. Off the common path: `record` and `release` branch on
/// `fastPathTrace`, fixed at boot, and call out of line.
extension WorkloadRunner {
    /// An allocation that took `nanoseconds` of the run's clock and just returned.
    @inline(never)
    func traceAllocation(_ operation: RunPlan.Operation, size: UInt64, nanoseconds: UInt64, context: ExecutionContext,
                         log: TraceEventLog) {
        log.recordFastPath(.allocation, api: TraceEventLog.API(operation.api), track: log.track(of: context),
                           nanoseconds: Int64(clamping: nanoseconds), argument: Int64(clamping: size))
    }

    /// Frees `object`, timed on the run's clock.
    @inline(never)
    func releaseTraced(_ object: LiveObject, context: ExecutionContext, log: TraceEventLog) {
        let start = log.now()
        freeObject(object, context: context)
        log.recordFastPath(.free, api: TraceEventLog.API(plan.operations[object.operation].api), track: log.track(of: context),
                           nanoseconds: log.now() - start, argument: Int64(clamping: object.address))
    }
}

extension TraceEventLog.API {
    /// The trace's name for a workload's allocation interface.
    init(_ api: AllocationAPI) {
        switch api {
        case .kmalloc: self = .kmalloc
        case .kmemCache: self = .kmemCache
        case .allocPages: self = .allocPages
        case .vmalloc: self = .vmalloc
        case .kvmalloc: self = .kvmalloc
        }
    }
}
