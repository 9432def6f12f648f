import Foundation

/// The figures one sweep row shows, read from its run's report.
public struct SweepRow: Sendable {
    public var point: Int
    /// `(path, value)` in column order.
    public var knobs: [(String, String)]
    public var operationsPerSecond: Double
    public var operationsPerSecondPerCPU: Double
    public var p50Ns: UInt64
    public var p99Ns: UInt64
    public var failures: Int64
    /// The lock class with the most contentions; nil when no lock was contended.
    public var topLock: String?
    public var topLockContentions: Int
    /// The top lock's total wait over the CPU time of the run, `waitTotalNs / (durationSeconds × CPUs)`.
    public var topLockWaitShare: Double
    public var reclaimStalls: Int
    /// The host cores the run had (real clock only).
    public var hostCores: Int?
    /// Phased task groups' phases (`RunReport.phases`): a label (the phase name, prefixed with its
    /// group's when the workload has several phased groups) and the time per operation across CPUs.
    public var phases: [(label: String, nsPerOperation: RunReport.PhaseRow.NsPerOperation)]

    /// The parts of a `RunReport` a row needs (the rest of the document is ignored).
    private struct Source: Decodable {
        struct Machine: Decodable { var cpus: Int }
        struct Class: Decodable { var failures: Int64 }
        struct Lock: Decodable {
            var lockClass: String
            var contentions: Int
            var waitTotalNs: Int64
            enum CodingKeys: String, CodingKey {
                case lockClass = "class"
                case contentions, waitTotalNs
            }
        }
        struct Reclaim: Decodable { var directReclaimStalls: Int }
        var machine: Machine
        var durationSeconds: Double
        var operationsPerSecond: Double
        var classes: [Class]
        var locks: [Lock]
        var reclaim: Reclaim
        var allLatencyNs: RunReport.Latency?
        var phases: [RunReport.PhaseRow]?
    }

    /// The row of a sweep entry, knobs in `order` (else sorted by path).
    public init(_ entry: SweepEntry, order: [String]? = nil) throws {
        let data = try JSONEncoder().encode(entry.report)
        let source = try JSONDecoder().decode(Source.self, from: data)
        point = entry.point
        var values: [String: String] = [:]
        if case .object(let members) = entry.knobs {
            for (path, value) in members { values[path] = value.text }
        }
        knobs = (order ?? values.keys.sorted()).map { ($0, values[$0] ?? "") }
        operationsPerSecond = source.operationsPerSecond
        operationsPerSecondPerCPU = source.machine.cpus > 0 ? source.operationsPerSecond / Double(source.machine.cpus) : 0
        p50Ns = source.allLatencyNs?.p50 ?? 0
        p99Ns = source.allLatencyNs?.p99 ?? 0
        failures = source.classes.reduce(0) { $0 + $1.failures }
        let contended = source.locks.filter { $0.contentions > 0 }.max { ($0.contentions, $0.waitTotalNs) < ($1.contentions, $1.waitTotalNs) }
        topLock = contended?.lockClass
        topLockContentions = contended?.contentions ?? 0
        let cpuNanoseconds = source.durationSeconds * 1e9 * Double(source.machine.cpus)
        topLockWaitShare = cpuNanoseconds > 0 ? Double(contended?.waitTotalNs ?? 0) / cpuNanoseconds : 0
        reclaimStalls = source.reclaim.directReclaimStalls
        hostCores = entry.hostCores
        let phaseRows = source.phases ?? []
        let severalGroups = Set(phaseRows.map(\.group)).count > 1
        phases = phaseRows.map { (severalGroups ? "\($0.group)/\($0.name)" : $0.name, $0.nsPerOperation) }
    }
}
