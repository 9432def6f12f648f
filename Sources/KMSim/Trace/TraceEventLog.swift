import Synchronization

/// What `--trace` records while a run goes: the kernel's tracepoints for the moments worth seeing on a
/// time axis (`mm_page_alloc` slow path entry, `mm_vmscan_direct_reclaim_begin/end`,
/// `mm_vmscan_throttled`, `mm_vmscan_kswapd_wake`/`_sleep`, `irq_handler_entry/exit`, `mark_victim`,
/// `mm_compaction_begin`/`_end` of direct compaction and kcompactd), each an `Event` on the track of the
/// CPU side, kswapd or kcompactd that ran it. Off unless the runner starts it: every recording site first
/// loads one relaxed atomic, and all of them are off the fast paths (slow path, reclaim, compaction,
/// kswapd, kcompactd, interrupt handlers, OOM). `--trace-all` adds the fast paths' allocations and frees
/// (`kmem_cache_alloc`/`kfree`, `mm_page_alloc`/`mm_page_free` tracepoints), recorded by the runner and
/// kept within a bound of their own (`fastPathCapacity`) so they never crowd the rarer events out.
///
/// Synchronisation: `enabled` and `origin` are atomics written before the run starts; `state` is a
/// mutex, taken only when recording, so concurrent CPUs append safely; `--trace-all`'s allocations and
/// frees go to a buffer per CPU side instead, each behind its own mutex (uncontended: a side records
/// from its own serial executor), their bound kept by one relaxed atomic counter. The log is bounded:
/// past `capacity` events (and, apart, `fastPathCapacity` allocations and frees) it counts what it drops
/// and `kmsim` says so.
public final class TraceEventLog: Sendable {
    /// What an event is.
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// `__alloc_pages_slowpath()`, from entry to return.
        case slowPath
        /// `try_to_free_pages()` (`mm_vmscan_direct_reclaim_begin` to `_end`).
        case directReclaim
        /// `reclaim_throttle()`'s sleep (`mm_vmscan_throttled`).
        case throttle
        /// A writer's pause in `balance_dirty_pages()` (`balance_dirty_pages` tracepoint).
        case dirtyThrottle
        /// One `balance_pgdat()` run of kswapd.
        case kswapdRun
        /// `wakeup_kswapd()` that woke it (`mm_vmscan_wakeup_kswapd`), an instant with a flow to the run.
        case kswapdWake
        /// An interrupt source's handler, hard or soft (`irq_handler_entry` to `irq_handler_exit`).
        case interrupt
        /// `oom_kill_process()` (`mark_victim`), an instant; the argument is the victim's pid.
        case oomKill
        /// A contended spin lock wait at or above the threshold (`contention_begin` to `_end`); the
        /// argument is the lock class's index.
        case lockWait
        /// An object handed to another CPU to free (sampled), an instant starting a flow; the argument
        /// is the target CPU.
        case remoteHandOver
        /// The free of a sampled handed-over object on its target CPU, an instant ending its flow.
        case remoteFree
        /// `__alloc_pages_direct_compact()`'s `try_to_compact_pages()` (the psi memstall), one per
        /// `compact_stall`; the argument is the order.
        case directCompaction
        /// One `kcompactd_do_work()` run of kcompactd, one per `compact_daemon_wake`; the argument is the
        /// order it compacts for.
        case kcompactdRun
        /// One `proactive_compact_node()` run of kcompactd (its timer found the node fragmented).
        case proactiveCompaction
        /// A write of /proc/sys/vm/compact_memory (`compact_nodes()`) by the run's compactor task.
        case compactMemory
        /// `--trace-all`: one allocation call of the runner (`kmalloc()`, `kmem_cache_alloc()`,
        /// `alloc_pages()`, `vmalloc()`, `kvmalloc()` by `detail`, a `TraceEventLog.API`); the argument
        /// is the size in bytes (the order for alloc_pages).
        case allocation
        /// `--trace-all`: one free call of the runner (`kfree()`, ... by `detail`); the argument is the
        /// object's address (its page frame number plus one for `__free_pages()`).
        case free

        /// The slice or instant's name in the trace.
        public var traceName: String {
            switch self {
            case .slowPath: "__alloc_pages_slowpath"
            case .directReclaim: "direct reclaim"
            case .throttle: "reclaim_throttle"
            case .dirtyThrottle: "balance_dirty_pages"
            case .kswapdRun: "balance_pgdat"
            case .kswapdWake: "wakeup_kswapd"
            case .interrupt: "irq"
            case .oomKill: "oom_kill"
            case .lockWait: "lock wait"
            case .remoteHandOver: "remote free hand-over"
            case .remoteFree: "remote kfree"
            case .directCompaction: "direct compaction"
            case .kcompactdRun: "kcompactd_do_work"
            case .proactiveCompaction: "proactive_compact_node"
            case .compactMemory: "compact_memory"
            case .allocation: "alloc"
            case .free: "free"
            }
        }

        /// Whether `--trace-all` records it: these count against `fastPathCapacity`, not `capacity`.
        public var isFastPath: Bool { self == .allocation || self == .free }

        public var isInstant: Bool { self == .kswapdWake || self == .oomKill || self == .remoteHandOver || self == .remoteFree }

        /// Whether the event's flow starts here (else it ends here).
        public var startsFlow: Bool { self == .kswapdWake || self == .remoteHandOver }
    }

    /// Where an event ran: a CPU's process side, its interrupt side, a node's kswapd or its kcompactd.
    public enum Track: Sendable, Hashable, Comparable {
        case process(cpu: Int)
        case irq(cpu: Int)
        case kswapd(node: Int)
        case kcompactd(node: Int)
    }

    /// The allocator API of a `--trace-all` allocation or free (an event's `detail`), in the order of
    /// `AllocationAPI`'s cases as the runner maps them.
    public enum API: UInt8, Sendable, CaseIterable {
        case kmalloc, kmemCache, allocPages, vmalloc, kvmalloc

        /// The allocation call's name in the trace.
        public var allocName: String {
            switch self {
            case .kmalloc: "kmalloc"
            case .kmemCache: "kmem_cache_alloc"
            case .allocPages: "alloc_pages"
            case .vmalloc: "vmalloc"
            case .kvmalloc: "kvmalloc"
            }
        }

        /// The matching free call's name in the trace.
        public var freeName: String {
            switch self {
            case .kmalloc: "kfree"
            case .kmemCache: "kmem_cache_free"
            case .allocPages: "__free_pages"
            case .vmalloc: "vfree"
            case .kvmalloc: "kvfree"
            }
        }
    }

    /// One recorded event; times are nanoseconds of the run's clock.
    public struct Event: Sendable, Equatable {
        public var kind: Kind
        public var track: Track
        public var start: Int64
        /// 0 for an instant.
        public var duration: Int64
        /// The order for a slow path, the victim's pid for an OOM kill, the interrupt source's index.
        public var argument: Int64
        /// A flow this event starts (a kswapd wake) or ends (the run it caused); 0 for none.
        public var flow: UInt64
        /// The `API` of an allocation or free (`--trace-all`); 0 otherwise.
        public var detail: UInt8 = 0
    }

    struct State {
        var events: [Event] = []
        var dropped = 0
        /// The run's clock when the first event was left out at the cap; nil while none was.
        var firstDropNs: Int64?
    }

    /// What was left out at the caps, for the message `kmsim` prints.
    public struct Dropped: Sendable, Equatable {
        /// Events other than `--trace-all`'s left out past `capacity`, and when the first was.
        public var events: Int
        public var firstEventNs: Int64?
        /// `--trace-all` allocations and frees left out past `fastPathCapacity`, and when the first was.
        public var fastPath: Int
        public var firstFastPathNs: Int64?
        public var total: Int { events + fastPath }
    }

    /// Events kept at most by default (about 48 bytes each).
    public static let defaultCapacity = 1 << 20
    /// `--trace-all` allocations and frees kept at most by default, besides `defaultCapacity` (about
    /// 25 MB of trace).
    public static let defaultFastPathCapacity = 1 << 19
    /// Lock waits shorter than this are not traced by default (lock_stat still counts them).
    public static let defaultLockWaitThresholdNs: Int64 = 10_000

    let enabled = Atomic<Bool>(false)
    let origin = Atomic<UInt64>(0)
    let capacityLimit = Atomic<Int>(TraceEventLog.defaultCapacity)
    let fastPathCapacityLimit = Atomic<Int>(TraceEventLog.defaultFastPathCapacity)
    /// `--trace-all`'s allocations and frees so far, kept or not (`TraceEventLog+FastPath.swift`), and
    /// the run's clock at the first one left out (-1 while none was).
    let fastPathRecorded = Atomic<Int>(0)
    let firstFastPathDrop = Atomic<Int64>(-1)
    /// `--trace-all`'s buffers: one per CPU process side, one per interrupt side, one for the rest.
    let fastPathBuffers: [FastPathBuffer]
    let lockWaitThreshold = Atomic<Int64>(TraceEventLog.defaultLockWaitThresholdNs)
    let nextFlow = Atomic<UInt64>(1)
    /// Hand-overs to other CPUs seen while tracing, for sampling (`recordHandOver`).
    let handOvers = Atomic<UInt64>(0)
    /// Sampled handed-over objects not freed yet: address → flow id (looked up by key only).
    let pendingRemoteFrees = Mutex<[UInt: UInt64]>([:])
    let state = Mutex(State())
    /// The engine's clock when the machine was booted for the virtual clock.
    let virtualClock: VirtualClock?
    let cpuCount: Int
    let nodeCount: Int

    init(cpuCount: Int, nodeCount: Int, virtualClock: VirtualClock?) {
        self.cpuCount = cpuCount
        self.nodeCount = nodeCount
        self.virtualClock = virtualClock
        fastPathBuffers = (0...(2 * cpuCount)).map { _ in FastPathBuffer() }
    }

    /// Starts recording; real-engine times count from now. Lock waits of `lockClasses` at or above
    /// `lockWaitThresholdNs` are recorded too. `fastPathCapacity` bounds `--trace-all`'s events apart.
    public func start(capacity: Int = TraceEventLog.defaultCapacity,
                      fastPathCapacity: Int = TraceEventLog.defaultFastPathCapacity, lockClasses: [LockClass] = [],
                      lockWaitThresholdNs: Int64 = TraceEventLog.defaultLockWaitThresholdNs) {
        capacityLimit.store(max(1, capacity), ordering: .relaxed)
        fastPathCapacityLimit.store(max(1, fastPathCapacity), ordering: .relaxed)
        lockWaitThreshold.store(max(1, lockWaitThresholdNs), ordering: .relaxed)
        for lockClass in lockClasses { _ = lockClass.waitTrace.storeIfNilThenLoad(self) }
        origin.store(monotonicNanoseconds(), ordering: .relaxed)
        enabled.store(true, ordering: .releasing)
    }

    /// Stops recording (events already kept stay).
    public func stop() { enabled.store(false, ordering: .relaxed) }

    @inline(__always)
    public var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Now on the run's clock: the running actor's simulated time, or host nanoseconds since `start`.
    public func now() -> Int64 {
        if let virtualClock { return max(0, virtualClock.now) }
        return Int64(bitPattern: monotonicNanoseconds() &- origin.load(ordering: .relaxed))
    }

    /// A new flow identifier (never 0).
    func newFlow() -> UInt64 { nextFlow.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// The track of a context: a kernel thread's own row is its kswapd (the first `nodeCount` rows) or
    /// its kcompactd (the next ones), else the CPU's side by kind.
    func track(of context: ExecutionContext) -> Track {
        let row = Int(context.counterRow)
        let kswapdBase = PerCPUCounters.kernelThreadRow(0, cpuCount: cpuCount)
        if row >= kswapdBase + nodeCount { return .kcompactd(node: row - kswapdBase - nodeCount) }
        if row >= kswapdBase { return .kswapd(node: row - kswapdBase) }
        return context.kind == .task ? .process(cpu: context.cpu) : .irq(cpu: context.cpu)
    }

    /// Records a slice from `start` to now.
    func recordSlice(_ kind: Kind, track: Track, since start: Int64, argument: Int64 = 0, flow: UInt64 = 0) {
        let end = now()
        append(Event(kind: kind, track: track, start: start, duration: max(0, end - start), argument: argument, flow: flow))
    }

    /// Records a contended lock wait that just ended, on the side the waiter runs on (the CPU's process
    /// track for a kernel thread such as kswapd, which runs on no CPU side).
    func recordLockWait(_ nanoseconds: Int64, cpu: Int, lockClass: Int) {
        guard isEnabled, nanoseconds >= lockWaitThreshold.load(ordering: .relaxed) else { return }
        let side = CPUSide.current
        let track: Track = side?.kind == .interrupt ? .irq(cpu: cpu) : .process(cpu: cpu)
        recordSlice(.lockWait, track: track, since: now() - nanoseconds, argument: Int64(lockClass))
    }

    /// Records an instant now.
    func recordInstant(_ kind: Kind, track: Track, argument: Int64 = 0, flow: UInt64 = 0) {
        append(Event(kind: kind, track: track, start: now(), duration: 0, argument: argument, flow: flow))
    }

    func append(_ event: Event) {
        if event.kind.isFastPath { return appendFastPath(event) }
        let capacity = capacityLimit.load(ordering: .relaxed)
        state.withLock { state in
            if state.events.count >= capacity {
                if state.dropped == 0 { state.firstDropNs = event.start }
                state.dropped += 1
                return
            }
            state.events.append(event)
        }
    }

    /// The events so far (the shared log's in the order they were recorded, then each `--trace-all`
    /// buffer's in turn), and how many were dropped at the caps.
    public func snapshot() -> (events: [Event], dropped: Int) {
        var (events, dropped) = state.withLock { ($0.events, $0.dropped) }
        for buffer in fastPathBuffers { events += buffer.events.withLock { $0 } }
        return (events, dropped + fastPathDropped)
    }

    /// What was left out at each cap and from when.
    public var dropped: Dropped {
        let first = firstFastPathDrop.load(ordering: .relaxed)
        return state.withLock {
            Dropped(events: $0.dropped, firstEventNs: $0.firstDropNs, fastPath: fastPathDropped,
                    firstFastPathNs: first >= 0 ? first : nil)
        }
    }
}
