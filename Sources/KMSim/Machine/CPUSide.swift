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

    public let cpu: Int
    public let kind: Kind

    public init(cpu: Int, kind: Kind) {
        self.cpu = cpu
        self.kind = kind
    }

    init(rawValue: Int) {
        self.init(cpu: rawValue >> 1, kind: rawValue & 1 == 0 ? .process : .interrupt)
    }

    /// Dense index: `cpu * 2 + kind`.
    public var rawValue: Int { cpu << 1 | kind.rawValue }

    /// The side the calling host thread is running right now, or nil when it is not a simulated CPU's.
    public static var current: CPUSide? { HostThreadState.currentSide }

    public var description: String { "cpu\(cpu)/\(kind == .process ? "process" : "irq")" }
}
