import Histogram

/// The latency histograms of one recording side: a dense slot table pointing into the histograms this side
/// has actually used, so a side that allocates in three classes holds three histograms.
///
/// Histograms record nanoseconds at two significant digits (1 % resolution) and grow their range as values
/// arrive (auto-resize), so a histogram that only saw sub-microsecond values stays small.
struct LatencyHistogramSet {
    /// `slotIndex[slot]` is the histogram's index in `histograms`, or -1.
    private var slotIndex: [Int16]
    private(set) var keys: [LatencyKey] = []
    private(set) var histograms: [Histogram<UInt64>] = []

    init() {
        slotIndex = Array(repeating: -1, count: LatencyKey.slotCount)
    }

    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(numberOfSignificantValueDigits: .two)
    }

    @inline(__always)
    mutating func record(slot: Int, nanoseconds: UInt64) {
        let index = Int(slotIndex[slot])
        if index >= 0 {
            histograms[index].record(nanoseconds)
        } else {
            recordFirst(slot: slot, nanoseconds: nanoseconds)
        }
    }

    private mutating func recordFirst(slot: Int, nanoseconds: UInt64) {
        slotIndex[slot] = Int16(histograms.count)
        keys.append(LatencyKey(slot: slot))
        var histogram = Self.makeHistogram()
        histogram.record(nanoseconds)
        histograms.append(histogram)
    }

    /// A deep copy, made on the owning side: fresh histograms, so the owner's next record does not pay a
    /// copy-on-write of the shared counts.
    func snapshot() -> [LatencyKey: Histogram<UInt64>] {
        var result: [LatencyKey: Histogram<UInt64>] = [:]
        for (key, histogram) in zip(keys, histograms) {
            var copy = Self.makeHistogram()
            copy.add(histogram)
            result[key] = copy
        }
        return result
    }
}
