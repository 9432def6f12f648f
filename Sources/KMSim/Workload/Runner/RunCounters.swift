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
    /// Per report class, the lowest free pages an allocation left in its zone, in hundredths of a
    /// percent of MIN, for `reserve` then `noWatermarks` (`PerCPUCounters.noMinimum` until one dips).
    let dips: PerCPUCounters

    init(cpuCount: Int, classCount: Int) {
        self.classCount = classCount
        counters = PerCPUCounters(cpuCount: cpuCount, counters: classCount * Self.perClass + Event.allCases.count)
        dips = PerCPUCounters(cpuCount: cpuCount, counters: max(classCount, 1) * 2)
        for index in 0..<dips.counterCount { dips.setAll(index, to: PerCPUCounters.noMinimum) }
    }

    /// Counters per report class: operations, failures (every NULL), injected failures (the NULLs fault
    /// injection caused, also counted in failures), then the allocations served by each slow-path
    /// outcome (`AllocationOutcome.slowPathOutcomes`; `fast` is what remains), then those served by
    /// another zone of the preferred node and by another node.
    static let perClass = 3 + AllocationOutcome.slowPathOutcomes.count + 2

    @inline(__always) static func opsIndex(_ reportClass: Int) -> Int { reportClass * perClass }
    @inline(__always) static func failuresIndex(_ reportClass: Int) -> Int { reportClass * perClass + 1 }
    @inline(__always) static func injectedIndex(_ reportClass: Int) -> Int { reportClass * perClass + 2 }
    /// A slow-path outcome's counter (raw values 1...7 are the slow-path outcomes, in order).
    @inline(__always) static func outcomeIndex(_ reportClass: Int, _ outcome: AllocationOutcome) -> Int {
        reportClass * perClass + 2 + outcome.rawValue
    }
    @inline(__always) static func otherZoneIndex(_ reportClass: Int) -> Int { reportClass * perClass + perClass - 2 }
    @inline(__always) static func otherNodeIndex(_ reportClass: Int) -> Int { reportClass * perClass + perClass - 1 }
    /// The dip cell of `reportClass` for `reserve` (false) or `noWatermarks` (true).
    @inline(__always) static func dipIndex(_ reportClass: Int, noWatermarks: Bool) -> Int {
        reportClass * 2 + (noWatermarks ? 1 : 0)
    }

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
    /// Allocations of `reportClass` served by `outcome`; `fast` and `failed` are derived from the rest.
    func served(_ reportClass: Int, _ outcome: AllocationOutcome) -> Int64 {
        switch outcome {
        case .failed: return failures(reportClass)
        case .fast:
            return ops(reportClass) - failures(reportClass)
                - AllocationOutcome.slowPathOutcomes.reduce(0) { $0 + served(reportClass, $1) }
        default: return counters.sum(Self.outcomeIndex(reportClass, outcome))
        }
    }
    func otherZone(_ reportClass: Int) -> Int64 { counters.sum(Self.otherZoneIndex(reportClass)) }
    func otherNode(_ reportClass: Int) -> Int64 { counters.sum(Self.otherNodeIndex(reportClass)) }
    /// The lowest free pages left by a `reserve` (or `noWatermarks`) allocation of `reportClass`, in
    /// hundredths of a percent of MIN; nil when none dipped.
    func dip(_ reportClass: Int, noWatermarks: Bool) -> Int64? {
        dips.minimum(Self.dipIndex(reportClass, noWatermarks: noWatermarks))
    }
    func event(_ event: Event) -> Int64 { counters.sum(eventIndex(event)) }

    var totalOps: Int64 { (0..<classCount).reduce(0) { $0 + ops($1) } }
    var totalFailures: Int64 { (0..<classCount).reduce(0) { $0 + failures($1) } }
}
