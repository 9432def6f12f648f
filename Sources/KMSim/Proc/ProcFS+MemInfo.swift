extension ProcFS {
    /// /proc/meminfo (`meminfo_proc_show()`, fs/proc/meminfo.c, 6.12): `show_val_kb()` lines, the label
    /// padded to 16 columns and the value `%8lu kB`, in the kernel's order, for a configuration without
    /// HIGHMEM, ZSWAP, MEMORY_FAILURE, CMA, UNACCEPTED_MEMORY and hugetlbfs (those lines are absent).
    ///
    /// Page cache and anonymous memory come from the reclaim subsystem's LRU lists (Cached, AnonPages and
    /// the Active/Inactive lines), swap from its swap device, Dirty from `NR_FILE_DIRTY`, Writeback from
    /// the pages reclaim and throttled writers have under write. What kmsim does not model (buffers, the
    /// swap cache, mlock, shmem, kernel stacks, per-CPU areas) reads 0. MemAvailable follows `si_mem_available()`: free pages minus the reserve
    /// (`totalreserve_pages`: each zone's high watermark plus its largest lowmem reserve), plus
    /// reclaimable slab minus the part kept back (min(half, the low watermarks)).
    public static func meminfo(_ machine: Machine) -> String {
        let zones = machine.pageAllocator.populatedZones
        let total = zones.reduce(0) { $0 + $1.managedPages }
        let free = zones.reduce(0) { $0 + $1.freePages }
        let reserve = machine.pageAllocator.totalReservePages
        let lowWatermarks = zones.reduce(0) { $0 + $1.watermarkLow }
        let reclaimable = machine.vmstat.value(.nrSlabReclaimable)
        let unreclaimable = machine.vmstat.value(.nrSlabUnreclaimable)
        let reclaim = machine.reclaim
        func lru(_ list: LRUList) -> Int { reclaim.lruvecs.reduce(0) { $0 + $1.size(list) } }
        let (activeAnon, inactiveAnon) = (lru(.activeAnon), lru(.inactiveAnon))
        let (activeFile, inactiveFile) = (lru(.activeFile), lru(.inactiveFile))
        let fileLRU = activeFile + inactiveFile
        // si_mem_available(): plus the file LRU minus the part kept back (min(half, the low watermarks)).
        let available = max(0, free - reserve + fileLRU - min(fileLRU / 2, lowWatermarks)
                               + reclaimable - min(reclaimable / 2, lowWatermarks))
        let rows: [(String, Int)] = [
            ("MemTotal", total), ("MemFree", free), ("MemAvailable", available), ("Buffers", 0), ("Cached", fileLRU),
            ("SwapCached", 0), ("Active", activeAnon + activeFile), ("Inactive", inactiveAnon + inactiveFile),
            ("Active(anon)", activeAnon), ("Inactive(anon)", inactiveAnon),
            ("Active(file)", activeFile), ("Inactive(file)", inactiveFile), ("Unevictable", 0), ("Mlocked", 0),
            ("SwapTotal", reclaim.swap.totalPages), ("SwapFree", reclaim.swap.freePages), ("Dirty", reclaim.dirtyPages),
            ("Writeback", reclaim.writebackPages), ("AnonPages", activeAnon + inactiveAnon), ("Mapped", 0), ("Shmem", 0),
            ("KReclaimable", reclaimable), ("Slab", reclaimable + unreclaimable), ("SReclaimable", reclaimable),
            ("SUnreclaim", unreclaimable),
        ]
        var text = rows.map { showValKB($0.0, pages: $0.1) }.joined()
        text += showKB("KernelStack", 0)
        text += [("PageTables", machine.vmstat.value(.nrPageTablePages)), ("SecPageTables", 0), ("NFS_Unstable", 0),
                 ("Bounce", 0), ("WritebackTmp", 0), ("CommitLimit", total / 2 + machine.reclaim.swap.totalPages), ("Committed_AS", 0)]
            .map { showValKB($0.0, pages: $0.1) }.joined()
        text += meminfoVmallocLines(machine.vmalloc)
        text += showValKB("Percpu", pages: 0)
        text += [("AnonHugePages", 0), ("ShmemHugePages", 0), ("ShmemPmdMapped", 0), ("FileHugePages", 0),
                 ("FilePmdMapped", 0)].map { showValKB($0.0, pages: $0.1) }.joined()
        return text
    }

    /// `show_val_kb(m, "Name:           ", pages)`: pages shown in kB.
    static func showValKB(_ name: String, pages: Int) -> String {
        showKB(name, UInt64(max(pages, 0)) << 2)
    }

    /// `seq_put_decimal_ull_width(m, label, kb, 8)` then " kB\n": the label with its colon padded to 16
    /// columns, the value right-aligned in 8.
    static func showKB(_ name: String, _ kilobytes: UInt64) -> String {
        padRight(name + ":", 16) + padLeft(String(kilobytes), 8) + " kB\n"
    }
}
