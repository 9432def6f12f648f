import Foundation

extension ProcFS {
    /// /proc/vmallocinfo (`vmalloc_info_show()`, mm/vmalloc.c 6.12): one line per busy area in address
    /// order, `0x<start>-0x<end> <size> <caller> pages=<n> [phys=<addr>] <kinds> N<node>=<pages>...`, then
    /// one "unpurged vm_area" line per area waiting for the lazy purge (`show_purge_info()`).
    ///
    /// Addresses are printed in full, as root sees them (`%pK` with kptr_restrict=0 and no hashing).
    /// `<size>` includes the guard page, as `vm->size` does. The caller is the name given at allocation
    /// (the kernel's `%pS` adds `+offset/size`, which a simulation has no use for). `phys=` appears only
    /// for ioremap areas, which kmsim does not create; vmalloc'd areas never print it.
    public static func vmallocinfo(_ vmalloc: Vmalloc) -> String {
        var text = ""
        let nodes = vmalloc.pageAllocator.spec.nodes
        var counters = [Int](repeating: 0, count: nodes)
        vmalloc.busyLock.withLock(cpu: 0) {
            vmalloc.busyTree.forEach { _, node in
                let area = node.payload
                text += String(format: "0x%016llx-0x%016llx %7llu", node.start, node.end, node.size)
                text += " \(area.caller)"
                if area.nrPages > 0 { text += " pages=\(area.nrPages)" }
                if area.flags.contains(.ioremap) { text += " ioremap" }
                if area.flags.contains(.alloc) { text += " vmalloc" }
                if area.flags.contains(.map) { text += " vmap" }
                if area.flags.contains(.userMap) { text += " user" }
                if let pages = area.pages, !area.flags.contains(.uninitialized) {
                    for index in counters.indices { counters[index] = 0 }
                    for index in 0..<Int(area.nrPages) {
                        counters[vmalloc.pageAllocator.node(of: PFN(pages[index]))] += 1
                    }
                    for (node, count) in counters.enumerated() where count > 0 { text += " N\(node)=\(count)" }
                }
                text += "\n"
            }
        }
        let lazy = vmalloc.lazyLock.withLock(cpu: 0) { vmalloc.lazyAreas }
        for area in lazy.sorted(by: { $0.start < $1.start }) {
            text += String(format: "0x%016llx-0x%016llx %7llu unpurged vm_area\n", area.start, area.end, area.end - area.start)
        }
        return text
    }

    /// The vmalloc lines of /proc/meminfo (`meminfo_proc_show()`): VmallocTotal (the range, in kB),
    /// VmallocUsed (`vmalloc_nr_pages()` in kB) and VmallocChunk (always 0 since 4.0).
    public static func meminfoVmallocLines(_ vmalloc: Vmalloc) -> String {
        "VmallocTotal:   " + padLeft(String(VmallocLayout.total >> 10), 8) + " kB\n"
            + "VmallocUsed:    " + padLeft(String(vmalloc.nrVmallocPages << 2), 8) + " kB\n"
            + "VmallocChunk:   " + padLeft("0", 8) + " kB\n"
    }
}
