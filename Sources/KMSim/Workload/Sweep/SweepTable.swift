import Foundation

/// A sweep's rows as the terminal table and as CSV.
public enum SweepTable {
    /// The fixed columns after the knobs, as the CSV header names them.
    public static let csvColumns = ["opsPerSecond", "opsPerSecondPerCPU", "p50Ns", "p99Ns", "failures",
                                    "topLock", "topLockContentions", "topLockWaitShare", "reclaimStalls"]

    private static let textColumns = ["ops/s", "ops/s/CPU", "p50 ns", "p99 ns", "failures",
                                      "most contended lock", "contentions", "wait/CPU", "reclaim stalls"]

    /// Aligned columns: knob paths first, then each phase's mean time per operation (phased workloads
    /// such as llfree-bulk), then the figures; `host cores` last when any row has it.
    public static func text(_ rows: [SweepRow]) -> String {
        let withHost = rows.contains { $0.hostCores != nil }
        let knobPaths = rows.first?.knobs.map(\.0) ?? []
        let phaseLabels = rows.first?.phases.map { "\($0.label) ns/op" } ?? []
        let header = knobPaths + phaseLabels + textColumns + (withHost ? ["host cores"] : [])
        let body = rows.map { row in
            row.knobs.map(\.1) + row.phases.prefix(phaseLabels.count).map { String(format: "%.0f", $0.nsPerOperation.mean) } + [
                format(row.operationsPerSecond), format(row.operationsPerSecondPerCPU),
                String(row.p50Ns), String(row.p99Ns), String(row.failures),
                row.topLock ?? "-", String(row.topLockContentions),
                String(format: "%.2f %%", row.topLockWaitShare * 100), String(row.reclaimStalls),
            ] + (withHost ? [row.hostCores.map(String.init) ?? "-"] : [])
        }
        let table = [header] + body
        var widths = [Int](repeating: 0, count: header.count)
        for line in table {
            for (column, cell) in line.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        let textColumn = knobPaths.count + phaseLabels.count + 5 // the lock's name, left-aligned like the knobs
        return table.map { line in
            line.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: max(widths[column] - cell.count, 0))
                return column < knobPaths.count || column == textColumn ? cell + pad : pad + cell
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }

    /// RFC 4180 CSV: a header of the knob paths, each phase's `<label>NsPerOpMean`, `...Min` and
    /// `...Max` (phased workloads), `csvColumns` (and `hostCores` on the real clock), one line per row;
    /// the wait share is a fraction, rates have one decimal.
    public static func csv(_ rows: [SweepRow]) -> String {
        let withHost = rows.contains { $0.hostCores != nil }
        let knobPaths = rows.first?.knobs.map(\.0) ?? []
        let phaseLabels = rows.first?.phases.map(\.label) ?? []
        let phaseColumns = phaseLabels.flatMap { ["\($0)NsPerOpMean", "\($0)NsPerOpMin", "\($0)NsPerOpMax"] }
        var lines = [(knobPaths + phaseColumns + csvColumns + (withHost ? ["hostCores"] : [])).map(quote).joined(separator: ",")]
        for row in rows {
            let phaseCells = row.phases.prefix(phaseLabels.count).flatMap { phase in
                [phase.nsPerOperation.mean, phase.nsPerOperation.min, phase.nsPerOperation.max].map { String(format: "%.1f", $0) }
            }
            let cells = row.knobs.map(\.1) + phaseCells + [
                String(format: "%.1f", row.operationsPerSecond), String(format: "%.1f", row.operationsPerSecondPerCPU),
                String(row.p50Ns), String(row.p99Ns), String(row.failures), row.topLock ?? "",
                String(row.topLockContentions), String(format: "%.6f", row.topLockWaitShare), String(row.reclaimStalls),
            ] + (withHost ? [row.hostCores.map(String.init) ?? ""] : [])
            lines.append(cells.map(quote).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `12345678` → `12.3M`, `9876` → `9876`.
    static func format(_ value: Double) -> String {
        switch value {
        case 10_000_000...: return String(format: "%.1fM", value / 1_000_000)
        case 100_000...: return String(format: "%.0fk", value / 1_000)
        default: return String(format: "%.0f", value)
        }
    }
}
