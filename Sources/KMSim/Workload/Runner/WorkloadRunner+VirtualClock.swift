import Foundation

/// What a virtual run keeps between its events. `@unchecked Sendable`: only the virtual clock's loop
/// thread touches it (the runner is shared; this state is used by events only).
final class VirtualRunState: @unchecked Sendable {
    @exclusivity(unchecked) var tasks: [Task<Void, Never>] = []
    @exclusivity(unchecked) var workersRunning = 0
    /// When the run stopped, simulated nanoseconds.
    @exclusivity(unchecked) var stoppedAt: Int64?
}

/// A run on the virtual clock: the same tasks, handlers and allocator calls as the real engine, driven by
/// `VirtualClock.runLoop` on one dedicated host thread. What differs from `run()`: interrupts arrive as
/// events drawn from the seed instead of Dispatch timers, the run's end and the periodic checks are
/// events, and nothing waits on the host's clock.
extension WorkloadRunner {
    func runVirtual(_ clock: VirtualClock) async -> RunResult {
        let hostStart = monotonicNanoseconds()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                clock.runLoop { self.startVirtual(clock) }
                continuation.resume()
            }
            thread.name = "kmsim.virtual-clock"
            thread.stackSize = 16 << 20
            thread.start()
        }
        clock.joinLoop()
        let hostSeconds = Double(monotonicNanoseconds() - hostStart) / 1e9
        await machine.reclaim.stopKswapds()
        await checkInvariants(final: true)
        if clock.foreignEnqueues > 0 {
            recordViolation("\(clock.foreignEnqueues) job(s) were enqueued from outside the virtual clock's loop thread")
        }
        let simulated = Double(virtualRun.stoppedAt ?? clock.latest) / 1e9
        return RunResult(runner: self, elapsedSeconds: simulated, hostSeconds: hostSeconds, latency: await latency.merged())
    }

    /// The first event, at time 0 on the housekeeping actor: the first timeline sample, tasks, interrupt
    /// arrivals, the end, checks, samples.
    private func startVirtual(_ clock: VirtualClock) {
        if let timelineRecorder {
            timelineRecorder.append(sampleTimeline(at: 0))
            scheduleVirtualSample(clock, timelineRecorder)
        }
        let tasks = startTasks()
        virtualRun.tasks = tasks.all
        virtualRun.workersRunning = tasks.workers.count
        startVirtualInterrupts(clock)
        machine.bugReports.whenPanicked { [weak self] in self?.stopVirtual(clock, at: clock.now) }
        if let seconds = durationSeconds {
            let end = Self.simulatedNanoseconds(seconds)
            clock.schedule(actor: clock.housekeeping, at: end) { self.stopVirtual(clock, at: end) }
        } else if tasks.workers.isEmpty {
            stopVirtual(clock, at: 0)
        }
        if options.check { scheduleVirtualCheck(clock) }
    }

    /// Seconds as simulated nanoseconds, rounded to the nearest (200 µs is 199999.99... ns in binary
    /// floating point) and saturating far below overflow (durations are range-checked where they are
    /// read, to at most 10^6 s).
    static func simulatedNanoseconds(_ seconds: Double) -> Int64 {
        min(Int64(clamping: nanoseconds(seconds: seconds + 0.5e-9)), Int64.max / 2)
    }

    /// The end of the run: every task is told to stop (cancelled, so sleepers wake), kswapd exits, and
    /// interrupt sources stop re-arming; the loop then runs what is left and returns.
    func stopVirtual(_ clock: VirtualClock, at time: Int64) {
        guard virtualRun.stoppedAt == nil else { return }
        virtualRun.stoppedAt = time
        timelineRecorder?.append(sampleTimeline(at: time))
        stopping.store(true, ordering: .relaxed)
        for task in virtualRun.tasks { task.cancel() }
        machine.reclaim.requestKswapdsStop()
    }

    /// Interrupt lines as events: each arrives every 1/rate seconds, shifted by up to ±jitter/2 of the
    /// interval with a draw from the line's own generator (seeded by the run's seed and the line's
    /// index), starting at a random phase so lines on different CPUs do not arrive together.
    private func startVirtualInterrupts(_ clock: VirtualClock) {
        for (index, line) in plannedInterrupts().enumerated() {
            var generator = SplitMix64(seed: spec.seed ^ (0xA076_1D64_78BD_642F &* UInt64(index + 1)))
            let interval = 1e9 / line.hertz
            let first = Int64((interval * generator.nextUnitDouble()).rounded(.down))
            armVirtualInterrupt(clock, line: line, at: first, interval: interval, generator: generator)
        }
    }

    private func armVirtualInterrupt(_ clock: VirtualClock, line: PlannedInterrupt, at arrival: Int64, interval: Double,
                                     generator: SplitMix64) {
        let cpu = cpus[line.cpu]
        clock.schedule(actor: line.cpu, at: arrival, side: cpu.irqSide) {
            guard !self.isStopping else { return }
            clock.deliverInterrupt(cpu: line.cpu, arrival: arrival) { cpu.handleIRQ(line.handler) }
            var generator = generator
            let shift = 1 + line.jitter * (generator.nextUnitDouble() - 0.5)
            let next = arrival &+ max(1, Int64(interval * shift))
            self.armVirtualInterrupt(clock, line: line, at: next, interval: interval, generator: generator)
        }
    }

    /// `--check` on the virtual clock: an event every `checkInterval` simulated seconds, when no other
    /// event runs, so the machine is quiet without a gate. A check that finds vmalloc's deferred work
    /// still queued runs 10 µs later instead.
    private func scheduleVirtualCheck(_ clock: VirtualClock, after delay: Int64? = nil) {
        let interval = delay ?? max(Self.simulatedNanoseconds(options.checkInterval), 10_000)
        clock.schedule(actor: clock.housekeeping, at: clock.now &+ interval) {
            guard !self.isStopping else { return }
            if self.machine.vmalloc.hasDeferredWork { return self.scheduleVirtualCheck(clock, after: 10_000) }
            let problems = clock.unaccounted { self.machine.checkInvariants() + self.instantViolations() }
            self.recordVirtualCheck(problems, at: clock.now)
            self.scheduleVirtualCheck(clock)
        }
    }
}
