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

    init(cpuCount: Int, pairs: Set<Pair>) {
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
