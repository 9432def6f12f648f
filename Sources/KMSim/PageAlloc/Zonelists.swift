/// Every node's zonelists (`pgdat->node_zonelists[]`, built by `build_zonelists()`): ZONELIST_FALLBACK,
/// the node's own zones then every other node's by distance, and ZONELIST_NOFALLBACK (the node's own
/// zones only) for `__GFP_THISNODE`.
///
/// Within a node the zones go from the highest down (Movable, HighMem, Normal, DMA32, DMA); an
/// allocation walks the list skipping zones above its `gfp_zone()` (`for_next_zone_zonelist_nodemask`),
/// so one list serves every zone modifier. Only populated zones are listed. Immutable after `init`.
struct Zonelists: Sendable {
    /// Zone ids (`Zone.id`) per node, fallback order.
    let fallback: [[Int]]
    /// Zone ids per node, this node only.
    let thisNode: [[Int]]
    /// The node order each fallback list was built from.
    let nodeOrder: [[Int]]

    init(spec: MachineSpec, zones: [Zone]) {
        let order = Self.buildNodeOrders(spec: spec)
        func zoneIDs(ofNode node: Int) -> [Int] {
            ZoneType.allCases.reversed().map { node * PageAllocator.zonesPerNode + $0.rawValue }
                .filter { zones[$0].isPopulated }
        }
        nodeOrder = order
        fallback = order.map { $0.flatMap(zoneIDs(ofNode:)) }
        thisNode = (0..<spec.nodes).map(zoneIDs(ofNode:))
    }

    /// `build_zonelists()` for every node in turn: `find_next_best_node()` picks the local node, then
    /// the nearest unused node (distance, a penalty of 1 for nodes numbered below the local node, then
    /// `node_load` so nodes at equal distance take turns being first), sharing `node_load` across the
    /// builds as the kernel's static array is.
    static func buildNodeOrders(spec: MachineSpec) -> [[Int]] {
        var nodeLoad = Array(repeating: 0, count: spec.nodes)
        return (0..<spec.nodes).map { local in
            var used = Array(repeating: false, count: spec.nodes)
            var order: [Int] = []
            var previous = local
            while let next = findNextBestNode(local, used: &used, nodeLoad: nodeLoad, spec: spec) {
                if spec.distance(from: local, to: next) != spec.distance(from: local, to: previous) {
                    nodeLoad[next] += 1
                }
                order.append(next)
                previous = next
            }
            return order
        }
    }

    static func findNextBestNode(_ node: Int, used: inout [Bool], nodeLoad: [Int], spec: MachineSpec) -> Int? {
        if !used[node] {
            used[node] = true
            return node
        }
        var best: Int?
        var minValue = Int.max
        for candidate in 0..<spec.nodes where !used[candidate] {
            var value = spec.distance(from: node, to: candidate)
            value += candidate < node ? 1 : 0
            value *= MachineSpec.maxNodes
            value += nodeLoad[candidate]
            if value < minValue {
                minValue = value
                best = candidate
            }
        }
        if let best { used[best] = true }
        return best
    }

    /// The zonelist an allocation on `node` walks (`node_zonelist(nid, gfp)`).
    @inline(__always)
    func list(node: Int, thisNodeOnly: Bool) -> [Int] {
        thisNodeOnly ? thisNode[node] : fallback[node]
    }
}
