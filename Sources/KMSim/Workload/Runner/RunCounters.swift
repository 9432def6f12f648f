/// The run's event counters: operations, failures and injected failures per report class, plus the runner's own events,
/// one padded row per CPU (`PerCPUCounters`), summed when the progress line or the report reads them.
///
/// Tasks count into a local buffer and add it here once per batch, so the hot loop touches no shared
/// cache line; interrupt handlers add after each interrupt.
final class RunCounters: Sendable {
    enum Event: Int, CaseIterable {
        /// Objects handed to another CPU to free.
        case remoteFrees
        /// Remote frees done locally because the target's ring was full.
        case remoteFreeFallbacks
        /// Interrupts dropped while the run was paused for an invariant check.
        case droppedInterrupts
        /// Interrupts handled.
        case interrupts
        /// Timer firings a late interrupt handler call stood for and did not run (`InterruptSource.missedCount`).
        case missedInterrupts
    }

    let classCount: Int
    let counters: PerCPUCounters

    init(cpuCount: Int, classCount: Int) {
        self.classCount = classCount
        counters = PerCPUCounters(cpuCount: cpuCount, counters: classCount * Self.perClass + Event.allCases.count)
    }

    /// Counters per report class: operations, failures (every NULL), injected failures (the NULLs fault
    /// injection caused, also counted in failures).
    static let perClass = 3

    @inline(__always) static func opsIndex(_ reportClass: Int) -> Int { reportClass * perClass }
    @inline(__always) static func failuresIndex(_ reportClass: Int) -> Int { reportClass * perClass + 1 }
    @inline(__always) static func injectedIndex(_ reportClass: Int) -> Int { reportClass * perClass + 2 }

    /// Counters in a local buffer (`width(classCount:)` entries, per-class then events).
    static func width(classCount: Int) -> Int { classCount * perClass + Event.allCases.count }

    @inline(__always) func eventIndex(_ event: Event) -> Int { classCount * Self.perClass + event.rawValue }

    /// Adds a local buffer of counts and zeroes it.
    @inline(__always)
    func flush(_ local: UnsafeMutablePointer<Int64>, cpu: Int) {
        for index in 0..<Self.width(classCount: classCount) where local[index] != 0 {
            counters.add(index, local[index], cpu: cpu)
            local[index] = 0
        }
    }

    func count(_ event: Event, _ delta: Int64 = 1, cpu: Int) {
        counters.add(eventIndex(event), delta, cpu: cpu)
    }

    func ops(_ reportClass: Int) -> Int64 { counters.sum(Self.opsIndex(reportClass)) }
    func failures(_ reportClass: Int) -> Int64 { counters.sum(Self.failuresIndex(reportClass)) }
    func injected(_ reportClass: Int) -> Int64 { counters.sum(Self.injectedIndex(reportClass)) }
    func event(_ event: Event) -> Int64 { counters.sum(eventIndex(event)) }

    var totalOps: Int64 { (0..<classCount).reduce(0) { $0 + ops($1) } }
    var totalFailures: Int64 { (0..<classCount).reduce(0) { $0 + failures($1) } }
}
