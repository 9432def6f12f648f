extension ProcFS {
    /// /proc/pagetypeinfo (`pagetypeinfo_show()`): per node the pageblock size, the free blocks per
    /// migratetype and order (`pagetypeinfo_showfree_print`), and the pageblocks of each migratetype
    /// (`pagetypeinfo_showblockcount_print`). Columns cover all six types of a CMA + isolation kernel.
    public static func pagetypeinfo(_ machine: Machine) -> String {
        var text = ""
        let types = MigrateType.allCases
        for node in 0..<machine.spec.nodes {
            let zones = populatedZones(machine, node: node)
            guard !zones.isEmpty else { continue }
            text += "Page block order: \(PageAllocator.pageblockOrder)\n"
            text += "Pages per block:  \(PageAllocator.pageblockPages)\n\n"
            text += padRight("Free pages count per migrate type at order", 43) + " "
            for order in 0...PageAllocator.maxOrder { text += padLeft(String(order), 6) + " " }
            text += "\n"
            for zone in zones {
                for type in types {
                    text += "Node \(padLeft(String(node), 4)), zone \(padLeft(zone.type.kernelName, 8)), type \(padLeft(type.kernelName, 12)) "
                    for order in 0...PageAllocator.maxOrder {
                        let count = type.rawValue < Zone.freeListTypes
                            ? zone.freeListCounts[order * Zone.freeListTypes + type.rawValue] : 0
                        text += (count >= 100_000 ? ">" + padLeft("100000", 6) : padLeft(String(count), 6)) + " "
                    }
                    text += "\n"
                }
            }
            text += "\n" + padRight("Number of blocks type ", 23)
            for type in types { text += padLeft(type.kernelName, 12) + " " }
            text += "\n"
            for zone in zones {
                var counts = Array(repeating: 0, count: types.count)
                var pfn = zone.startPFN
                while pfn < zone.endPFN {
                    counts[zone.memory.pageblockMigratetype(pfn).rawValue] += 1
                    pfn += PageAllocator.pageblockPages
                }
                text += "Node \(node), zone \(padLeft(zone.type.kernelName, 8)) "
                for count in counts { text += padLeft(String(count), 12) + " " }
                text += "\n"
            }
        }
        return text
    }
}
