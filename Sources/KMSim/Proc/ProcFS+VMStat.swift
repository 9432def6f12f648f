extension ProcFS {
    /// /proc/vmstat (`vmstat_show()`): `name value` per item, in `vmstat_text[]` order. Zone items and
    /// NUMA events are the sums over every zone, the rest the per-CPU counters summed.
    public static func vmstat(_ machine: Machine) -> String {
        let zones = machine.pageAllocator.zones
        var text = ""
        for item in VMStatItem.allCases {
            let value: Int
            switch item {
            case .nrFreePages: value = zones.reduce(0) { $0 + $1.freePages }
            case .numaHit: value = numaSum(zones, .numaHit)
            case .numaMiss: value = numaSum(zones, .numaMiss)
            case .numaForeign: value = numaSum(zones, .numaForeign)
            case .numaInterleave: value = numaSum(zones, .numaInterleaveHit)
            case .numaLocal: value = numaSum(zones, .numaLocal)
            case .numaOther: value = numaSum(zones, .numaOther)
            default: value = machine.vmstat.value(item)
            }
            text += "\(item.kernelName) \(value)\n"
        }
        return text
    }

    static func numaSum(_ zones: [Zone], _ item: NUMAStatItem) -> Int {
        zones.reduce(0) { $0 + Int($1.numaEvents.sum(item.rawValue)) }
    }

    /// /sys/devices/system/node/nodeN/numastat (`node_read_numastat()`): the node's zones' NUMA events.
    public static func numastat(_ machine: Machine, node: Int) -> String {
        let zones = ZoneType.allCases.map { machine.pageAllocator.zone(node: node, type: $0) }
        return NUMAStatItem.allCases.map { "\($0.numastatName) \(numaSum(zones, $0))\n" }.joined()
    }
}
