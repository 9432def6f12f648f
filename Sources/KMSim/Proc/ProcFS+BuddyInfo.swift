extension ProcFS {
    /// /proc/buddyinfo (`frag_show_print()`): per populated zone, the free blocks of each order.
    public static func buddyinfo(_ machine: Machine) -> String {
        var text = ""
        for node in 0..<machine.spec.nodes {
            for zone in populatedZones(machine, node: node) {
                text += "Node \(node), zone \(padLeft(zone.type.kernelName, 8)) "
                for order in 0...PageAllocator.maxOrder {
                    text += padLeft(String(zone.nrFree[order]), 6) + " "
                }
                text += "\n"
            }
        }
        return text
    }
}
