import Histogram

/// Merged allocation latencies: one histogram per key, plus the percentiles a run report prints.
public struct LatencyReport: Sendable {
    public private(set) var histograms: [LatencyKey: Histogram<UInt64>] = [:]
    /// The same allocations by outcome (`AllocationOutcome`), size buckets merged.
    public private(set) var outcomeHistograms: [OutcomeLatencyKey: Histogram<UInt64>] = [:]

    /// Latency percentiles of one histogram, in nanoseconds.
    public struct Summary: Sendable, Equatable, Codable {
        public var count: UInt64
        public var p50: UInt64
        public var p99: UInt64
        public var p999: UInt64
        public var max: UInt64
    }

    /// A histogram of nanoseconds at two significant digits (1 % resolution), growing its range as values
    /// arrive, so one that only saw sub-microsecond values stays small. `LatencyBuckets` mirrors its layout.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(numberOfSignificantValueDigits: .two)
    }

    mutating func merge(_ other: LatencyRecorder.Snapshot) {
        for (key, histogram) in other.histograms {
            histograms[key, default: LatencyReport.makeHistogram()].add(histogram)
        }
        for (key, histogram) in other.outcomes {
            outcomeHistograms[key, default: LatencyReport.makeHistogram()].add(histogram)
        }
    }

    /// Allocations recorded under all keys.
    public var totalCount: UInt64 { histograms.values.reduce(0) { $0 + $1.totalCount } }

    /// The summary of one key, nil when nothing was recorded under it.
    public func summary(_ key: LatencyKey) -> Summary? {
        histograms[key].map(Self.summarize)
    }

    /// Summaries per context kind × GFP class, merged over size classes.
    public func summariesByContextAndClass() -> [ContextClass: Summary] {
        var merged: [ContextClass: Histogram<UInt64>] = [:]
        for (key, histogram) in histograms {
            merged[ContextClass(kind: key.kind, gfpClass: key.gfpClass), default: LatencyReport.makeHistogram()]
                .add(histogram)
        }
        return merged.mapValues(Self.summarize)
    }

    /// A context kind with a GFP class.
    public struct ContextClass: Sendable, Hashable, Codable {
        public var kind: ExecutionContext.Kind
        public var gfpClass: GFPClass

        public init(kind: ExecutionContext.Kind, gfpClass: GFPClass) {
            self.kind = kind
            self.gfpClass = gfpClass
        }
    }

    static func summarize(_ histogram: Histogram<UInt64>) -> Summary {
        Summary(count: histogram.totalCount, p50: histogram.valueAtPercentile(50),
                p99: histogram.valueAtPercentile(99), p999: histogram.valueAtPercentile(99.9),
                max: histogram.maxRecorded)
    }
}
