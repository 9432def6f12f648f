import Histogram

/// The allocation latencies one recording side has seen (a CPU's process or interrupt side, or the
/// shared set for other threads): for each latency slot it has used, counts in HdrHistogram's bucket
/// layout (`LatencyBuckets`) plus the exact minimum and maximum, built into `Histogram`s when read.
///
/// Recording appends the value to a small pending buffer (4 KiB); every `pendingCapacity` records it is
/// folded into the counts in one tight loop. Why: the runner times every allocation, and counting each
/// value straight into its histogram (with `Histogram.record`, or even a bare increment) touched a spread
/// of count lines between allocator calls and evicted the allocator's own cache lines, which cost larson
/// about ten points of runner overhead. The pending buffer is a few lines reused round-robin; the counts
/// are touched once per fold. `snapshot()` folds what is pending, then records every bucket into a
/// `Histogram` with the bucket's count, so percentiles, min and max are exactly those of recording each
/// value into it.
///
/// A record from the workload runner also carries its report class and `AllocationOutcome`, and the
/// fold counts it a second time under that outcome slot (`OutcomeLatencyKey`), so the report has
/// p50/p99 per class and outcome without a second record on the allocation path.
///
/// A struct of raw pointers, so handing it around costs no reference counting; its owner
/// (`AllocationLatency`) calls `deallocate()`. `@unchecked Sendable`: the storage is written only by
/// code running on the owning side's serial context (the CPU's runqueue or IRQ queue; the foreign set is
/// behind `AllocationLatency`'s mutex), and `snapshot()` runs on that same context, so one host thread at
/// a time touches it and the queue orders consecutive uses.
struct LatencyRecorder: @unchecked Sendable {
    /// `buffers[slot]` (`LatencyKey.slot`, then `LatencyKey.slotCount + OutcomeLatencyKey.slot`): [0]
    /// minimum, [1] maximum, then `LatencyBuckets.count` counts; nil before the slot's first fold.
    private let buffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// [0] how many records are pending, then the records, each
    /// `OutcomeLatencyKey.tag << 52 | slot << 40 | nanoseconds`.
    private let pending: UnsafeMutablePointer<UInt64>
    private static let header = 2
    static let pendingCapacity = 512
    private static let valueBits: UInt64 = 40
    private static let tagShift: UInt64 = 52
    private static let slotMask: UInt64 = 0xfff
    private static let bufferCount = LatencyKey.slotCount + OutcomeLatencyKey.slotCount

    init() {
        buffers = .allocate(capacity: Self.bufferCount)
        buffers.initialize(repeating: nil, count: Self.bufferCount)
        pending = .allocate(capacity: 1 + Self.pendingCapacity)
        pending.initialize(repeating: 0, count: 1 + Self.pendingCapacity)
    }

    func deallocate() {
        for slot in 0..<Self.bufferCount { buffers[slot]?.deallocate() }
        buffers.deallocate()
        pending.deallocate()
    }

    /// Records one allocation of `nanoseconds` (clamped to `LatencyBuckets.largestValue`) under `slot`
    /// and, with a `tag` (`OutcomeLatencyKey.tag`), under its report class and outcome at the next fold.
    @inline(__always)
    func record(slot: Int, nanoseconds: UInt64, tag: UInt64 = 0) {
        let count = Int(pending[0]) + 1
        pending[count] = tag << Self.tagShift | UInt64(slot) << Self.valueBits
            | min(nanoseconds, LatencyBuckets.largestValue)
        pending[0] = UInt64(count)
        if count == Self.pendingCapacity { fold() }
    }

    /// Counts the pending records into their slots' buckets and their outcome slots' buckets.
    private func fold() {
        let count = Int(pending[0])
        for position in stride(from: 1, through: count, by: 1) {
            let entry = pending[position]
            let slot = Int((entry >> Self.valueBits) & Self.slotMask)
            let nanoseconds = entry & LatencyBuckets.largestValue
            let index = Self.header + LatencyBuckets.index(of: nanoseconds)
            tally(nanoseconds, at: index, into: slot)
            if let outcomeSlot = OutcomeLatencyKey.slot(tag: entry >> Self.tagShift) {
                tally(nanoseconds, at: index, into: LatencyKey.slotCount + outcomeSlot)
            }
        }
        pending[0] = 0
    }

    @inline(__always)
    private func tally(_ nanoseconds: UInt64, at index: Int, into slot: Int) {
        let buffer = buffers[slot] ?? firstUse(of: slot)
        if nanoseconds < buffer[0] { buffer[0] = nanoseconds }
        if nanoseconds > buffer[1] { buffer[1] = nanoseconds }
        buffer[index] += 1
    }

    private func firstUse(of slot: Int) -> UnsafeMutablePointer<UInt64> {
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: Self.header + LatencyBuckets.count)
        buffer.initialize(repeating: 0, count: Self.header + LatencyBuckets.count)
        buffer[0] = .max
        buffers[slot] = buffer
        return buffer
    }

    /// What `snapshot()` returns: the histograms by latency key and by outcome.
    struct Snapshot: Sendable {
        var histograms: [LatencyKey: Histogram<UInt64>] = [:]
        var outcomes: [OutcomeLatencyKey: Histogram<UInt64>] = [:]
    }

    /// The histograms of every slot used so far, built from the counts (fresh `Histogram`s the caller owns).
    func snapshot() -> Snapshot {
        fold()
        var result = Snapshot()
        for slot in 0..<LatencyKey.slotCount {
            if let buffer = buffers[slot] { result.histograms[LatencyKey(slot: slot)] = Self.histogram(of: buffer) }
        }
        for slot in 0..<OutcomeLatencyKey.slotCount {
            if let buffer = buffers[LatencyKey.slotCount + slot] {
                result.outcomes[OutcomeLatencyKey(slot: slot)] = Self.histogram(of: buffer)
            }
        }
        return result
    }

    /// Records each bucket's count at the bucket's lowest value, except that the minimum's bucket records
    /// at the exact minimum and the maximum's bucket records one value at the exact maximum: the same
    /// buckets (so the same percentiles) with `min` and `maxRecorded` exact.
    private static func histogram(of buffer: UnsafeMutablePointer<UInt64>) -> Histogram<UInt64> {
        var histogram = LatencyReport.makeHistogram()
        let minimum = buffer[0]
        let maximum = buffer[1]
        guard minimum <= maximum else { return histogram }
        let minimumIndex = LatencyBuckets.index(of: minimum)
        let maximumIndex = LatencyBuckets.index(of: maximum)
        for index in minimumIndex...maximumIndex {
            var count = buffer[header + index]
            guard count > 0 else { continue }
            if index == maximumIndex {
                histogram.record(maximum)
                count -= 1
            }
            if count > 0 {
                histogram.record(index == minimumIndex ? minimum : LatencyBuckets.lowestValue(at: index), count: count)
            }
        }
        return histogram
    }
}
