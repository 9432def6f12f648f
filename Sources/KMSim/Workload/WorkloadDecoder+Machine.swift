import Yams

extension WorkloadDecoder {
    static let machineKeys = ["nodes", "cpusPerNode", "memoryPerNode", "zones", "minFreeKbytes", "watermarkScaleFactor", "distances"]
        + tunableKeys

    /// `machine:`: reads the fields, then lets `MachineSpec.validate()` judge the whole and places each of
    /// its complaints on the YAML node of the field it names.
    ///
    /// `validate()` stops at the first bad field; to report them all, the bad field is reset to its
    /// default and the spec validated again, until it passes.
    mutating func decodeMachine(_ node: Node) -> MachineSpec? {
        guard let mapping = reader.mapping(node, "the machine", allowed: Self.machineKeys) else { return nil }
        var spec = MachineSpec()
        var fieldNodes: [String: Node] = [:]
        let wideInts = Int(Int32.min)...Int(Int32.max)
        if let value = mapping["nodes"], let nodes = reader.int(value, "nodes", in: wideInts) {
            spec.nodes = nodes
            fieldNodes["nodes"] = value
        }
        if let value = mapping["cpusPerNode"], let cpus = reader.int(value, "cpusPerNode", in: wideInts) {
            spec.cpusPerNode = cpus
            fieldNodes["cpusPerNode"] = value
        }
        if let value = mapping["memoryPerNode"], let bytes = reader.bytes(value, "memoryPerNode", in: 0...UInt64.max) {
            spec.memoryPerNode = bytes
            fieldNodes["memoryPerNode"] = value
        }
        if let value = mapping["zones"] {
            spec.zoneSizes = decodeZones(value, fieldNodes: &fieldNodes)
        }
        if let value = mapping["minFreeKbytes"], let kbytes = reader.int(value, "minFreeKbytes", in: wideInts) {
            spec.minFreeKbytes = kbytes
            fieldNodes["minFreeKbytes"] = value
        }
        if let value = mapping["watermarkScaleFactor"], let factor = reader.int(value, "watermarkScaleFactor", in: wideInts) {
            spec.watermarkScaleFactor = factor
            fieldNodes["watermarkScaleFactor"] = value
        }
        if let value = mapping["distances"] {
            spec.distances = decodeDistances(value, fieldNodes: &fieldNodes)
        }
        decodeTunables(mapping, into: &spec.tunables, fieldNodes: &fieldNodes)
        let countsRead = ["nodes", "cpusPerNode"].allSatisfy { !mapping.has($0) || fieldNodes[$0] != nil }
        return validateMachine(spec, fieldNodes: fieldNodes, machineNode: node, countsRead: countsRead)
    }

    /// Runs `validate()` until it passes, reporting each failure at its field's node.
    private mutating func validateMachine(_ spec: MachineSpec, fieldNodes: [String: Node], machineNode: Node,
                                          countsRead: Bool) -> MachineSpec? {
        var candidate = spec
        var countsValid = countsRead
        var valid = true
        for _ in 0..<16 {
            do throws(MachineSpecError) {
                try candidate.validate()
                break
            } catch {
                valid = false
                let node = Self.node(forField: error.field, in: fieldNodes) ?? machineNode
                reader.error("machine.\(error.field): \(error.message)", at: node)
                if error.field == "nodes" || error.field == "cpusPerNode" { countsValid = false }
                guard Self.resetField(error.field, of: &candidate) else { break }
            }
        }
        machine = countsValid ? spec : nil
        return valid ? spec : nil
    }

    /// The node of a `MachineSpecError.field`: itself, else the nearest enclosing field
    /// (`distances[0][1]` → `distances`).
    private static func node(forField field: String, in fieldNodes: [String: Node]) -> Node? {
        var name = field
        while !name.isEmpty {
            if let node = fieldNodes[name] { return node }
            guard let cut = name.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            name = String(name[..<cut])
        }
        return nil
    }

    /// Puts the field `validate()` rejected back to its default so the next problem can be found;
    /// false when the field is not one this knows (then validation stops).
    private static func resetField(_ field: String, of spec: inout MachineSpec) -> Bool {
        let defaults = MachineSpec()
        switch field {
        case "nodes":
            spec.nodes = defaults.nodes
            spec.distances = nil
            spec.zoneSizes = spec.zoneSizes.filter { $0.key < spec.nodes }
        case "cpusPerNode": spec.cpusPerNode = defaults.cpusPerNode
        case "memoryPerNode":
            spec.memoryPerNode = defaults.memoryPerNode
            spec.zoneSizes = [:]
        case "minFreeKbytes": spec.minFreeKbytes = nil
        case "watermarkScaleFactor": spec.watermarkScaleFactor = defaults.watermarkScaleFactor
        case _ where field.hasPrefix("distances"): spec.distances = nil
        case _ where field.hasPrefix("zones.node"):
            let digits = field.dropFirst("zones.node".count).prefix { $0.isNumber }
            guard let node = Int(digits), spec.zoneSizes[node] != nil else { return false }
            spec.zoneSizes[node] = nil
        default: return resetTunable(field, of: &spec.tunables)
        }
        return true
    }

    /// `zones: {node0: {DMA: 16MiB, DMA32: 1GiB}}`: explicit zone sizes per node.
    private mutating func decodeZones(_ node: Node, fieldNodes: inout [String: Node]) -> [Int: [ZoneType: UInt64]] {
        guard case .mapping(let mapping) = node else {
            reader.error("zones: found \(WorkloadReader.describe(node)), expected a mapping such as {node0: {DMA: 16MiB, DMA32: 1GiB}}", at: node)
            return [:]
        }
        var result: [Int: [ZoneType: UInt64]] = [:]
        let zoneNames = ZoneType.allCases.map(\.kernelName)
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key, keyScalar.string.hasPrefix("node"),
                  let index = Int(keyScalar.string.dropFirst(4)), index >= 0 else {
                reader.error("zones: found \(WorkloadReader.describe(key)) as a key, expected a node such as node0", at: key)
                continue
            }
            fieldNodes["zones.node\(index)"] = key
            guard let zones = reader.mapping(value, "zones.node\(index)", allowed: zoneNames) else { continue }
            var sizes: [ZoneType: UInt64] = [:]
            for entry in zones.entries {
                guard let type = ZoneType.allCases.first(where: { $0.kernelName == entry.name }),
                      let bytes = reader.bytes(entry.value, "zones.node\(index).\(entry.name)", in: 0...UInt64.max) else { continue }
                sizes[type] = bytes
                fieldNodes["zones.node\(index).\(entry.name)"] = entry.value
            }
            result[index] = sizes
        }
        return result
    }

    /// `distances: [[10, 21], [21, 10]]`: the SLIT matrix.
    private mutating func decodeDistances(_ node: Node, fieldNodes: inout [String: Node]) -> [[Int]]? {
        guard let rows = reader.sequence(node, "distances", expected: "rows such as [10, 21]") else { return nil }
        fieldNodes["distances"] = node
        var matrix: [[Int]] = []
        for (a, rowNode) in rows.enumerated() {
            guard let cells = reader.sequence(rowNode, "distances[\(a)]", expected: "distances such as [10, 21]") else { return nil }
            var row: [Int] = []
            for (b, cell) in cells.enumerated() {
                guard let distance = reader.int(cell, "distances[\(a)][\(b)]", in: 0...255) else { return nil }
                fieldNodes["distances[\(a)][\(b)]"] = cell
                row.append(distance)
            }
            fieldNodes["distances[\(a)]"] = rowNode
            matrix.append(row)
        }
        return matrix
    }
}
