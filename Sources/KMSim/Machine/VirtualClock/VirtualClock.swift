import Glibc
import HeapModule
import Synchronization

/// The virtual clock: the engine that runs a machine in simulated time on one host thread.
///
/// Mirrors nothing in the kernel; it replaces the host's scheduler and clocks. Every simulated CPU, each
/// node's kswapd and the run's own housekeeping are *actors*, each with a clock in nanoseconds. A heap of
/// events keyed by (time, sequence number) decides who runs next: the earliest event, ties broken by
/// the order the events were made. An event is a job of a Swift task on an actor's executor (a CPU's
/// process side, a kswapd), an interrupt arrival, or a timer (sleep end, wait timeout, periodic check,
/// the end of the run). While an event runs, the allocator paths it calls `charge` their costs from the
/// `CostTable` to the running actor's clock, and spin locks resolve overlaps in virtual time
/// (`SpinLock+Virtual.swift`). Nothing here reads the host's clock or depends on thread timing, so a run
/// repeats byte for byte.
///
/// Granularity: an event runs to completion. A task's batch ends early once its CPU's clock passes the
/// `horizon` (the next event's time plus `quantum`), so CPUs leapfrog one another a few operations at a
/// time; see README "The virtual clock" for the error this makes.
///
/// `@unchecked Sendable`: every mutable member is touched only by the thread running `runLoop()` (the
/// executors and timers check `isLoopThread` before using it, and fall back to their Dispatch queues
/// otherwise); the object is shared with executors and locks built on other threads, but only as a
/// reference.
public final class VirtualClock: @unchecked Sendable {
    /// How far a task may run past the next event before it yields its CPU: the bound on how early an
    /// operation may be served relative to another CPU's.
    public static let quantum: Int64 = 1000

    public let costs: CostTable
    public let cpuCount: Int
    public let nodeCount: Int
    /// Actors: CPUs `0..<cpuCount`, kswapd of node n at `cpuCount + n`, kcompactd of node n at
    /// `cpuCount + nodeCount + n`, then the housekeeping actor.
    public let actorCount: Int
    let cpuNode: [Int]
    /// `lineTransfer` scaled by the SLIT distance between two nodes, `nodes × nodes`.
    let transferCost: [Int64]
    /// The cost table as a flat buffer, so a charge is a load and an add.
    let costBuffer: UnsafeMutablePointer<Int64>
    let clocks: UnsafeMutablePointer<Int64>
    /// The actor whose event is running.
    @exclusivity(unchecked) public private(set) var running: Int
    /// A task yields its CPU once that CPU's clock passes this.
    @exclusivity(unchecked) private(set) var horizon: Int64 = .max
    @exclusivity(unchecked) private var events = Heap<Event>()
    @exclusivity(unchecked) private var sequence: UInt64 = 0
    private var loopThread: pthread_t?
    /// Events run so far.
    @exclusivity(unchecked) public private(set) var eventsRun = 0
    /// Whether locks record holds and waits: only while the loop runs the simulation, not while the
    /// machine boots, the run is checked (`unaccounted`) or results are collected afterwards, so
    /// kmsim's own walks of the machine never show up as the simulated kernel's contention.
    @exclusivity(unchecked) public private(set) var accounting = false
    /// Enqueues that came from a thread other than the loop's while it ran: each is a determinism bug.
    public private(set) var foreignEnqueues = 0
    @exclusivity(unchecked) var interrupts: VirtualInterruptState
    /// How many times `runLoop` has returned: stored releasing by the loop thread as its very last write
    /// (after clearing `loopThread`, which `isLoopThread` reads from any thread afterwards) and loaded
    /// acquiring by `joinLoop()`, the happens-before edge from the loop's writes to the thread that reads
    /// the results (a continuation's resume is one too, but ThreadSanitizer cannot see into the Swift
    /// runtime).
    private let loopsFinished = Atomic<Int>(0)

    /// The housekeeping actor (timers of the run itself: its end, periodic checks).
    public var housekeeping: Int { actorCount - 1 }

    /// The actor of node `node`'s kswapd.
    public func kswapdActor(node: Int) -> Int { cpuCount + node }

    /// The actor of node `node`'s kcompactd.
    public func kcompactdActor(node: Int) -> Int { cpuCount + nodeCount + node }

    public init(spec: MachineSpec, costs: CostTable = .defaults) {
        self.costs = costs
        cpuCount = spec.cpuCount
        nodeCount = spec.nodes
        actorCount = spec.cpuCount + 2 * spec.nodes + 1
        cpuNode = (0..<spec.cpuCount).map(spec.node(ofCPU:))
        var transfer: [Int64] = []
        for a in 0..<spec.nodes {
            for b in 0..<spec.nodes {
                let distance = spec.distances?[a][b] ?? (a == b ? 10 : 20)
                transfer.append(costs[.lineTransfer] * Int64(distance) / 10)
            }
        }
        transferCost = transfer
        costBuffer = .allocate(capacity: VirtualCost.allCases.count)
        for cost in VirtualCost.allCases { (costBuffer + cost.rawValue).initialize(to: costs[cost]) }
        clocks = .allocate(capacity: actorCount)
        clocks.initialize(repeating: 0, count: actorCount)
        running = actorCount - 1
        interrupts = VirtualInterruptState(cpuCount: spec.cpuCount)
    }

    deinit {
        costBuffer.deallocate()
        clocks.deallocate()
    }

    // MARK: Time

    /// The running actor's clock.
    public var now: Int64 {
        @inline(__always) get { clocks[running] }
    }

    /// Actor `actor`'s clock.
    public func clock(of actor: Int) -> Int64 { clocks[actor] }

    /// The latest clock of any actor: how far the run has got.
    public var latest: Int64 {
        var latest: Int64 = 0
        for actor in 0..<actorCount { latest = max(latest, clocks[actor]) }
        return latest
    }

    /// Charges `cost` (`times` times) to the running actor.
    @inline(__always)
    public func charge(_ cost: VirtualCost, times: Int = 1) {
        clocks[running] &+= costBuffer[cost.rawValue] &* Int64(truncatingIfNeeded: times)
    }

    /// Advances the running actor's clock to `time` if it is behind (a wait).
    @inline(__always)
    func advance(to time: Int64) {
        if clocks[running] < time { clocks[running] = time }
    }

    /// The node an actor runs on (a kswapd or kcompactd runs on its node; housekeeping on node 0).
    func node(ofActor actor: Int) -> Int {
        if actor < cpuCount { return cpuNode[actor] }
        if actor == housekeeping { return 0 }
        return (actor - cpuCount) % nodeCount
    }

    /// Charges a cache-line transfer from `owner`'s node to the running actor's.
    @inline(__always)
    func chargeTransfer(fromCPU owner: Int) {
        let from = owner < cpuCount ? cpuNode[owner] : 0
        clocks[running] &+= transferCost[from * nodeCount + node(ofActor: running)]
    }

    /// Whether the running task should end its batch and let the earlier events run.
    public var mustYield: Bool {
        @inline(__always) get { clocks[running] > horizon }
    }

    // MARK: Events

    /// Whether the caller is the loop thread while the loop runs (the only thread that may use the heap).
    public var isLoopThread: Bool {
        guard let loopThread else { return false }
        return pthread_equal(loopThread, pthread_self()) != 0
    }

    /// Schedules `action` on `actor` at `time` (not before the actor's clock when it runs).
    /// `side`, when given, is what `CPUSide.current` reads while it runs (an interrupt handler's IRQ side).
    public func schedule(actor: Int, at time: Int64, side: CPUSide? = nil, _ action: @escaping () -> Void) {
        push(Event(time: time, sequence: nextSequence(), actor: Int32(actor), side: side.map { $0.rawValue + 1 } ?? 0,
                   payload: .action(action)))
    }

    /// Schedules `action` on the running actor `nanoseconds` from now (a timer).
    public func schedule(after nanoseconds: Int64, _ action: @escaping () -> Void) {
        schedule(actor: running, at: now &+ max(0, nanoseconds), action)
    }

    /// An executor's `enqueue` on the loop thread: the job runs on `actor` once its clock and the
    /// waker's have reached now (a wake-up cannot run before it was made).
    private func enqueue(_ job: UnownedJob, actor: Int, side: CPUSide?, serial: UnownedSerialExecutor,
                 preferred: UnownedTaskExecutor) {
        let time = max(clocks[actor], clocks[running])
        push(Event(time: time, sequence: nextSequence(), actor: Int32(actor), side: side.map { $0.rawValue + 1 } ?? 0,
                   payload: .job(job, serial, preferred)))
    }

    /// An executor's `enqueue` when the machine runs on this clock: on the loop thread the job becomes
    /// an event (true); from any other thread it is counted as foreign and the caller falls back to its
    /// real queue (false).
    func enqueueIfLooping(_ job: UnownedJob, actor: Int, side: CPUSide?, serial: UnownedSerialExecutor,
                          preferred: UnownedTaskExecutor) -> Bool {
        guard isLoopThread else {
            if loopThread != nil { foreignEnqueues += 1 }
            return false
        }
        enqueue(job, actor: actor, side: side, serial: serial, preferred: preferred)
        return true
    }

    private func nextSequence() -> UInt64 {
        sequence &+= 1
        return sequence
    }

    private func push(_ event: Event) {
        events.insert(event)
    }

    /// Runs events in order until none is left: the whole simulation. `body` runs first, on the loop
    /// thread, as the housekeeping actor at time 0 (it starts tasks and schedules the first events).
    public func runLoop(_ body: () -> Void) {
        loopThread = pthread_self()
        let previous = VirtualClock.current
        VirtualClock.setCurrent(self)
        defer {
            VirtualClock.setCurrent(previous)
            loopThread = nil
            loopsFinished.add(1, ordering: .releasing)
        }
        running = housekeeping
        for actor in 0..<actorCount { clocks[actor] = 0 }
        accounting = true
        body()
        while let event = events.popMin() {
            let actor = Int(event.actor)
            if clocks[actor] < event.time { clocks[actor] = event.time }
            running = actor
            let next = events.min?.time ?? .max
            horizon = next > .max - Self.quantum ? .max : next + Self.quantum
            eventsRun += 1
            HostThreadState.markSide(raw: event.side)
            switch event.payload {
            case .job(let job, let serial, let preferred):
                job.runSynchronously(isolatedTo: serial, taskExecutor: preferred)
            case .action(let action):
                action()
            }
        }
        HostThreadState.markSide(raw: 0)
        accounting = false
        running = housekeeping
    }

    /// Called by the thread that waited for `runLoop` on another thread, before it reads what the loop
    /// did: returns how many loops have finished (acquiring).
    @discardableResult
    public func joinLoop() -> Int {
        loopsFinished.load(ordering: .acquiring)
    }

    /// Runs `body` (an invariant check, a census) without lock accounting: what it locks is kmsim's
    /// inspection, not the simulated kernel's work.
    public func unaccounted<R>(_ body: () throws -> R) rethrows -> R {
        let saved = accounting
        accounting = false
        defer { accounting = saved }
        return try body()
    }
}

extension VirtualClock {
    /// One pending event.
    struct Event: Comparable {
        enum Payload {
            case job(UnownedJob, UnownedSerialExecutor, UnownedTaskExecutor)
            case action(() -> Void)
        }

        var time: Int64
        var sequence: UInt64
        var actor: Int32
        /// `CPUSide.rawValue + 1` of the side the event runs as, 0 for none.
        var side: Int
        var payload: Payload

        static func < (a: Event, b: Event) -> Bool {
            a.time != b.time ? a.time < b.time : a.sequence < b.sequence
        }

        static func == (a: Event, b: Event) -> Bool {
            a.time == b.time && a.sequence == b.sequence
        }
    }
}
