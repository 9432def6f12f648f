import Dispatch
import Synchronization

/// A device that interrupts one simulated CPU at a configured rate: a `DispatchSourceTimer` on the CPU's
/// IRQ queue whose event handler runs the interrupt handler in hardirq context (then `irq_exit()` softirqs).
///
/// Stands in for a NIC or timer raising its IRQ line at a steady rate. When the handler runs late (the
/// CPU's IRQ queue is busy or the host is loaded), Dispatch coalesces the firings it could not deliver
/// into one call; the firings beyond the first are counted as missed (`missedCount`, and `onMissed`),
/// not delivered in a burst. `@unchecked Sendable`: the only mutable state is the Dispatch source, whose
/// `resume`/`cancel` are thread-safe, and atomic counters.
public final class InterruptSource: @unchecked Sendable {
    /// The source's name (what `/proc/interrupts` would list).
    public let name: String
    /// The CPU it interrupts.
    public let cpu: Int
    /// Configured rate in Hz.
    public let hertz: Double
    /// The rates a source accepts, in Hz: the workload parser (`interrupts[].rate`, a bug's `rate`) and
    /// `kmsim stress --irq-rate` accept exactly these, so every accepted rate starts a source. A Dispatch
    /// timer on one CPU's serial queue sustains about 10^6 firings a second at best; at 0.001 Hz the
    /// interval, 10^12 ns, still fits the timer's `Int` nanoseconds.
    public static let rateRange: ClosedRange<Double> = 0.001...1_000_000
    private let timer: DispatchSourceTimer
    private let fired = InterruptCount()
    private let missed = InterruptCount()

    init(name: String, cpu: SimulatedCPU, hertz: Double, jitter: Double,
         onMissed: (@Sendable (Int) -> Void)?, handler: @escaping IRQHandler) {
        self.name = name
        self.cpu = cpu.id
        self.hertz = hertz
        let interval = max(1, Int((1e9 / hertz).rounded()))
        let leeway = Int(Double(interval) * jitter)
        timer = DispatchSource.makeTimerSource(queue: cpu.irqQueue)
        // The handler reads the timer's data (firings since the last call), so it holds the timer; the
        // cycle ends when the source is cancelled, which releases the handler.
        timer.setEventHandler { [fired, missed, timer] in
            HostThreadState.running(cpu.irqSide, hostNode: cpu.hostNode) { cpu.handleIRQ(handler) }
            fired.count.add(1, ordering: .relaxed)
            let late = Int(clamping: timer.data) - 1
            if late > 0 {
                missed.count.add(late, ordering: .relaxed)
                onMissed?(late)
            }
        }
        timer.schedule(deadline: .now() + .nanoseconds(interval), repeating: .nanoseconds(interval),
                       leeway: .nanoseconds(leeway))
        timer.activate()
    }

    /// Interrupts delivered so far.
    public var firedCount: Int { fired.count.load(ordering: .relaxed) }

    /// Firings that were due while the handler was late and were coalesced into a later call, not run.
    public var missedCount: Int { missed.count.load(ordering: .relaxed) }

    /// Stops the source (`free_irq()`); a handler already running finishes, no new one starts.
    public func cancel() {
        timer.cancel()
    }

    public var isCancelled: Bool { timer.isCancelled }

    deinit {
        timer.cancel()
    }
}

/// The delivered-interrupt counter a source's timer handler captures (an `Atomic` cannot be captured).
private final class InterruptCount: Sendable {
    let count = Atomic<Int>(0)
}

/// Why an interrupt source or IPI could not be set up.
public enum InterruptError: Error, Equatable, CustomStringConvertible {
    case invalidRate(Double)
    case invalidJitter(Double)
    case noSuchCPU(Int, cpuCount: Int)

    public var description: String {
        switch self {
        case .invalidRate(let hz):
            "interrupt rate must be a finite number of Hz in \(Rate.format(InterruptSource.rateRange.lowerBound))...\(Rate.format(InterruptSource.rateRange.upperBound)), got \(hz)"
        case .invalidJitter(let j): "interrupt jitter must be a fraction in 0...1, got \(j)"
        case .noSuchCPU(let cpu, let count): "no CPU \(cpu): the machine has CPUs 0...\(count - 1)"
        }
    }
}

extension SimulatedCPU {
    /// Starts an interrupt source firing `handler` on this CPU `hertz` times a second (`request_irq()` plus
    /// a device that raises the line). `jitter` is the fraction of the interval Dispatch may shift each
    /// firing by (timer leeway). `onMissed` is called on the IRQ queue with the number of firings a late
    /// handler call stands for beyond its own. Throws for a rate outside `InterruptSource.rateRange`.
    public func startInterruptSource(name: String, hertz: Double, jitter: Double = 0,
                                     onMissed: (@Sendable (Int) -> Void)? = nil,
                                     _ handler: @escaping IRQHandler) throws(InterruptError) -> InterruptSource {
        guard InterruptSource.rateRange.contains(hertz) else { throw .invalidRate(hertz) }
        guard jitter.isFinite, jitter >= 0, jitter <= 1 else { throw .invalidJitter(jitter) }
        return InterruptSource(name: name, cpu: self, hertz: hertz, jitter: jitter, onMissed: onMissed, handler: handler)
    }
}
