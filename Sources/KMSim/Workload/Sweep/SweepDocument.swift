import Foundation

/// One run of a sweep as `--json` writes it: `{"point": 3, "knobs": {path: value}, "report": {...}}`,
/// the report being that run's `kmsim run --json` document. On the virtual clock the report's `host`
/// object (host seconds, the one part that changes from run to run) is left out, so a sweep's document
/// depends only on the workload and its knobs; on the real clock it stays, and `hostCores` says how
/// many host cores the run had.
public struct SweepEntry: Codable, Sendable, Equatable {
    /// The index in the cross product, which orders merged shards.
    public var point: Int
    public var knobs: JSONValue
    public var report: JSONValue
    public var hostCores: Int?

    public init(point: Int, knobs: JSONValue, report: JSONValue, hostCores: Int? = nil) {
        self.point = point
        self.knobs = knobs
        self.report = report
        self.hostCores = hostCores
    }

    /// The entry for a finished point from its run's `--json` bytes.
    public init(point: SweepPlan.Point, reportJSON: Data, hostCores: Int?) throws {
        var report = try JSONDecoder().decode(JSONValue.self, from: reportJSON)
        if hostCores == nil, case .object(var members) = report {
            members["host"] = nil
            report = .object(members)
        }
        self.init(point: point.index, knobs: point.knobsJSON, report: report, hostCores: hostCores)
    }
}

/// Reading, writing and merging sweep documents (`--json FILE`, `kmsim sweep merge`).
public enum SweepDocument {
    /// The document's bytes: pretty, keys sorted, one trailing newline. Sweep and merge both write
    /// through this, so equal entries give equal bytes.
    public static func encode(_ entries: [SweepEntry]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(entries.sorted { $0.point < $1.point }) + Data("\n".utf8)
    }

    public static func decode(_ data: Data, file: String) throws(SweepError) -> [SweepEntry] {
        do {
            return try JSONDecoder().decode([SweepEntry].self, from: data)
        } catch {
            throw SweepError("\(file): not a kmsim sweep --json document (an array of {point, knobs, report}): \(error)")
        }
    }

    /// The shards' entries joined and ordered by point. A point in two shards must be the same run;
    /// shards of different sweeps (other knobs) are refused.
    public static func merge(_ shards: [(file: String, entries: [SweepEntry])]) throws(SweepError) -> [SweepEntry] {
        var byPoint: [Int: (file: String, entry: SweepEntry)] = [:]
        var knobPaths: (file: String, paths: Set<String>)?
        var messages: [String] = []
        for (file, entries) in shards {
            for entry in entries {
                let paths: Set<String>
                if case .object(let members) = entry.knobs { paths = Set(members.keys) } else { paths = [] }
                if let first = knobPaths, first.paths != paths {
                    messages.append("\(file): point \(entry.point) sweeps \(paths.sorted().joined(separator: ", ")) but \(first.file) sweeps \(first.paths.sorted().joined(separator: ", ")); these are shards of different sweeps")
                    continue
                }
                knobPaths = knobPaths ?? (file, paths)
                if let other = byPoint[entry.point] {
                    if other.entry != entry {
                        messages.append("\(file): point \(entry.point) differs from the same point in \(other.file)")
                    }
                    continue
                }
                byPoint[entry.point] = (file, entry)
            }
        }
        if !messages.isEmpty { throw SweepError(messages: messages) }
        return byPoint.keys.sorted().compactMap { byPoint[$0]?.entry }
    }

    /// Indices below the highest point that no entry has (a shard left out of a merge).
    public static func missingPoints(_ entries: [SweepEntry]) -> [Int] {
        guard let last = entries.map(\.point).max() else { return [] }
        let present = Set(entries.map(\.point))
        return (0...last).filter { !present.contains($0) }
    }
}
