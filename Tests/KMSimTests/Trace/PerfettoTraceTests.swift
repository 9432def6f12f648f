import Foundation
import Testing
@testable import KMSim

/// A small protobuf reader for the tests: a message's fields as (number, varint value or bytes).
struct ProtobufFields {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
    }

    var fields: [(number: Int, value: Value)] = []

    init?(_ bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.endIndex && shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.endIndex {
            guard let key = varint() else { return nil }
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                guard let value = varint() else { return nil }
                fields.append((number, .varint(value)))
            case 1:
                guard bytes.endIndex - index >= 8 else { return nil }
                var value: UInt64 = 0
                for offset in 0..<8 { value |= UInt64(bytes[index + offset]) << UInt64(8 * offset) }
                index += 8
                fields.append((number, .fixed64(value)))
            case 2:
                guard let length = varint(), length <= UInt64(bytes.endIndex - index) else { return nil }
                fields.append((number, .bytes(Array(bytes[index..<index + Int(length)]))))
                index += Int(length)
            default:
                return nil
            }
        }
    }

    func varint(_ number: Int) -> UInt64? {
        for field in fields where field.number == number { if case .varint(let value) = field.value { return value } }
        return nil
    }

    func message(_ number: Int) -> ProtobufFields? {
        for field in fields where field.number == number {
            if case .bytes(let bytes) = field.value { return ProtobufFields(bytes[...]) }
        }
        return nil
    }

    func string(_ number: Int) -> String? {
        for field in fields where field.number == number {
            if case .bytes(let bytes) = field.value { return String(decoding: bytes, as: UTF8.self) }
        }
        return nil
    }
}

/// `--trace`: the Perfetto encoding read back field by field (the numbers of Perfetto's
/// trace_packet.proto, track_event.proto and track_descriptor.proto).
@Suite(TestTime.limit(minutes: 5)) struct PerfettoTraceTests {
    /// What a trace holds, checked as trace_processor would need it.
    struct Checked {
        var categories: [String: Int] = [:]
        /// Slices and instants by name.
        var names: [String: Int] = [:]
        var trackNames: [UInt64: String] = [:]
        var problems: [String] = []
        var flowsStarted: Set<UInt64> = []
        var flowsEnded: Set<UInt64> = []
        var counterValues = 0
    }

    static func check(_ bytes: [UInt8]) throws -> Checked {
        var checked = Checked()
        let trace = try #require(ProtobufFields(bytes[...]))
        var declared: Set<UInt64> = []
        var lastTime: [UInt64: UInt64] = [:]
        var open: [UInt64: [UInt64]] = [:]
        for (number, value) in trace.fields {
            guard number == 1, case .bytes(let raw) = value, let packet = ProtobufFields(raw[...]) else {
                checked.problems.append("a top-level field that is not a TracePacket")
                continue
            }
            let sequence = packet.varint(10) ?? 0
            if let time = packet.varint(8) {
                if time < lastTime[sequence, default: 0] { checked.problems.append("time \(time) goes back on sequence \(sequence)") }
                lastTime[sequence] = time
            }
            if let descriptor = packet.message(60), let uuid = descriptor.varint(1) {
                declared.insert(uuid)
                checked.trackNames[uuid] = descriptor.string(2) ?? descriptor.message(4)?.string(5) ?? descriptor.message(3)?.string(6)
            }
            if let event = packet.message(11) {
                let track = event.varint(11) ?? 0
                if !declared.contains(track) { checked.problems.append("track \(track) used before it is declared") }
                let type = event.varint(9) ?? 0
                let time = packet.varint(8) ?? 0
                switch type {
                case 1:
                    open[track, default: []].append(time)
                    checked.categories[event.string(22) ?? "", default: 0] += 1
                    checked.names[event.string(23) ?? "", default: 0] += 1
                case 2:
                    if open[track]?.popLast() == nil { checked.problems.append("an end with no open slice on \(track)") }
                case 3:
                    checked.categories[event.string(22) ?? "", default: 0] += 1
                    checked.names[event.string(23) ?? "", default: 0] += 1
                case 4: checked.counterValues += 1
                default: checked.problems.append("event type \(type)")
                }
                for field in event.fields {
                    if field.number == 47, case .fixed64(let flow) = field.value { checked.flowsStarted.insert(flow) }
                    if field.number == 48, case .fixed64(let flow) = field.value { checked.flowsEnded.insert(flow) }
                }
            }
        }
        for (track, stack) in open where !stack.isEmpty { checked.problems.append("\(stack.count) slice(s) left open on \(track)") }
        return checked
    }

    static func event(_ kind: TraceEventLog.Kind, _ track: TraceEventLog.Track, _ start: Int64, _ duration: Int64, flow: UInt64 = 0) -> TraceEventLog.Event {
        TraceEventLog.Event(kind: kind, track: track, start: start, duration: duration, argument: 0, flow: flow)
    }

    @Test func overlappingSlicesOfOneCPUSideGoToLanesWhereTheyNest() throws {
        let layout = PerfettoTrace.Layout(nodes: 1, cpuNode: [0, 0], interruptNames: ["nic"])
        let events = [
            Self.event(.slowPath, .process(cpu: 0), 100, 50),
            Self.event(.directReclaim, .process(cpu: 0), 110, 30),
            Self.event(.slowPath, .process(cpu: 0), 120, 100),  // another task's: overlaps without nesting
            Self.event(.kswapdWake, .process(cpu: 0), 105, 0, flow: 9),
            Self.event(.kswapdRun, .kswapd(node: 0), 130, 40, flow: 9),
            Self.event(.interrupt, .irq(cpu: 1), 10, 5),
            Self.event(.slowPath, .irq(cpu: 1), 11, 0),
        ]
        let encoded = PerfettoTrace.encode(events: events, dropped: 0, timeline: nil, layout: layout)
        let checked = try Self.check(encoded.bytes)
        #expect(checked.problems.isEmpty, "\(checked.problems)")
        #expect(checked.categories == ["slow_path": 3, "direct_reclaim": 1, "kswapd_wake": 1, "kswapd": 1, "interrupt": 1])
        #expect(checked.trackNames.values.contains("cpu0 #2"), "the overlapping slice got a second lane")
        #expect(checked.flowsStarted == [9] && checked.flowsEnded == [9])
        #expect(encoded.slices == 6 && encoded.instants == 1 && encoded.dropped == 0)
    }

    @Test func aWritebackRunsThrottlingPausesAreSlices() async throws {
        var stress = StressOptions()
        stress.cpusPerNode = 2
        stress.memoryPerNode = "128MiB"
        stress.pageCache = "100MiB"
        var spec = try WorkloadSpec(stress: stress)
        spec.clock = .virtual
        var options = RunOptions()
        options.durationSeconds = 0.005
        options.trace = true
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        let checked = try Self.check(runner.perfettoTrace(report).bytes)
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        #expect(report.reclaim.dirtyThrottles > 0, "the writers go over their dirty limit")
        #expect(checked.categories["dirty_throttle", default: 0] == report.reclaim.dirtyThrottles)
        #expect(checked.categories["direct_reclaim", default: 0] == report.reclaim.directReclaimStalls)
    }

    @Test func aVirtualRunsTraceMatchesItsReport() async throws {
        let parsed = try BundledWorkloads.resolve("oom")
        var spec = parsed.spec
        spec.clock = .virtual
        var options = RunOptions()
        options.durationSeconds = 0.02
        options.trace = true
        options.sampleEverySeconds = 0.001
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        let encoded = runner.perfettoTrace(report)
        let checked = try Self.check(encoded.bytes)
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        #expect(encoded.dropped == 0)
        #expect(checked.categories["direct_reclaim", default: 0] == report.reclaim.directReclaimStalls)
        #expect(checked.categories["oom_kill", default: 0] == report.reclaim.oomKills)
        #expect(checked.categories["interrupt", default: 0] == Int(report.interrupts))
        #expect(checked.categories["kswapd", default: 0] == report.reclaim.kswapdWakeups)
        #expect(checked.counterValues > 0)
        #expect(checked.flowsEnded.isSubset(of: checked.flowsStarted))
        #expect(checked.categories["dirty_throttle", default: 0] == report.reclaim.dirtyThrottles)
        let again = try WorkloadRunner(spec: spec, options: options)
        let second = await again.run().report
        #expect(again.perfettoTrace(second).bytes == encoded.bytes, "a virtual run's trace is deterministic")
    }
}

/// Sampled flows from an object handed to another CPU to its free there.
@Suite(TestTime.limit(minutes: 5)) struct RemoteFreeFlowTraceTests {
    @Test func sampledHandOversFlowToTheirFree() async throws {
        let spec = try VirtualRunTests.stress(cpusPerNode: 4, memory: "64MiB", remoteFree: "50%")
        var options = RunOptions()
        options.durationSeconds = 0.001
        options.trace = true
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        let checked = try PerfettoTraceTests.check(runner.perfettoTrace(report).bytes)
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        let handOvers = checked.categories["remote_hand_over", default: 0]
        let frees = checked.categories["remote_free", default: 0]
        // One hand-over in 256 is sampled (the count runs over every hand-over, fallbacks to a local free
        // included); nearly all sampled objects are freed before the run ends.
        #expect(report.remoteFrees >= 256 * 4, "\(report.remoteFrees) remote frees")
        #expect(handOvers >= Int(report.remoteFrees) / Int(TraceEventLog.remoteFreeSampling) - 1, "\(handOvers) sampled of \(report.remoteFrees)")
        #expect(frees > 0 && frees <= handOvers, "\(frees) frees of \(handOvers) hand-overs")
        #expect(checked.flowsEnded.isSubset(of: checked.flowsStarted))
        #expect(checked.flowsEnded.count == frees)
    }
}

/// Lock waits in the trace: every contended wait at or above the threshold is a slice.
@Suite(TestTime.limit(minutes: 5)) struct LockWaitTraceTests {
    static func run(threshold: Int64) async throws -> (RunReport, PerfettoTraceTests.Checked) {
        let spec = try VirtualRunTests.stress(cpusPerNode: 4, memory: "64MiB", remoteFree: "50%")
        var options = RunOptions()
        options.durationSeconds = 0.001
        options.trace = true
        options.traceLockWaitNs = threshold
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        return (report, try PerfettoTraceTests.check(runner.perfettoTrace(report).bytes))
    }

    @Test func everyContendedWaitIsASliceAtAThresholdOfOneNanosecond() async throws {
        let (report, checked) = try await Self.run(threshold: 1)
        let contentions = report.locks.reduce(0) { $0 + $1.contentions }
        #expect(contentions > 0, "the workload contends")
        #expect(checked.problems.isEmpty, "\(checked.problems.prefix(5))")
        #expect(checked.categories["lock_wait", default: 0] == contentions)
        let longest = report.locks.map(\.waitMaxNs).max() ?? 0
        let (_, above) = try await Self.run(threshold: longest + 1)
        #expect(above.categories["lock_wait", default: 0] == 0, "no wait reaches a threshold above the longest")
    }
}

/// The trace read by Perfetto's own protos (Scripts/check-perfetto-trace.py), where python3 has them.
@Suite(TestTime.limit(minutes: 5)) struct PerfettoProtosTests {
    @Test(.enabled(if: ExternalTool.pythonWithPerfetto != nil,
                   "no python3 (KMSIM_PYTHON or on PATH) can import Perfetto's protos (pip install perfetto protobuf; .ci/run installs them)"))
    func perfettosProtosParseTheTraceAndItsCountsMatchTheReport() async throws {
        let python = try #require(ExternalTool.pythonWithPerfetto)
        var spec = try VirtualRunTests.stress(cpusPerNode: 2, memory: "64MiB", irqRate: 20_000)
        spec.clock = .virtual
        var options = RunOptions()
        options.durationSeconds = 0.002
        options.trace = true
        options.sampleEverySeconds = 0.0002
        let runner = try WorkloadRunner(spec: spec, options: options)
        let report = await runner.run().report
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let trace = directory.appendingPathComponent("run.perfetto")
        let json = directory.appendingPathComponent("run.json")
        try Data(runner.perfettoTrace(report).bytes).write(to: trace)
        try JSONEncoder().encode(report).write(to: json)
        let result = try ExternalTool.run(python, [ExternalTool.script("check-perfetto-trace.py"), trace.path, json.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(report.interrupts > 0)
        #expect(result.output.contains("interrupt \(report.interrupts)"))
    }
}
