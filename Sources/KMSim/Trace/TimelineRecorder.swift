import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a run's timeline samples in bounded memory: at most `capacity` samples; when full, every other
/// sample is dropped and the sampling interval doubles (decimation), so a long run keeps its whole span
/// at a coarser grain instead of its first minutes only. Counters in a sample are cumulative, so no
/// count is lost by dropping samples.
///
/// Synchronisation: the sampler (one task on the real engine, housekeeping events on the virtual clock's
/// loop thread) appends and the runner reads at the end; both go through `state`'s mutex. The cost
/// figures are relaxed atomics.
final class TimelineRecorder: Sendable {
    struct State {
        var samples: [Timeline.Sample] = []
        var intervalNs: Int64
        var decimations = 0
    }

    /// Default `--sample-every`: 10 ms of the run's clock.
    static let defaultIntervalSeconds = 0.01
    /// Default number of samples kept.
    static let defaultCapacity = 1024

    let requestedIntervalNs: Int64
    let capacity: Int
    let state: Mutex<State>
    /// The host CPU time the real engine's periodic sampler spent taking samples (its thread's CPU
    /// time), and how many it took: what sampling costs the host, which `--measure-overhead` reports. Kept
    /// out of the timeline itself: host time in the report would break the virtual clock's determinism.
    let sampleCostNs = Atomic<Int64>(0)
    let timedSamples = Atomic<Int>(0)

    init(intervalNs: Int64, capacity: Int = TimelineRecorder.defaultCapacity) {
        requestedIntervalNs = max(1, intervalNs)
        self.capacity = max(4, capacity)
        state = Mutex(State(intervalNs: max(1, intervalNs)))
    }

    /// The spacing the sampler should use now (grows with each decimation).
    var intervalNs: Int64 { state.withLock { $0.intervalNs } }

    /// Appends a sample, decimating first when full. Samples arrive in time order.
    func append(_ sample: Timeline.Sample) {
        state.withLock { state in
            if let last = state.samples.last, last.timeNs >= sample.timeNs { return }
            if state.samples.count >= capacity {
                state.samples = stride(from: 0, to: state.samples.count, by: 2).map { state.samples[$0] }
                state.intervalNs = state.intervalNs.multipliedReportingOverflow(by: 2).overflow
                    ? state.intervalNs : state.intervalNs * 2
                state.decimations += 1
            }
            state.samples.append(sample)
        }
    }

    /// Takes a sample with `take` and appends it, adding the thread CPU time that took to `sampleCostNs`.
    func appendTimed(_ take: () -> Timeline.Sample) {
        let start = Self.threadCPUNanoseconds()
        append(take())
        sampleCostNs.add(Self.threadCPUNanoseconds() - start, ordering: .relaxed)
        timedSamples.add(1, ordering: .relaxed)
    }

    /// CLOCK_THREAD_CPUTIME_ID in nanoseconds: the calling thread's CPU time, which a preemption does not
    /// inflate as it does a wall-clock reading.
    static func threadCPUNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// The timeline with its per-interval figures derived from consecutive kept samples.
    func timeline(clock: RunClock, zones: [Timeline.ZoneName], contexts: [String], lockClasses: [String]) -> Timeline {
        let state = state.withLock { $0 }
        var samples = state.samples
        for index in samples.indices {
            guard index > 0 else {
                samples[index].opsPerSecond = samples[index].ops.map { _ in 0 }
                samples[index].topLockWait = nil
                continue
            }
            let previous = samples[index - 1]
            let seconds = Double(samples[index].timeNs - previous.timeNs) / 1e9
            samples[index].opsPerSecond = zip(samples[index].ops, previous.ops).map { now, before in
                seconds > 0 ? (Double(now - before) / seconds).rounded() : 0
            }
            var top: Timeline.LockWait?
            for (slot, name) in lockClasses.enumerated()
            where slot < samples[index].lockWaitNs.count && slot < previous.lockWaitNs.count {
                let wait = samples[index].lockWaitNs[slot] - previous.lockWaitNs[slot]
                if wait > 0 && wait > (top?.waitNs ?? 0) { top = .init(lockClass: name, waitNs: wait) }
            }
            samples[index].topLockWait = top
        }
        return Timeline(clock: clock.rawValue, requestedIntervalNs: requestedIntervalNs, intervalNs: state.intervalNs,
                        capacity: capacity, decimations: state.decimations, zones: zones,
                        migratetypes: MigrateType.allCases.map(\.kernelName),
                        contexts: contexts, lockClasses: lockClasses, samples: samples)
    }
}
