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
    /// The rings each CPU drains.
    let incoming: [[SPSCRing<RemoteObject>]]
    /// On the virtual clock, which rings hold objects, so a drain visits those instead of every ring
    /// (a 256-CPU larson has 255 rings per CPU); nil on the real engine, whose rings are drained by
    /// polling.
    let pending: PendingRings?

    init(cpuCount: Int, pairs: Set<Pair>, tracksPending: Bool = false) {
        self.cpuCount = cpuCount
        var rings = [SPSCRing<RemoteObject>?](repeating: nil, count: cpuCount * 2 * cpuCount)
        var incoming = [[SPSCRing<RemoteObject>]](repeating: [], count: cpuCount)
        for pair in pairs.sorted(by: { ($0.side, $0.target) < ($1.side, $1.target) }) {
            let ring = SPSCRing<RemoteObject>(capacity: Self.ringCapacity)
            rings[pair.side * cpuCount + pair.target] = ring
            incoming[pair.target].append(ring)
        }
        self.rings = rings
        self.incoming = incoming
        pending = tracksPending ? PendingRings(cpuCount: cpuCount) : nil
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

/// The rings with objects waiting, per consuming CPU: a list and a mark per ring so each is listed once.
/// `@unchecked Sendable`: used only on the virtual clock, whose single loop thread runs every producer and
/// consumer.
final class PendingRings: @unchecked Sendable {
    @exclusivity(unchecked) private var lists: [[Int]]
    @exclusivity(unchecked) private var marked: [Bool]
    let cpuCount: Int

    init(cpuCount: Int) {
        self.cpuCount = cpuCount
        lists = Array(repeating: [], count: cpuCount)
        marked = Array(repeating: false, count: cpuCount * 2 * cpuCount)
    }

    /// Notes that the ring from `side` to `target` received an object.
    @inline(__always)
    func note(side: Int, target: Int) {
        let index = side * cpuCount + target
        if marked[index] { return }
        marked[index] = true
        lists[target].append(index)
    }

    /// The rings `target` must drain, in the order they first received an object since its last drain,
    /// as (side, target) indices; the list is emptied.
    func take(target: Int) -> [Int] {
        let taken = lists[target]
        guard !taken.isEmpty else { return [] }
        lists[target].removeAll(keepingCapacity: true)
        for index in taken { marked[index] = false }
        return taken
    }

    /// The ring of a (side, target) index.
    func ring(_ index: Int, in mailboxes: RemoteFreeMailboxes) -> SPSCRing<RemoteObject>? {
        mailboxes.ring(side: index / cpuCount, target: index % cpuCount)
    }
}
