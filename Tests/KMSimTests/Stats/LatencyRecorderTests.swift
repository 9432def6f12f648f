import Foundation
import Histogram
import Testing
@testable import KMSim

/// The recorder counts in HdrHistogram's own bucket layout and builds histograms when read; what it
/// reports must be exactly what recording each value into a `Histogram` reports.
@Suite struct LatencyRecorderTests {
    /// Values from 0 to beyond the clamp, log-uniform so every bucket range is exercised.
    static func values(count: Int, seed: UInt64) -> [UInt64] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let magnitude = Double.random(in: 0..<42, using: &generator)
            return UInt64(pow(2, magnitude)) - 1
        }
    }

    @Test func bucketIndexMatchesHdrHistogram() {
        let histogram = LatencyReport.makeHistogram()
        for value in Self.values(count: 20_000, seed: 1) where value <= LatencyBuckets.largestValue {
            let index = LatencyBuckets.index(of: value)
            #expect(index < LatencyBuckets.count)
            #expect(LatencyBuckets.lowestValue(at: index) == histogram.lowestEquivalentForValue(value),
                    "value \(value) at index \(index)")
        }
    }

    @Test func snapshotEqualsRecordingEachValue() {
        let recorder = LatencyRecorder()
        defer { recorder.deallocate() }
        let slot = LatencyKey(kind: .task, gfpClass: .kernel, size: .slab(size: 64)).slot
        let otherSlot = LatencyKey(kind: .hardirq, gfpClass: .atomic, size: .pages(order: 0)).slot
        var direct = LatencyReport.makeHistogram()
        var other = LatencyReport.makeHistogram()
        // Every other record of `slot` also carries a report class and outcome (the runner's tag).
        var tagged = LatencyReport.makeHistogram()
        let tag = OutcomeLatencyKey.tag(reportClass: 3, outcome: .reserve)
        // More values than the pending buffer holds, so several folds happen before the snapshot's own.
        let values = Self.values(count: LatencyRecorder.pendingCapacity * 7 + 3, seed: 2)
            .map { min($0, LatencyBuckets.largestValue) }
        for (position, value) in values.enumerated() {
            if position % 5 == 0 {
                recorder.record(slot: otherSlot, nanoseconds: value)
                other.record(value)
            } else {
                recorder.record(slot: slot, nanoseconds: value, tag: position % 2 == 0 ? tag : 0)
                direct.record(value)
                if position % 2 == 0 { tagged.record(value) }
            }
        }
        let snapshot = recorder.snapshot()
        #expect(snapshot.histograms.count == 2)
        #expect(Array(snapshot.outcomes.keys) == [OutcomeLatencyKey(reportClass: 3, outcome: .reserve)])
        #expect(OutcomeLatencyKey.tag(reportClass: OutcomeLatencyKey.maxReportClasses, outcome: .fast) == 0)
        let outcomeBuilt = snapshot.outcomes[OutcomeLatencyKey(reportClass: 3, outcome: .reserve)]
        #expect(outcomeBuilt?.totalCount == tagged.totalCount && outcomeBuilt?.maxRecorded == tagged.maxRecorded)
        #expect(outcomeBuilt?.valueAtPercentile(50) == tagged.valueAtPercentile(50))
        for (key, expected) in [(LatencyKey(slot: slot), direct), (LatencyKey(slot: otherSlot), other)] {
            guard let built = snapshot.histograms[key] else {
                Issue.record("no histogram for \(key)")
                continue
            }
            #expect(built.totalCount == expected.totalCount)
            #expect(built.min == expected.min)
            #expect(built.maxRecorded == expected.maxRecorded)
            for percentile in [1.0, 10, 50, 90, 99, 99.9, 99.99] {
                #expect(built.valueAtPercentile(percentile) == expected.valueAtPercentile(percentile), "p\(percentile) of \(key)")
            }
        }
    }

    @Test func valuesBeyondTheRangeAreClampedNotLost() {
        let recorder = LatencyRecorder()
        defer { recorder.deallocate() }
        let slot = LatencyKey(kind: .task, gfpClass: .kernel, size: .pages(order: 0)).slot
        recorder.record(slot: slot, nanoseconds: .max)
        recorder.record(slot: slot, nanoseconds: 100)
        let histogram = recorder.snapshot().histograms[LatencyKey(slot: slot)]
        #expect(histogram?.totalCount == 2)
        #expect(histogram?.maxRecorded == LatencyBuckets.largestValue)
        #expect(histogram?.min == 100)
    }
}
