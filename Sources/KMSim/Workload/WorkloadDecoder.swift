import Yams

/// Builds a `WorkloadSpec` from a composed YAML tree, validating as it goes.
///
/// The machine is read first, because CPU numbers, sizes and zones elsewhere are checked against it.
/// Each section has its own `WorkloadDecoder+Section.swift`.
struct WorkloadDecoder {
    var reader: WorkloadReader
    let defaultName: String
    /// The machine CPU lists are checked against; nil when its node or CPU count is itself invalid.
    var machine: MachineSpec?
    /// Cache names seen so far with their object size and where, so a cache is not declared twice
    /// with different sizes.
    var caches: [String: (objectSize: UInt64, node: Node)] = [:]
    /// The run's length, read before the task groups so a paced group can be checked against it.
    var length: RunLength?

    static let topLevelKeys = [
        "name", "description", "machine", "duration", "operations", "seed",
        "reclaim", "compaction", "highalloc", "taskGroups", "memoryUsers", "interrupts", "bugs", "clock", "costs", "faults",
    ]

    init(file: String, defaultName: String) {
        reader = WorkloadReader(file: file)
        self.defaultName = defaultName
    }

    /// The spec, or nil when a part could not be read (the reader holds the reasons).
    mutating func decode(_ root: Node) -> WorkloadSpec? {
        guard let top = reader.mapping(root, "the workload", allowed: Self.topLevelKeys) else { return nil }
        var spec = WorkloadSpec(name: defaultName)
        if let node = top["name"], let name = reader.string(node, "name") {
            if name.isEmpty { reader.error("name: found an empty string, expected a workload name", at: node) }
            spec.name = name
        }
        if let node = top["description"], let description = reader.string(node, "description") {
            spec.description = description
        }
        if let node = top["machine"] {
            spec.machine = decodeMachine(node) ?? spec.machine
        } else {
            machine = spec.machine
        }
        if let node = top["reclaim"] { spec.reclaim = decodeReclaim(node) ?? spec.reclaim }
        if let node = top["compaction"] { spec.compaction = decodeCompaction(node) ?? spec.compaction }
        if let node = top["highalloc"] { spec.highalloc = decodeHighalloc(node) }
        spec.length = decodeLength(top)
        if let node = top["clock"], let clock = decodeClock(node) { spec.clock = clock }
        if let node = top["costs"], let costs = decodeCosts(node) { spec.costs = costs }
        length = spec.length
        if let node = top["seed"], let seed = reader.uint64(node, "seed") {
            spec.seed = seed
        }
        spec.taskGroups = decodeList(top["taskGroups"], "taskGroups", item: "task group") { decoder, node, index in
            decoder.decodeTaskGroup(node, index: index)
        }
        spec.memoryUsers = decodeList(top["memoryUsers"], "memoryUsers", item: "memory user") { decoder, node, index in
            decoder.decodeMemoryUser(node, index: index)
        }
        spec.interrupts = decodeList(top["interrupts"], "interrupts", item: "interrupt source") { decoder, node, index in
            decoder.decodeInterruptSource(node, index: index)
        }
        spec.bugs = decodeList(top["bugs"], "bugs", item: "deliberate bug") { decoder, node, index in
            decoder.decodeBug(node, index: index)
        }
        // After the sections that declare caches, so faults.failslab.caches can name them.
        if let node = top["faults"], let faults = decodeFaults(node) { spec.faults = faults }
        if !["taskGroups", "memoryUsers", "interrupts", "bugs"].contains(where: top.has) {
            reader.error("the workload has nothing to run: give at least one of taskGroups, memoryUsers, interrupts or bugs", at: root)
        }
        checkUniqueNames(top)
        if case .operations = spec.length, !top.has("taskGroups"), let key = top.keyNode("operations") {
            reader.error("operations: counts the operations of taskGroups tasks, and there are none; expected a duration instead", at: key)
        }
        return spec
    }

    /// `duration: 4s` or `operations: 100000` (per task), not both; the default is 4 s.
    private mutating func decodeLength(_ top: YAMLMapping) -> RunLength {
        if let durationKey = top.keyNode("duration"), top.has("operations") {
            reader.error("duration: give either duration or operations, not both", at: durationKey)
        }
        if let node = top["operations"], let count = reader.int(node, "operations", in: 1...Int(Int32.max)) {
            return .operations(count)
        }
        if let node = top["duration"], let seconds = reader.seconds(node, "duration") {
            return .duration(seconds: seconds)
        }
        return .duration(seconds: WorkloadSpec.defaultDurationSeconds)
    }

    /// A list section: each item decoded on its own, so one bad item does not hide the others.
    private mutating func decodeList<T>(_ node: Node?, _ key: String, item: String,
                                        _ decodeItem: (inout WorkloadDecoder, Node, Int) -> T?) -> [T] {
        guard let node else { return [] }
        guard let items = reader.sequence(node, key, expected: "\(item) mappings") else { return [] }
        if items.isEmpty {
            reader.error("\(key): found an empty list, expected at least one \(item) (or leave the key out)", at: node)
        }
        var result: [T] = []
        for (index, itemNode) in items.enumerated() {
            if let value = decodeItem(&self, itemNode, index) { result.append(value) }
        }
        return result
    }

    /// Task groups, memory users and interrupt sources are named in reports, so names must differ.
    private mutating func checkUniqueNames(_ top: YAMLMapping) {
        var seen: [String: YAMLPosition] = [:]
        for key in ["taskGroups", "memoryUsers", "interrupts"] {
            guard let node = top[key], case .sequence(let items) = node else { continue }
            for item in items {
                guard case .mapping(let mapping) = item, let nameNode = mapping["name"],
                      case .scalar(let scalar) = nameNode else { continue }
                if let first = seen[scalar.string] {
                    reader.error("name: '\(WorkloadReader.clip(scalar.string))' is already used at line \(first.line); names must differ so reports can tell them apart", at: nameNode)
                } else {
                    seen[scalar.string] = YAMLPosition(nameNode.mark)
                }
            }
        }
    }
}
