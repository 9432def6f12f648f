/// `--trace FILE`: a run as a Perfetto trace (a `Trace` of `TracePacket`s carrying `TrackDescriptor`s and
/// `TrackEvent`s, what ui.perfetto.dev and trace_processor read). One process per simulated node (plus
/// one for machine-wide counters); in it one thread track per CPU process side, per CPU interrupt side,
/// per kswapd and per kcompactd; slices for the `TraceEventLog`'s events; instants for kswapd wake-ups and
/// OOM kills, with a flow from each wake-up to the balancing run it caused; counter tracks for the
/// timeline's series.
/// Timestamps are the run's clock in nanoseconds (simulated on the virtual clock).
///
/// Slices on one thread track must nest. On the real engine several tasks share a CPU and interleave
/// their sleeps (one task's direct reclaim sleeps while another enters the slow path), so a CPU side's
/// slices are laid out on lanes: lane 0 is the side's own track, and a slice that would overlap without
/// nesting goes to the first lane where it nests (`cpu3 #2`, ...). Everything is written on one packet
/// sequence in timestamp order.
public enum PerfettoTrace {
    /// What the trace needs to know of the machine.
    public struct Layout: Sendable {
        public var nodes: Int
        /// The node of each CPU.
        public var cpuNode: [Int]
        /// Interrupt source names by index (an interrupt slice's argument).
        public var interruptNames: [String]
        /// Lock class names by index (a lock wait slice's argument).
        public var lockClassNames: [String]

        public init(nodes: Int, cpuNode: [Int], interruptNames: [String], lockClassNames: [String] = []) {
            self.nodes = nodes
            self.cpuNode = cpuNode
            self.interruptNames = interruptNames
            self.lockClassNames = lockClassNames
        }
    }

    /// TrackEvent.Type.
    enum EventType: UInt64 {
        case sliceBegin = 1
        case sliceEnd = 2
        case instant = 3
        case counter = 4
    }

    /// The sequence every packet is written on (`trusted_packet_sequence_id`).
    static let sequenceID: UInt64 = 1
    /// Lanes a CPU side may spread over; slices beyond them are left out (counted as dropped).
    static let maxLanes = 64

    /// A thread track: a base track and a lane.
    struct LaneTrack: Hashable, Comparable {
        var track: TraceEventLog.Track
        var lane: Int

        static func < (a: LaneTrack, b: LaneTrack) -> Bool { (a.track, a.lane) < (b.track, b.lane) }

        var uuid: UInt64 {
            let (kind, index): (UInt64, Int) = switch track {
            case .process(let cpu): (0, cpu)
            case .irq(let cpu): (1, cpu)
            case .kswapd(let node): (2, node)
            case .kcompactd(let node): (3, node)
            }
            return 1 << 40 | kind << 36 | UInt64(max(0, index)) << 8 | UInt64(lane)
        }
    }

    /// One packet to write, sorted by time then by the order it was produced in.
    struct Pending {
        var time: Int64
        var order: Int
        var bytes: [UInt8]
    }

    /// The encoded trace and what did not fit.
    public struct Encoded: Sendable {
        public var bytes: [UInt8]
        public var slices: Int
        public var instants: Int
        /// Events the log dropped at its cap plus slices beyond `maxLanes`.
        public var dropped: Int
    }

    public static func encode(events: [TraceEventLog.Event], dropped: Int, timeline: Timeline?, layout: Layout) -> Encoded {
        var out = ProtobufWriter()
        var pending: [Pending] = []
        var droppedSlices = dropped
        let lanes = assignLanes(events, dropped: &droppedSlices)
        var declared: [LaneTrack] = []
        for cpu in layout.cpuNode.indices {
            declared.append(LaneTrack(track: .process(cpu: cpu), lane: 0))
            declared.append(LaneTrack(track: .irq(cpu: cpu), lane: 0))
        }
        for node in 0..<layout.nodes {
            declared.append(LaneTrack(track: .kswapd(node: node), lane: 0))
            declared.append(LaneTrack(track: .kcompactd(node: node), lane: 0))
        }
        for track in Set(lanes.map(\.lane)).sorted() where !declared.contains(track) { declared.append(track) }

        var first = true
        func packet(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
            var packet = ProtobufWriter()
            packet.varint(10, sequenceID)
            if first {
                packet.varint(13, 1)  // SEQ_INCREMENTAL_STATE_CLEARED
                first = false
            }
            body(&packet)
            return packet.bytes
        }
        func emit(_ bytes: [UInt8]) { out.message(1) { $0.appendRaw(bytes) } }

        // Descriptors: processes, thread tracks, counter tracks, all before any event.
        for node in 0...layout.nodes {
            emit(packet { packet in
                packet.varint(8, 0)
                packet.message(60) { descriptor in
                    descriptor.varint(1, processUUID(node))
                    descriptor.message(3) { process in
                        process.int(1, Int64(node + 1))
                        process.string(6, node < layout.nodes ? "node \(node)" : "machine")
                    }
                }
            })
        }
        for (serial, track) in declared.enumerated() {
            let node = Self.node(of: track.track, layout: layout)
            emit(packet { packet in
                packet.varint(8, 0)
                packet.message(60) { descriptor in
                    descriptor.varint(1, track.uuid)
                    descriptor.varint(5, processUUID(node))
                    descriptor.message(4) { thread in
                        thread.int(1, Int64(node + 1))
                        thread.int(2, Int64(1000 + serial))
                        thread.string(5, threadName(track))
                    }
                }
            })
        }
        let counters = timeline.map { counterTracks($0, layout: layout) } ?? []
        for (index, counter) in counters.enumerated() {
            emit(packet { packet in
                packet.varint(8, 0)
                packet.message(60) { descriptor in
                    descriptor.varint(1, counterUUID(index))
                    descriptor.varint(5, processUUID(counter.node))
                    descriptor.string(2, counter.name)
                    descriptor.message(8) { $0.varint(3, 2) }  // UNIT_COUNT
                }
            })
        }

        // Slices and instants, lane by lane, in nesting order.
        var slices = 0
        var instants = 0
        var byLane: [LaneTrack: [TraceEventLog.Event]] = [:]
        for entry in lanes { byLane[entry.lane, default: []].append(entry.event) }
        for track in byLane.keys.sorted() {
            guard let laneEvents = byLane[track] else { continue }
            var open: [TraceEventLog.Event] = []
            func closeUntil(_ time: Int64) {
                while let top = open.last, top.start + top.duration <= time {
                    open.removeLast()
                    let end = top.start + top.duration
                    pending.append(Pending(time: end, order: pending.count, bytes: packet { packet in
                        packet.varint(8, UInt64(max(0, end)))
                        packet.message(11) { event in
                            event.varint(9, EventType.sliceEnd.rawValue)
                            event.varint(11, track.uuid)
                        }
                    }))
                }
            }
            for event in laneEvents {
                closeUntil(event.start)
                if event.kind.isInstant { instants += 1 } else { slices += 1 }
                pending.append(Pending(time: event.start, order: pending.count, bytes: packet { packet in
                    packet.varint(8, UInt64(max(0, event.start)))
                    packet.message(11) { trackEvent in
                        trackEvent.varint(9, (event.kind.isInstant ? EventType.instant : .sliceBegin).rawValue)
                        trackEvent.varint(11, track.uuid)
                        trackEvent.string(22, category(event.kind))
                        trackEvent.string(23, name(event, layout: layout))
                        trackEvent.message(4) { annotation in
                            annotation.string(10, argumentName(event.kind))
                            annotation.int(4, event.argument)
                        }
                        if event.flow != 0 {
                            trackEvent.fixed64(event.kind.startsFlow ? 47 : 48, event.flow)
                        }
                    }
                }))
                if !event.kind.isInstant { open.append(event) }
            }
            closeUntil(.max)
        }

        // Counter values at each sample.
        if let timeline {
            for sample in timeline.samples {
                for (index, counter) in counters.enumerated() {
                    let value = counter.value(sample)
                    pending.append(Pending(time: sample.timeNs, order: pending.count, bytes: packet { packet in
                        packet.varint(8, UInt64(max(0, sample.timeNs)))
                        packet.message(11) { event in
                            event.varint(9, EventType.counter.rawValue)
                            event.varint(11, counterUUID(index))
                            event.double(44, value)
                        }
                    }))
                }
            }
        }
        pending.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        for item in pending { emit(item.bytes) }
        return Encoded(bytes: out.bytes, slices: slices, instants: instants, dropped: droppedSlices)
    }

    /// Each event's lane: sorted by start (longest first at equal starts), a slice goes to the first lane
    /// of its track whose open slices it nests in; instants stay on lane 0.
    static func assignLanes(_ events: [TraceEventLog.Event], dropped: inout Int) -> [(lane: LaneTrack, event: TraceEventLog.Event)] {
        let sorted = events.enumerated().sorted { a, b in
            let left = a.element
            let right = b.element
            if left.track != right.track { return left.track < right.track }
            if left.start != right.start { return left.start < right.start }
            if left.duration != right.duration { return left.duration > right.duration }
            return a.offset < b.offset
        }.map(\.element)
        var result: [(lane: LaneTrack, event: TraceEventLog.Event)] = []
        var stacks: [TraceEventLog.Track: [[Int64]]] = [:]
        for event in sorted {
            if event.kind.isInstant {
                result.append((LaneTrack(track: event.track, lane: 0), event))
                continue
            }
            var laneStacks = stacks[event.track] ?? []
            let end = event.start + event.duration
            var placed = false
            for lane in 0..<maxLanes {
                if lane == laneStacks.count { laneStacks.append([]) }
                while let top = laneStacks[lane].last, top <= event.start { laneStacks[lane].removeLast() }
                if let top = laneStacks[lane].last, top < end { continue }
                laneStacks[lane].append(end)
                result.append((LaneTrack(track: event.track, lane: lane), event))
                placed = true
                break
            }
            if !placed { dropped += 1 }
            stacks[event.track] = laneStacks
        }
        return result
    }

    static func processUUID(_ node: Int) -> UInt64 { 0x1000 + UInt64(max(0, node)) }
    static func counterUUID(_ index: Int) -> UInt64 { 2 << 40 | UInt64(index) }

    static func node(of track: TraceEventLog.Track, layout: Layout) -> Int {
        switch track {
        case .process(let cpu), .irq(let cpu): cpu < layout.cpuNode.count ? layout.cpuNode[cpu] : 0
        case .kswapd(let node), .kcompactd(let node): min(node, max(0, layout.nodes - 1))
        }
    }

    static func threadName(_ track: LaneTrack) -> String {
        let base = switch track.track {
        case .process(let cpu): "cpu\(cpu)"
        case .irq(let cpu): "cpu\(cpu) irq"
        case .kswapd(let node): "kswapd\(node)"
        case .kcompactd(let node): "kcompactd\(node)"
        }
        return track.lane == 0 ? base : "\(base) #\(track.lane + 1)"
    }

    /// The event's category: what the trace check counts slices by.
    public static func category(_ kind: TraceEventLog.Kind) -> String {
        switch kind {
        case .slowPath: "slow_path"
        case .directReclaim: "direct_reclaim"
        case .throttle: "throttle"
        case .dirtyThrottle: "dirty_throttle"
        case .kswapdRun: "kswapd"
        case .kswapdWake: "kswapd_wake"
        case .interrupt: "interrupt"
        case .oomKill: "oom_kill"
        case .lockWait: "lock_wait"
        case .remoteHandOver: "remote_hand_over"
        case .remoteFree: "remote_free"
        case .directCompaction: "direct_compaction"
        case .kcompactdRun: "kcompactd"
        case .proactiveCompaction: "proactive_compaction"
        case .compactMemory: "compact_memory"
        case .allocation: "alloc"
        case .free: "free"
        }
    }

    static func argumentName(_ kind: TraceEventLog.Kind) -> String {
        switch kind {
        case .slowPath, .directReclaim, .kswapdRun, .directCompaction, .kcompactdRun: "order"
        case .throttle, .kswapdWake, .proactiveCompaction: "node"
        case .compactMemory: "nodes"
        case .allocation: "size"
        case .free: "address"
        case .dirtyThrottle: "pages"
        case .interrupt: "source"
        case .oomKill: "victim_pid"
        case .lockWait: "lock_class"
        case .remoteHandOver: "target_cpu"
        case .remoteFree: "flow"
        }
    }

    static func name(_ event: TraceEventLog.Event, layout: Layout) -> String {
        if event.kind == .interrupt {
            let index = Int(event.argument)
            return index >= 0 && index < layout.interruptNames.count ? "irq \(layout.interruptNames[index])" : "irq"
        }
        if event.kind == .lockWait {
            let index = Int(event.argument)
            return index >= 0 && index < layout.lockClassNames.count ? "wait \(layout.lockClassNames[index])" : "lock wait"
        }
        if event.kind.isFastPath, let api = TraceEventLog.API(rawValue: event.detail) {
            return event.kind == .allocation ? api.allocName : api.freeName
        }
        return event.kind.traceName
    }

    /// A counter track over the timeline.
    struct CounterTrack {
        var name: String
        var node: Int
        var value: (Timeline.Sample) -> Double
    }

    static func counterTracks(_ timeline: Timeline, layout: Layout) -> [CounterTrack] {
        var tracks: [CounterTrack] = []
        for (index, zone) in timeline.zones.enumerated() {
            let prefix = "\(zone.zone) "
            func zoneValue(_ pick: @escaping (Timeline.ZoneSample) -> Int) -> (Timeline.Sample) -> Double {
                { index < $0.zones.count ? Double(pick($0.zones[index])) : 0 }
            }
            tracks.append(CounterTrack(name: prefix + "free pages", node: zone.node, value: zoneValue(\.free)))
            tracks.append(CounterTrack(name: prefix + "min", node: zone.node, value: zoneValue(\.min)))
            tracks.append(CounterTrack(name: prefix + "low", node: zone.node, value: zoneValue(\.low)))
            tracks.append(CounterTrack(name: prefix + "high", node: zone.node, value: zoneValue(\.high)))
        }
        for node in 0..<layout.nodes {
            func nodeValue(_ pick: @escaping (Timeline.NodeSample) -> Int) -> (Timeline.Sample) -> Double {
                { node < $0.nodes.count ? Double(pick($0.nodes[node])) : 0 }
            }
            tracks.append(CounterTrack(name: "dirty pages", node: node, value: nodeValue(\.dirty)))
            tracks.append(CounterTrack(name: "writeback pages", node: node, value: nodeValue(\.writeback)))
            tracks.append(CounterTrack(name: "file LRU pages", node: node, value: nodeValue { $0.activeFile + $0.inactiveFile }))
            tracks.append(CounterTrack(name: "anon LRU pages", node: node, value: nodeValue { $0.activeAnon + $0.inactiveAnon }))
            tracks.append(CounterTrack(name: "kswapd balancing", node: node, value: {
                node < $0.kswapdBalancing.count && $0.kswapdBalancing[node] ? 1 : 0
            }))
        }
        let machine = layout.nodes
        for (index, context) in timeline.contexts.enumerated() {
            tracks.append(CounterTrack(name: "\(context) ops/s", node: machine, value: {
                index < $0.opsPerSecond.count ? $0.opsPerSecond[index] : 0
            }))
        }
        tracks.append(CounterTrack(name: "slab pages", node: machine, value: { Double($0.slabPages) }))
        tracks.append(CounterTrack(name: "direct reclaims in progress", node: machine,
                                   value: { Double($0.directReclaimsInProgress) }))
        tracks.append(CounterTrack(name: "allocation failures", node: machine, value: { Double($0.failures) }))
        return tracks
    }
}
