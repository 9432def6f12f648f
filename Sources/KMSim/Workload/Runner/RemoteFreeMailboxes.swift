/// The remote-free rings of a run: one `SPSCRing<RemoteObject>` per (producing CPU side, consuming CPU) pair the
/// workload uses, so handing an object to another CPU takes no lock and no two CPUs share a ring.
///
/// A side is `cpu * 2` (process context) or `cpu * 2 + 1` (interrupt context): both run on their own
/// serial queue, so each ring has one producer and, since a CPU's tasks share its serial process queue,
/// one consumer.
final class RemoteFreeMailboxes: Sendable {
    static let ringCapacity = 8192

    let cpuCount: Int
    private let rings: [SPSCRing<RemoteObject>?]
    /// The rings each CPU drains (none on the virtual clock).
    let incoming: [[SPSCRing<RemoteObject>]]
    /// Whether some CPU side may hand objects to each CPU.
    let receives: [Bool]
    /// On the virtual clock, one queue per consuming CPU instead of the rings (nil on the real engine).
    let virtualQueues: VirtualRemoteQueues?

    /// `virtual`: the run is on the virtual clock, whose one thread needs no single-producer rings.
    init(cpuCount: Int, pairs: Set<Pair>, virtual: Bool = false) {
        self.cpuCount = cpuCount
        var rings = [SPSCRing<RemoteObject>?](repeating: nil, count: cpuCount * 2 * cpuCount)
        var incoming = [[SPSCRing<RemoteObject>]](repeating: [], count: cpuCount)
        for pair in pairs.sorted(by: { ($0.side, $0.target) < ($1.side, $1.target) }) where !virtual {
            let ring = SPSCRing<RemoteObject>(capacity: Self.ringCapacity)
            rings[pair.side * cpuCount + pair.target] = ring
            incoming[pair.target].append(ring)
        }
        self.rings = rings
        self.incoming = incoming
        var receives = [Bool](repeating: false, count: cpuCount)
        for pair in pairs { receives[pair.target] = true }
        self.receives = receives
        virtualQueues = virtual ? VirtualRemoteQueues(cpuCount: cpuCount) : nil
    }

    struct Pair: Hashable {
        var side: Int
        var target: Int
    }

    @inline(__always) static func processSide(_ cpu: Int) -> Int { cpu * 2 }
    @inline(__always) static func interruptSide(_ cpu: Int) -> Int { cpu * 2 + 1 }

    @inline(__always)
    func ring(side: Int, target: Int) -> SPSCRing<RemoteObject>? {
        rings[side * cpuCount + target]
    }
}

/// The remote frees of a virtual run: objects handed to a CPU wait in that CPU's one queue, in the order
/// they were handed over, whoever sent them.
///
/// Why not the rings: the real engine needs one single-producer ring per (sender side, target) pair for
/// thread safety, and a 256-CPU machine then has 65,280 rings whose cold slots cost a cache miss on every
/// hand-over and drain. The virtual clock runs every CPU on one thread, so a queue per target is safe,
/// and its order (hand-over order) is as deterministic as the run. Unbounded: a target drains its queue
/// every batch (or every 200 µs of simulated time on a CPU without workers), so it holds at most what the
/// other CPUs hand over meanwhile. `@unchecked Sendable`: only the virtual clock's loop thread uses it.
final class VirtualRemoteQueues: @unchecked Sendable {
    @exclusivity(unchecked) private var queues: [[RemoteObject]]

    init(cpuCount: Int) {
        queues = Array(repeating: [], count: cpuCount)
    }

    @inline(__always)
    func push(_ object: RemoteObject, to target: Int) {
        queues[target].append(object)
    }

    /// Hands each object queued for `target` to `body`, in order, and empties the queue (keeping its
    /// storage). `body` must not hand objects to `target`.
    @inline(__always)
    func drain(_ target: Int, _ body: (RemoteObject) -> Void) {
        guard !queues[target].isEmpty else { return }
        for object in queues[target] { body(object) }
        queues[target].removeAll(keepingCapacity: true)
    }
}
