import Histogram
import Synchronization

/// Allocation latency histograms (HdrHistogram) for one machine, keyed by context kind × GFP class × size
/// class, cheap enough to leave on.
///
/// The kernel keeps such statistics per CPU and sums them when read (vmstat); here each *side* of each CPU
/// (process and interrupt run on different host threads) has its own set, found through the thread-local
/// side marker, so the record path takes no lock and shares no cache line (`LatencyRecorder`). Recording
/// from a thread that is not one of this machine's CPU sides (a test thread, another machine) goes to a
/// shared recorder behind a mutex. Reading hops onto every side's queue to build its histograms there,
/// then merges.
public final class AllocationLatency: Sendable {
    private let cpus: SimulatedCPUs
    private let sides: [LatencyRecorder]
    private let foreign = OrderedMutex(LatencyRecorder())

    public init(cpus: SimulatedCPUs) {
        self.cpus = cpus
        self.sides = (0..<cpus.count * 2).map { _ in LatencyRecorder() }
    }

    deinit {
        for recorder in sides { recorder.deallocate() }
        foreign.withLock { $0.deallocate() }
    }

    /// Records one allocation's latency. `gfp` is the caller's mask; `current_gfp_context()` is applied to
    /// classify it, so allocations in a NOFS scope count as GFP_NOFS.
    @inline(__always)
    public func record(nanoseconds: UInt64, context: ExecutionContext, gfp: GFPFlags, size: AllocationSizeClass) {
        let key = LatencyKey(kind: context.kind, gfpClass: GFPClass(context.currentGFPContext(gfp)), size: size)
        record(nanoseconds: nanoseconds, slot: key.slot)
    }

    /// Records under a latency slot (`LatencyKey.slot`): into the calling CPU side's recorder, or the
    /// shared one behind the mutex from any other thread.
    @inline(__always)
    func record(nanoseconds: UInt64, slot: Int) {
        if let side = HostThreadState.currentSide, side.machine == cpus.machineID, side.index < sides.count {
            sides[side.index].record(slot: slot, nanoseconds: nanoseconds)
        } else {
            foreign.withLock { $0.record(slot: slot, nanoseconds: nanoseconds) }
        }
    }

    /// The recorder of one of this machine's CPU sides, for a caller that knows which side it runs on and
    /// records many allocations: the workload runner resolves its side once per batch or interrupt instead
    /// of reading the thread's side marker per allocation. Only code running on `side` (its runqueue or
    /// IRQ queue) may record into it, which keeps each recorder single-writer.
    func recorder(of side: CPUSide) -> LatencyRecorder {
        sides[side.index]
    }

    /// Every side's histograms merged per key, read on the sides' own queues.
    public func merged() async -> LatencyReport {
        var report = LatencyReport()
        for cpu in cpus {
            report.merge(await snapshot(side: cpu.processSide.index, on: cpu.runOnProcessSide))
            report.merge(await snapshot(side: cpu.irqSide.index, on: cpu.runOnIRQSide))
        }
        report.merge(foreign.withLock { $0.snapshot() })
        return report
    }

    private func snapshot(side: Int, on run: (@escaping @Sendable () -> Void) -> Void)
        async -> LatencyRecorder.Snapshot {
        let recorder = sides[side]
        return await withCheckedContinuation { continuation in
            run { continuation.resume(returning: recorder.snapshot()) }
        }
    }
}
