import Foundation

extension Vmalloc {
    /// Boots vmalloc on `machine` (its page allocator, vmstat, lock_stat and bug log), with `cpus` for the
    /// TLB-flush IPIs when the machine's CPUs are running.
    public convenience init(machine: Machine, cpus: SimulatedCPUs? = nil, sleepDebug: AtomicSleepDebug? = nil) throws {
        try self.init(pageAllocator: machine.pageAllocator, vmstat: machine.vmstat, bugReports: machine.bugReports,
                      lockStat: machine.lockStat, cpus: cpus, sleepDebug: sleepDebug)
    }

    /// The subsystem's invariants; empty when all hold. Call while no vmalloc/vfree is running (deferred
    /// work included: see `waitForDeferredWork`).
    /// - both trees are well formed (balance, `subtree_max_size`, sorted disjoint lists);
    /// - busy, lazily freed and free ranges are pairwise disjoint and together cover the vmalloc range
    ///   exactly: no address space is lost or handed out twice;
    /// - `vmap_lazy_nr` equals the pages of the lazy areas;
    /// - `nr_vmalloc_pages` equals the pages held by VM_ALLOC areas, and each such page is mapped at its
    ///   place in the page table.
    public func checkInvariants() -> [String] {
        var problems: [String] = []
        var ranges: [(start: UInt64, end: UInt64, kind: String)] = []
        var heldPages = 0
        freeLock.withLock(cpu: 0) {
            problems += freeTree.validate().map { "free tree: \($0)" }
            freeTree.forEach { _, node in ranges.append((node.start, node.end, "free")) }
        }
        busyLock.withLock(cpu: 0) {
            problems += busyTree.validate().map { "busy tree: \($0)" }
            busyTree.forEach { _, node in
                ranges.append((node.start, node.end, "busy"))
                let area = node.payload
                guard area.flags.contains(.alloc), let pages = area.pages else { return }
                heldPages += Int(area.nrPages)
                for index in 0..<Int(area.nrPages) {
                    let address = node.start + UInt64(index) << UInt64(VmallocLayout.pageShift)
                    if pageTable.translate(address) != PFN(pages[index]) {
                        problems.append(String(format: "page %d of the area at 0x%llx is not mapped to its PFN", index, node.start))
                        break
                    }
                }
            }
        }
        let lazy = lazyLock.withLock(cpu: 0) { lazyAreas }
        var pagesOnLazyList = 0
        for area in lazy {
            ranges.append((area.start, area.end, "lazy"))
            pagesOnLazyList += Int((area.end - area.start) >> UInt64(VmallocLayout.pageShift))
        }
        ranges.sort { $0.start < $1.start }
        var cursor = VmallocLayout.start
        for range in ranges {
            if range.start < cursor {
                problems.append(String(format: "%@ range 0x%llx-0x%llx overlaps the range before it", range.kind, range.start, range.end))
            } else if range.start > cursor {
                problems.append(String(format: "address space 0x%llx-0x%llx is in no tree (lost)", cursor, range.start))
            }
            cursor = max(cursor, range.end)
        }
        if cursor != VmallocLayout.end {
            problems.append(String(format: "the trees end at 0x%llx, the vmalloc range at 0x%llx", cursor, VmallocLayout.end))
        }
        if pagesOnLazyList != lazyPages {
            problems.append("vmap_lazy_nr is \(lazyPages), the lazy areas hold \(pagesOnLazyList) pages")
        }
        if heldPages != nrVmallocPages {
            problems.append("nr_vmalloc_pages is \(nrVmallocPages), VM_ALLOC areas hold \(heldPages) pages")
        }
        return problems
    }
}
