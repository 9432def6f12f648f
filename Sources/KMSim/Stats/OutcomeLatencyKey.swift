/// What an allocation latency is filed under for the outcome table: the workload runner's report class
/// (context kind × mask in effect × API, `RunPlan.classes`) × `AllocationOutcome`, so each class's
/// outcome rows have latencies of their own. The first `maxReportClasses` classes have slots; the
/// runner records no outcome latency for any later one.
public struct OutcomeLatencyKey: Sendable, Hashable, CustomStringConvertible {
    public var reportClass: Int
    public var outcome: AllocationOutcome

    public init(reportClass: Int, outcome: AllocationOutcome) {
        self.reportClass = reportClass
        self.outcome = outcome
    }

    /// Report classes with outcome slots: what the 8 tag bits of a pending record hold besides 0.
    static let maxReportClasses = 255
    static let slotCount = maxReportClasses * AllocationOutcome.allCases.count

    /// The 12 bits a pending latency record carries for this key (`LatencyRecorder`): the class plus one
    /// (0: no outcome slot), then the outcome in the low 4 bits.
    @inline(__always)
    static func tag(reportClass: Int, outcome: AllocationOutcome) -> UInt64 {
        reportClass < maxReportClasses ? UInt64(reportClass + 1) << 4 | UInt64(outcome.rawValue) : 0
    }

    /// The slot of a record's tag, nil for tag 0.
    @inline(__always)
    static func slot(tag: UInt64) -> Int? {
        guard tag >> 4 != 0 else { return nil }
        return (Int(tag >> 4) - 1) * AllocationOutcome.allCases.count + Int(tag & 0xf)
    }

    init(slot: Int) {
        reportClass = slot / AllocationOutcome.allCases.count
        outcome = AllocationOutcome(rawValue: slot % AllocationOutcome.allCases.count) ?? .fast
    }

    public var description: String { "class \(reportClass) \(outcome)" }
}
