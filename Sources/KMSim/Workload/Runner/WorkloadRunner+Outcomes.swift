/// Where the runner's allocations were served (`AllocationOutcome`): the page allocator leaves a word
/// per context (`AllocationOutcomeCells`), and the runner takes it after each allocation call and counts
/// it under the call's report class.
extension WorkloadRunner {
    /// Clears what `context`'s word holds from allocations that were not the runner's own (a memory
    /// user's page cache on the same CPU, a deliberate bug's kmalloc), so the next call starts from
    /// `fast`. Only other tasks can leave such bits, and only while this one is suspended, so it runs
    /// where a task resumes (each batch, each slow half) and at each interrupt, not per allocation.
    /// (A task whose call sleeps in the slow path may still see the bits of another task's allocation on
    /// its CPU that finished meanwhile; the word is per context, not per task.)
    @inline(__always)
    func discardServed(_ context: ExecutionContext) {
        _ = outcomeCells.take(row: PerCPUCounters.row(of: context))
    }

    /// Counts a taken word (not 0, or the call failed) under `reportClass`: its slow-path outcome, its
    /// fallback zone or node, its depth below MIN. Returns the outcome the latency is filed under.
    func countServed(_ word: UInt64, failed: Bool, context: ExecutionContext, reportClass: Int,
                     counts: UnsafeMutablePointer<Int64>) -> AllocationOutcome {
        if failed { return .failed }
        let served = AllocationOutcomeCells.Served(word)
        if served.outcome != .fast { counts[RunCounters.outcomeIndex(reportClass, served.outcome)] += 1 }
        if served.otherZone { counts[RunCounters.otherZoneIndex(reportClass)] += 1 }
        if served.otherNode { counts[RunCounters.otherNodeIndex(reportClass)] += 1 }
        if served.outcome.dipsBelowMin, let dip = served.dipBasisPoints {
            counters.dips.lowerMinimum(RunCounters.dipIndex(reportClass, noWatermarks: served.outcome == .noWatermarks),
                                       to: Int64(dip), cpu: context.cpu)
        }
        return served.outcome
    }
}
