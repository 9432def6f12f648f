import Testing
@testable import KMSim

/// Deferral arithmetic (`defer_compaction()`, `compaction_deferred()`, `compaction_defer_reset()`,
/// `compaction_restarting()`).
@Suite struct CompactionDeferTests {
    static func state() -> ZoneCompactionState { ZoneCompactionState(startPFN: 0, endPFN: 16384) }

    @Test func eachFailureDoublesTheAttemptsSkipped() {
        let state = Self.state()
        state.compactionDeferReset(order: 4, allocSuccess: true)
        #expect(state.orderFailed.load(ordering: .relaxed) == 5)
        for failures in 1...3 {
            state.deferCompaction(order: 9)
            #expect(state.deferShift.load(ordering: .relaxed) == failures)
            // 2^failures - 1 attempts are deferred, the next one runs.
            var deferred = 0
            while state.compactionDeferred(order: 9) { deferred += 1 }
            #expect(deferred == (1 << failures) - 1)
        }
        #expect(state.orderFailed.load(ordering: .relaxed) == 5)
        // Orders below the lowest failed one are never deferred.
        state.deferCompaction(order: 9)
        #expect(!state.compactionDeferred(order: 4))
        #expect(state.compactionDeferred(order: 5))
    }

    @Test func shiftStopsAtSixAndThenRestarts() {
        let state = Self.state()
        for _ in 0..<10 { state.deferCompaction(order: 3) }
        #expect(state.deferShift.load(ordering: .relaxed) == ZoneCompactionState.maxDeferShift)
        #expect(state.orderFailed.load(ordering: .relaxed) == 0)
        #expect(!state.compactionRestarting(order: 3))
        var deferred = 0
        while state.compactionDeferred(order: 3) { deferred += 1 }
        #expect(deferred == 63)
        #expect(state.considered.load(ordering: .relaxed) == 64)
        #expect(state.compactionRestarting(order: 3))
    }

    @Test func successResetsDeferralOnlyWhenTheAllocationSucceeded() {
        let state = Self.state()
        state.deferCompaction(order: 6)
        state.deferCompaction(order: 6)
        state.compactionDeferReset(order: 6, allocSuccess: false)
        #expect(state.deferShift.load(ordering: .relaxed) == 2)
        #expect(state.orderFailed.load(ordering: .relaxed) == 7)
        state.compactionDeferReset(order: 6, allocSuccess: true)
        #expect(state.deferShift.load(ordering: .relaxed) == 0)
        #expect(state.considered.load(ordering: .relaxed) == 0)
    }
}
