import Foundation
import Testing
@testable import KMSim

/// Timeline sampling: bounded memory by decimation, the per-interval figures derived from cumulative
/// counters, and whole runs on both engines.
@Suite(TestTime.limit(minutes: 5)) struct TimelineTests {
    static func sample(at time: Int64, ops: Int64, lockWait: [Int64] = []) -> Timeline.Sample {
        Timeline.Sample(timeNs: time, zones: [], nodes: [], slabPages: 0, ops: [ops, 0, 0], opsPerSecond: [],
                        failures: 0, kswapdBalancing: [], kswapdRuns: [], directReclaimsInProgress: 0,
                        directReclaimStalls: 0, lockWaitNs: lockWait, topLockWait: nil)
    }

    @Test func aFullRecorderDropsEveryOtherSampleAndDoublesItsInterval() {
        let recorder = TimelineRecorder(intervalNs: 10, capacity: 8)
        for step in 0..<20 { recorder.append(Self.sample(at: Int64(step) * 10, ops: Int64(step))) }
        let timeline = recorder.timeline(clock: .virtual, zones: [], contexts: ["task", "softirq", "hardirq"], lockClasses: [])
        #expect(timeline.samples.count <= 8)
        #expect(timeline.decimations == 3, "full at 8, 12 and 16 samples")
        #expect(timeline.intervalNs == 80)
        #expect(timeline.requestedIntervalNs == 10)
        #expect(timeline.samples.first?.timeNs == 0)
        #expect(timeline.samples.last?.timeNs == 190, "the newest sample is always kept")
        #expect(zip(timeline.samples, timeline.samples.dropFirst()).allSatisfy { $0.timeNs < $1.timeNs })
    }

    @Test func ratesAndTheTopLockComeFromConsecutiveKeptSamples() {
        let recorder = TimelineRecorder(intervalNs: 1_000_000)
        recorder.append(Self.sample(at: 0, ops: 0, lockWait: [0, 0]))
        recorder.append(Self.sample(at: 1_000_000, ops: 500, lockWait: [30, 10]))
        recorder.append(Self.sample(at: 3_000_000, ops: 700, lockWait: [30, 50]))
        recorder.append(Self.sample(at: 4_000_000, ops: 700, lockWait: [30, 50]))
        let timeline = recorder.timeline(clock: .real, zones: [], contexts: ["task", "softirq", "hardirq"],
                                         lockClasses: ["a", "b"])
        #expect(timeline.samples.map { $0.opsPerSecond.first ?? -1 } == [0, 500_000, 100_000, 0])
        #expect(timeline.samples.map { $0.topLockWait?.lockClass } == [nil, "a", "b", nil])
        #expect(timeline.samples[2].topLockWait?.waitNs == 40)
    }

    /// The real engine's sampler aims at multiples of the interval; woken late, it skips what it missed.
    @Test func theRealSamplerAimsAtMultiplesOfTheInterval() {
        #expect(WorkloadRunner.nextSampleDeadline(after: 0, now: 3, interval: 10) == 10)
        #expect(WorkloadRunner.nextSampleDeadline(after: 10, now: 12, interval: 10) == 20, "a sample taken late keeps the grid")
        #expect(WorkloadRunner.nextSampleDeadline(after: 10, now: 47, interval: 10) == 50, "missed deadlines are skipped")
        #expect(WorkloadRunner.nextSampleDeadline(after: 40, now: 40, interval: 20) == 60, "a doubled interval after decimation")
    }

    @Test func aSampleOutOfOrderIsIgnored() {
        let recorder = TimelineRecorder(intervalNs: 10)
        recorder.append(Self.sample(at: 20, ops: 1))
        recorder.append(Self.sample(at: 20, ops: 2))
        recorder.append(Self.sample(at: 10, ops: 3))
        let timeline = recorder.timeline(clock: .real, zones: [], contexts: [], lockClasses: [])
        #expect(timeline.samples.map(\.ops) == [[1, 0, 0]])
    }

    static func checkShape(_ timeline: Timeline, _ runner: WorkloadRunner, report: RunReport) {
        let zones = runner.machine.pageAllocator.zones.filter(\.isPopulated)
        #expect(timeline.zones.count == zones.count)
        #expect(timeline.migratetypes == MigrateType.allCases.map(\.kernelName))
        #expect(zip(timeline.samples, timeline.samples.dropFirst()).allSatisfy { $0.timeNs < $1.timeNs })
        for sample in timeline.samples {
            #expect(sample.nodes.count == runner.spec.machine.nodes)
            #expect(sample.kswapdBalancing.count == runner.spec.machine.nodes)
            for (zone, zoneSample) in zip(zones, sample.zones) {
                let blocks = (zone.spannedPages + PageAllocator.pageblockPages - 1) / PageAllocator.pageblockPages
                #expect(zoneSample.pageblocks.reduce(0, +) == blocks)
                #expect(zoneSample.nrFree.count == PageAllocator.maxOrder + 1)
                #expect(zoneSample.min <= zoneSample.low && zoneSample.low <= zoneSample.high)
                #expect(zoneSample.free <= zone.managedPages)
            }
        }
        let ops = timeline.samples.map { $0.ops.reduce(0, +) }
        #expect(zip(ops, ops.dropFirst()).allSatisfy { $0 <= $1 }, "cumulative counts never fall")
        #expect(ops.first == 0)
        #expect((ops.last ?? 0) > 0 && (ops.last ?? 0) <= report.operations)
    }

    @Test func aVirtualRunIsSampledEveryIntervalOfSimulatedTime() async throws {
        var spec = try VirtualRunTests.stress(cpusPerNode: 2, nodes: 2, irqRate: 10_000)
        spec.clock = .virtual
        var options = RunOptions()
        options.durationSeconds = 0.002
        options.sampleEverySeconds = 0.0001
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        let timeline = try #require(report.timeline)
        #expect(timeline.clock == "virtual")
        #expect(timeline.samples.count == 21, "at 0, every 100 us, and the end at 2 ms")
        #expect(timeline.samples.map(\.timeNs) == (0...20).map { Int64($0) * 100_000 })
        Self.checkShape(timeline, runner, report: report)
        let json = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(RunReport.self, from: json)
        #expect(decoded.timeline == timeline)
    }

    @Test func aRealRunIsSampledAndSamplingCanBeTurnedOff() async throws {
        var spec = try VirtualRunTests.stress(cpusPerNode: 2)
        spec.clock = .real
        var options = RunOptions()
        options.durationSeconds = 0.3
        options.sampleEverySeconds = 0.01
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        let timeline = try #require(report.timeline)
        #expect(timeline.clock == "real")
        #expect(timeline.samples.count >= 3, "at 0, at least one in between, and the end")
        Self.checkShape(timeline, runner, report: report)
        options.sampleEverySeconds = nil
        options.durationSeconds = 0.05
        let off = await (try WorkloadRunner(spec: spec, options: options)).run().report
        #expect(off.timeline == nil)
    }
}
