import Foundation

extension ProcFS {
    /// /sys/kernel/debug/extfrag/extfrag_index (`extfrag_show_print()`, mm/vmstat.c): per populated zone,
    /// the fragmentation index of each order as `%2d.%03d` (-1.000 when a block of the order is free).
    public static func extfragIndex(_ machine: Machine) -> String {
        contigIndexTable(machine) { order, info in
            let index = Compaction.fragmentationIndex(order: order, info: info)
            return padLeft(String(index / 1000), 2) + "." + zeroPadded(index % 1000)
        }
    }

    /// /sys/kernel/debug/extfrag/unusable_index (`unusable_show_print()`): per populated zone, the share of
    /// free memory in blocks too small for each order, as `%d.%03d`.
    public static func unusableIndex(_ machine: Machine) -> String {
        contigIndexTable(machine) { order, info in
            let index = Compaction.unusableFreeIndex(order: order, info: info)
            return String(index / 1000) + "." + zeroPadded(index % 1000)
        }
    }

    /// `Node %d, zone %8s ` and one formatted value and a space per order, per populated zone.
    static func contigIndexTable(_ machine: Machine, _ format: (Int, Compaction.ContigPageInfo) -> String) -> String {
        var text = ""
        for node in 0..<machine.spec.nodes {
            for zone in populatedZones(machine, node: node) {
                text += "Node \(node), zone \(padLeft(zone.type.kernelName, 8)) "
                let nrFree = (0...PageAllocator.maxOrder).map { zone.nrFree[$0] }
                for order in 0...PageAllocator.maxOrder {
                    text += format(order, Compaction.contigPageInfo(nrFree: nrFree, suitableOrder: order)) + " "
                }
                text += "\n"
            }
        }
        return text
    }

    /// `%03d` of 0...999.
    static func zeroPadded(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Writes the two extfrag files under `directory/sys/kernel/debug/extfrag/`.
    static func writeExtfrag(to directory: URL, machine: Machine) throws {
        let extfrag = directory.appendingPathComponent("sys/kernel/debug/extfrag")
        try FileManager.default.createDirectory(at: extfrag, withIntermediateDirectories: true)
        try Data(extfragIndex(machine).utf8).write(to: extfrag.appendingPathComponent("extfrag_index"))
        try Data(unusableIndex(machine).utf8).write(to: extfrag.appendingPathComponent("unusable_index"))
    }
}
