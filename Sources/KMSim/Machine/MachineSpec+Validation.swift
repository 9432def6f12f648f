/// An invalid machine description, naming the field that is wrong.
public struct MachineSpecError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public var description: String { "\(field): \(message)" }
}

extension MachineSpec {
    /// The smallest node kmsim boots: one pageblock (order 9, 2 MiB) so every free list can hold a block.
    public static let minimumNodeBytes: UInt64 = 2 << 20

    /// Checks the spec; throws for the first field that cannot describe a machine.
    public func validate() throws(MachineSpecError) {
        guard nodes >= 1 else { throw MachineSpecError(field: "nodes", message: "must be at least 1, got \(nodes)") }
        guard nodes <= Self.maxNodes else {
            throw MachineSpecError(field: "nodes", message: "at most \(Self.maxNodes) nodes (MAX_NUMNODES), got \(nodes)")
        }
        guard cpusPerNode >= 1 else {
            throw MachineSpecError(field: "cpusPerNode", message: "a node needs at least 1 CPU, got \(cpusPerNode)")
        }
        guard cpuCount <= Self.maxCPUs else {
            throw MachineSpecError(field: "cpusPerNode", message: "at most \(Self.maxCPUs) CPUs in all, got \(nodes) × \(cpusPerNode)")
        }
        guard memoryPerNode > 0 else { throw MachineSpecError(field: "memoryPerNode", message: "must be more than 0 bytes") }
        guard memoryPerNode >= Self.minimumNodeBytes else {
            throw MachineSpecError(field: "memoryPerNode", message: "at least \(ByteSize.format(Self.minimumNodeBytes)) per node, got \(ByteSize.format(memoryPerNode))")
        }
        guard memoryPerNode % UInt64(Self.pageSize) == 0 else {
            throw MachineSpecError(field: "memoryPerNode", message: "must be a multiple of the 4096-byte page size, got \(memoryPerNode)")
        }
        guard memoryPerNode <= 1 << 40 else {
            throw MachineSpecError(field: "memoryPerNode", message: "at most 1TiB per node, got \(ByteSize.format(memoryPerNode))")
        }
        try validateZones()
        if let minFreeKbytes, minFreeKbytes < 0 {
            throw MachineSpecError(field: "minFreeKbytes", message: "must not be negative, got \(minFreeKbytes)")
        }
        guard (1...3000).contains(watermarkScaleFactor) else {
            throw MachineSpecError(field: "watermarkScaleFactor", message: "must be within 1...3000 (as the sysctl), got \(watermarkScaleFactor)")
        }
        try validateDistances()
        try tunables.validate()
    }

    private func validateZones() throws(MachineSpecError) {
        for (node, sizes) in zoneSizes.sorted(by: { $0.key < $1.key }) {
            let field = "zones.node\(node)"
            guard (0..<nodes).contains(node) else {
                throw MachineSpecError(field: field, message: "no such node; the machine has nodes 0...\(nodes - 1)")
            }
            for (type, bytes) in sizes.sorted(by: { $0.key < $1.key }) where bytes % UInt64(Self.pageSize) != 0 {
                throw MachineSpecError(field: "\(field).\(type.kernelName)", message: "must be a multiple of 4096 bytes, got \(bytes)")
            }
            let total = sizes.values.reduce(UInt64(0)) { $0 &+ $1 }
            guard total <= memoryPerNode else {
                throw MachineSpecError(field: field, message: "zones add up to \(ByteSize.format(total)), larger than the node's \(ByteSize.format(memoryPerNode))")
            }
            if let dma = sizes[.dma], dma > Self.dmaLimitBytes {
                throw MachineSpecError(field: "\(field).DMA", message: "ZONE_DMA ends at 16MiB on x86-64, got \(ByteSize.format(dma))")
            }
        }
    }

    private func validateDistances() throws(MachineSpecError) {
        guard let distances else { return }
        guard distances.count == nodes, distances.allSatisfy({ $0.count == nodes }) else {
            throw MachineSpecError(field: "distances", message: "must be a \(nodes)×\(nodes) matrix")
        }
        for a in 0..<nodes {
            guard distances[a][a] == 10 else {
                throw MachineSpecError(field: "distances[\(a)][\(a)]", message: "a node's distance to itself is 10, got \(distances[a][a])")
            }
            for b in 0..<nodes where a != b && !(11...254).contains(distances[a][b]) {
                throw MachineSpecError(field: "distances[\(a)][\(b)]", message: "remote distances lie within 11...254, got \(distances[a][b])")
            }
        }
    }
}
