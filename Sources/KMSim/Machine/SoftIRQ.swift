/// The softirq vectors (`enum { HI_SOFTIRQ, TIMER_SOFTIRQ, ... NR_SOFTIRQS }` in include/linux/interrupt.h),
/// in the kernel's priority order: `__do_softirq()` runs pending vectors from bit 0 upwards.
public enum SoftIRQ: Int, Sendable, CaseIterable {
    case hi = 0
    case timer
    case netTX
    case netRX
    case block
    case irqPoll
    case tasklet
    case sched
    case hrtimer
    case rcu

    /// The name `/proc/softirqs` prints.
    public var kernelName: String {
        switch self {
        case .hi: "HI"
        case .timer: "TIMER"
        case .netTX: "NET_TX"
        case .netRX: "NET_RX"
        case .block: "BLOCK"
        case .irqPoll: "IRQ_POLL"
        case .tasklet: "TASKLET"
        case .sched: "SCHED"
        case .hrtimer: "HRTIMER"
        case .rcu: "RCU"
        }
    }

    var bit: UInt32 { 1 << UInt32(rawValue) }
}
