import Yams

/// `clock: real | virtual` and the `costs:` section, which overrides entries of the virtual clock's cost
/// table by name (`pcpHit: 60`, nanoseconds).
extension WorkloadDecoder {
    mutating func decodeClock(_ node: Node) -> RunClock? {
        reader.choice(node, "clock", RunClock.allCases.map { ($0.rawValue, $0) })
    }

    mutating func decodeCosts(_ node: Node) -> CostTable? {
        let keys = VirtualCost.allCases.map(\.key)
        guard let mapping = reader.mapping(node, "costs", allowed: keys) else { return nil }
        var table = CostTable.defaults
        for entry in mapping.entries {
            guard let cost = CostTable.cost(named: entry.name),
                  let value = reader.int(entry.value, "costs.\(entry.name)", in: 0...Int(CostTable.maximumNanoseconds))
            else { continue }
            table[cost] = Int64(value)
        }
        return table
    }
}
