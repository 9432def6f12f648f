import Yams

extension WorkloadDecoder {
    static let memoryUserKeys = ["name", "kind", "cpus", "tasksPerCPU", "fileSize", "size", "dirtyRatio", "bandwidth"]
    /// The largest file or mapping one memory user task works on.
    static let maximumMemoryUserBytes: UInt64 = 1 << 40

    mutating func decodeMemoryUser(_ node: Node, index: Int) -> MemoryUserSpec? {
        guard let mapping = reader.mapping(node, "memory user \(index)", allowed: Self.memoryUserKeys),
              let kindNode = reader.require(mapping, "kind"),
              let kind = reader.choice(kindNode, "kind", MemoryUserSpec.Kind.allCases.map { ($0.rawValue, $0) }) else { return nil }
        var failed = false
        var user = MemoryUserSpec(name: "\(kind.rawValue)\(index)", kind: kind, bytes: 0)
        if let value = mapping["name"] {
            if let name = reader.string(value, "name") { user.name = name } else { failed = true }
        }
        if let value = mapping["cpus"] {
            if let cpus = decodeCPUs(value, "cpus") { user.cpus = cpus } else { failed = true }
        }
        if let value = mapping["tasksPerCPU"] {
            if let tasks = reader.int(value, "tasksPerCPU", in: 1...Self.maximumTasksPerCPU) { user.tasksPerCPU = tasks } else { failed = true }
        }
        let sizeKey = kind == .anonymous ? "size" : "fileSize"
        let otherKey = kind == .anonymous ? "fileSize" : "size"
        if let key = mapping.keyNode(otherKey) {
            reader.error("\(otherKey): a \(kind.rawValue) takes '\(sizeKey)', not '\(otherKey)'", at: key)
            failed = true
        }
        if let value = reader.require(mapping, sizeKey),
           let bytes = reader.bytes(value, sizeKey, in: UInt64(MachineSpec.pageSize)...Self.maximumMemoryUserBytes) {
            user.bytes = bytes
        } else {
            failed = true
        }
        if kind == .pageCacheWriter {
            user.dirtyRatio = MemoryUserSpec.defaultDirtyRatio
            if let value = mapping["dirtyRatio"] {
                let expected = "a share above 0% and at most 100% such as 20% (a writer with no dirty allowance could never write)"
                if let ratio = reader.value(value, "dirtyRatio", expected: expected, { Percentage.parse($0).flatMap { $0 > 0 ? $0 : nil } }) {
                    user.dirtyRatio = ratio
                } else {
                    failed = true
                }
            }
        } else if let key = mapping.keyNode("dirtyRatio") {
            reader.error("dirtyRatio: only a pageCacheWriter has dirty pages", at: key)
            failed = true
        }
        if let value = mapping["bandwidth"] {
            if let bandwidth = reader.value(value, "bandwidth", expected: "a bandwidth above zero such as 64MiB/s", { Rate.parseBandwidth($0).flatMap { $0 > 0 ? $0 : nil } }) {
                user.bandwidth = bandwidth
            } else {
                failed = true
            }
        }
        return failed ? nil : user
    }
}
