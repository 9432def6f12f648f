/// One of the two host-thread sides of a simulated CPU: its process context (the runqueue's executor) or
/// its interrupt context (the IRQ queue, where hard and soft interrupts run).
///
/// The two sides of one CPU can run at the same time on two host threads, as an interrupt can land in the
/// middle of the kernel's fast path; per-CPU statistics therefore keep one set per side so each set has a
/// single writer.
public struct CPUSide: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Int, Sendable {
        case process = 0
        case interrupt = 1
    }

    /// Which `SimulatedCPUs` instance the CPU belongs to (tests run several machines in one process).
    public let machine: Int
    public let cpu: Int
    public let kind: Kind

    public init(machine: Int, cpu: Int, kind: Kind) {
        self.machine = machine
        self.cpu = cpu
        self.kind = kind
    }

    init(rawValue: Int) {
        self.init(machine: rawValue >> 32, cpu: (rawValue & 0xFFFF_FFFF) >> 1,
                  kind: rawValue & 1 == 0 ? .process : .interrupt)
    }

    /// Packed form kept in thread-local storage: `machine << 32 | cpu << 1 | kind`.
    var rawValue: Int { machine << 32 | cpu << 1 | kind.rawValue }

    /// Dense index within one machine: `cpu * 2 + kind`.
    public var index: Int { cpu << 1 | kind.rawValue }

    /// The side the calling host thread is running right now, or nil when it is not a simulated CPU's.
    public static var current: CPUSide? { HostThreadState.currentSide }

    public var description: String { "machine\(machine)/cpu\(cpu)/\(kind == .process ? "process" : "irq")" }
}
