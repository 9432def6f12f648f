import Yams

extension WorkloadDecoder {
    static let cpusExpected = "all, a CPU list such as 0-3,6 or [0, 2-3], or nodes such as node1 or [node0, node1]"

    /// `cpus:` — `all`, a cpulist string (`0-3,8`), a YAML list of numbers, ranges and `nodeN`, or
    /// `nodeN`. Every CPU and node must exist on the machine.
    mutating func decodeCPUs(_ node: Node, _ key: String) -> CPUSelection? {
        var items: [(text: String, node: Node)] = []
        switch node {
        case .scalar(let scalar) where !WorkloadReader.isNull(node):
            if scalar.string.trimmingSpaces() == "all" { return .all }
            items = scalar.string.split(separator: ",").map { (String($0), node) }
        case .sequence(let sequence):
            for item in sequence {
                guard case .scalar(let scalar) = item, !WorkloadReader.isNull(item) else {
                    reader.error("\(key): found \(WorkloadReader.describe(item)) in the list, expected a CPU number, a range such as 2-3, or nodeN", at: item)
                    return nil
                }
                items.append((scalar.string, item))
            }
        default:
            reader.error("\(key): found \(WorkloadReader.describe(node)), expected \(Self.cpusExpected)", at: node)
            return nil
        }
        guard !items.isEmpty else {
            reader.error("\(key): found an empty list, expected \(Self.cpusExpected)", at: node)
            return nil
        }
        var cpus: Set<Int> = []
        var nodes: Set<Int> = []
        var failed = false
        for item in items {
            let text = item.text.trimmingSpaces()
            if text.hasPrefix("node") {
                guard let index = Int(text.dropFirst(4)), checkNode(index, key, at: item.node) else {
                    if Int(text.dropFirst(4)) == nil {
                        reader.error("\(key): found '\(WorkloadReader.clip(text))', expected nodeN with N a node number", at: item.node)
                    }
                    failed = true
                    continue
                }
                nodes.insert(index)
            } else if let range = cpuRange(text, key, at: item.node) {
                cpus.formUnion(range)
            } else {
                failed = true
            }
        }
        if failed { return nil }
        if cpus.isEmpty { return .nodes(nodes.sorted()) }
        if let machine {
            for node in nodes { cpus.formUnion(machine.cpus(ofNode: node)) }
        }
        return .cpus(cpus.sorted())
    }

    /// `5` or `2-7`, each CPU on the machine.
    private mutating func cpuRange(_ text: String, _ key: String, at node: Node) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingSpaces()) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil else {
            reader.error("\(key): found '\(WorkloadReader.clip(text))', expected a CPU number or a range such as 2-7", at: node)
            return nil
        }
        guard low <= high else {
            reader.error("\(key): found the range \(low)-\(high), expected the first CPU not to exceed the last", at: node)
            return nil
        }
        let limit = machine?.cpuCount ?? MachineSpec.maxCPUs
        guard low >= 0, high < limit else {
            let bad = low < 0 ? low : high
            let machineText = machine.map { " (\($0.nodes) node\($0.nodes == 1 ? "" : "s") × \($0.cpusPerNode) CPUs)" } ?? ""
            reader.error("\(key): found CPU \(bad), expected a CPU of the machine, 0...\(limit - 1)\(machineText)", at: node)
            return nil
        }
        return low...high
    }

    private mutating func checkNode(_ index: Int, _ key: String, at node: Node) -> Bool {
        let limit = machine?.nodes ?? MachineSpec.maxNodes
        guard (0..<limit).contains(index) else {
            reader.error("\(key): found node\(index), expected a node of the machine, node0...node\(limit - 1)", at: node)
            return false
        }
        return true
    }
}
