import CNuma
import Glibc

/// The host machine's NUMA layout as libnuma reports it: the real nodes kmsim's simulated nodes are
/// pinned to.
///
/// Mirrors what `numactl --hardware` prints: nodes, the CPUs of each node, memory per node (total and
/// free) and the SLIT distance matrix. Where libnuma says NUMA is unavailable (`numa_available() < 0`,
/// e.g. a kernel built without CONFIG_NUMA or a container that hides it), the host is treated as one
/// node holding every online CPU and `numaAvailable` is false so callers can say so.
public struct HostTopology: Sendable, Codable, Equatable {
    /// One host NUMA node.
    public struct Node: Sendable, Codable, Equatable {
        public var id: Int
        public var cpus: [Int]
        public var memoryTotalBytes: Int64
        public var memoryFreeBytes: Int64
    }

    public var numaAvailable: Bool
    public var nodes: [Node]
    /// `distances[i][j]` is `numa_distance(nodes[i].id, nodes[j].id)`: 10 local, larger remote.
    public var distances: [[Int]]

    /// Reads the host topology through libnuma.
    public static func current() -> HostTopology {
        guard numa_available() >= 0 else { return singleNodeFallback() }
        var nodes: [Node] = []
        guard let cpuMask = numa_allocate_cpumask() else { return singleNodeFallback() }
        defer { numa_bitmask_free(cpuMask) }
        for id in 0...max(0, Int(numa_max_node())) {
            var free: Int64 = 0
            let total = numa_node_size64(Int32(id), &free)
            guard total >= 0 else { continue }
            numa_bitmask_clearall(cpuMask)
            guard numa_node_to_cpus(Int32(id), cpuMask) == 0 else { continue }
            nodes.append(Node(id: id, cpus: HostCPUSet(bitmask: cpuMask).cpus, memoryTotalBytes: total, memoryFreeBytes: free))
        }
        guard !nodes.isEmpty else { return singleNodeFallback() }
        let distances = nodes.map { a in nodes.map { b in Int(numa_distance(Int32(a.id), Int32(b.id))) } }
        return HostTopology(numaAvailable: true, nodes: nodes, distances: distances)
    }

    /// One node with every CPU this process may run on, used when libnuma reports no NUMA support.
    static func singleNodeFallback() -> HostTopology {
        let cpuCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let pages = Int64(sysconf(Int32(_SC_PHYS_PAGES)))
        let available = Int64(sysconf(Int32(_SC_AVPHYS_PAGES)))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        let node = Node(id: 0, cpus: Array(0..<cpuCount), memoryTotalBytes: pages * pageSize,
                        memoryFreeBytes: available * pageSize)
        return HostTopology(numaAvailable: false, nodes: [node], distances: [[10]])
    }

    /// The host node a simulated node runs on: simulated nodes go round-robin over the host's nodes.
    public func hostNode(forSimulatedNode simulatedNode: Int) -> Node {
        nodes[simulatedNode % nodes.count]
    }
}
