/// Where one simulated node runs on the host.
public struct NodePlacement: Sendable, Equatable, Codable {
    public var simulatedNode: Int
    public var simulatedCPUs: [Int]
    public var hostNode: Int
    public var hostCPUs: [Int]
}

extension MachineSpec {
    /// Maps simulated nodes onto host nodes round-robin, so a simulated node's memory and CPUs sit on one
    /// real node and remote accesses in the simulation are remote on the host where it has several nodes.
    public func placement(on host: HostTopology) -> [NodePlacement] {
        (0..<nodes).map { node in
            let hostNode = host.hostNode(forSimulatedNode: node)
            return NodePlacement(simulatedNode: node, simulatedCPUs: Array(cpus(ofNode: node)),
                                 hostNode: hostNode.id, hostCPUs: hostNode.cpus)
        }
    }
}
