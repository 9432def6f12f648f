import Atomics

/// Why a page-table update failed: `vmap_pages_range()`'s `-ENOMEM` (no page for a table) or `-EBUSY`
/// (a PTE that should be empty is not: the kernel's `WARN_ON(!pte_none(*pte))`).
enum PageTableError: Error, Equatable {
    case noMemory
    case busy(KernelAddress)
}

/// The kernel half of x86-64's 4-level page table (`init_mm.pgd` = `swapper_pg_dir`) as far as the
/// vmalloc range uses it: PGD → PUD → PMD → PTE, 512 eight-byte entries per level, one 4 KiB page per
/// table. Table pages come from the page allocator and the entries live in those pages' real arena
/// memory, in x86's format: a table or page PFN shifted left by 12, plus flag bits.
///
/// Shaped after arch/x86: `preallocate_vmalloc_pages()` fills the PGD entries of the vmalloc range with
/// PUD pages at boot, so later mappings only ever add PMD and PTE pages; `__pmd_alloc()` and
/// `__pte_alloc_kernel()` allocate a zeroed page outside the lock and install it under
/// `init_mm.page_table_lock` unless another CPU got there first (then the new page is freed). Kernel page
/// tables of the vmalloc range are never freed, so a walker can always follow an entry it has read.
///
/// Synchronisation: entries are read and written with swift-atomics on the arena words. Installing a
/// table is a releasing store after the page was zeroed, and walks load with acquire, so a walker that
/// sees the entry sees the zeroed table. PTEs are written by whoever owns the area being mapped or
/// unmapped (no two CPUs map the same area).
final class KernelPageTable: @unchecked Sendable {
    /// Entries per table (`PTRS_PER_PGD` = `PTRS_PER_PUD` = `PTRS_PER_PMD` = `PTRS_PER_PTE`).
    static let entriesPerTable = 512
    /// `_PAGE_PRESENT`.
    static let present: UInt64 = 0x1
    /// `_KERNPG_TABLE`: present, RW, accessed, dirty.
    static let kernelTable: UInt64 = 0x63
    /// `PAGE_KERNEL`: present, RW, accessed, dirty, global, NX.
    static let pageKernel: UInt64 = 0x8000_0000_0000_0163
    /// `PTE_PFN_MASK` for 4-level paging (52-bit physical addresses).
    static let pfnMask: UInt64 = 0x000f_ffff_ffff_f000
    /// `GFP_PGTABLE_KERNEL`: GFP_KERNEL | __GFP_ZERO.
    static let gfpPageTable: GFPFlags = GFPFlags.kernel.union(.zero)

    let pageAllocator: PageAllocator
    let vmstat: VMStat
    /// `init_mm.page_table_lock`.
    let lock: SpinLock
    /// The PGD page.
    let pgdPFN: PFN

    /// Allocates the PGD and, as `preallocate_vmalloc_pages()` does, one PUD page for every PGD entry
    /// the vmalloc range spans (64 of them for 32 TiB). Throws when the machine has no memory for them.
    init(pageAllocator: PageAllocator, vmstat: VMStat, lockStat: LockStatRegistry, bootContext: ExecutionContext) throws {
        self.pageAllocator = pageAllocator
        self.vmstat = vmstat
        lock = SpinLock(class: lockStat.lockClass(named: "init_mm.page_table_lock"))
        guard let pgd = Self.allocTable(pageAllocator, vmstat: vmstat, gfp: Self.gfpPageTable, context: bootContext) else {
            throw VmallocError(message: "no memory for the kernel page directory")
        }
        pgdPFN = pgd
        var address = VmallocLayout.start
        while address < VmallocLayout.end {
            guard let pud = Self.allocTable(pageAllocator, vmstat: vmstat, gfp: Self.gfpPageTable, context: bootContext) else {
                throw VmallocError(message: "no memory for the vmalloc range's PUD pages (preallocate_vmalloc_pages)")
            }
            entry(table: pgd, index: Self.index(address, level: 3)).store(UInt64(pud) << 12 | Self.kernelTable, ordering: .releasing)
            address += 1 << 39
        }
    }

    /// The table index of `address` at `level` (3 PGD, 2 PUD, 1 PMD, 0 PTE): `pgd_index()` … `pte_index()`.
    @inline(__always)
    static func index(_ address: KernelAddress, level: Int) -> Int {
        Int(truncatingIfNeeded: address >> UInt64(12 + 9 * level)) & (entriesPerTable - 1)
    }

    /// The atomic view of entry `index` of the table in page `table`.
    @inline(__always)
    func entry(table: PFN, index: Int) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: pageAllocator.pageAddress(table)
            .assumingMemoryBound(to: UInt64.AtomicRepresentation.self) + index)
    }

    /// `pagetable_alloc()` + ctor: a zeroed order-0 page marked as a page table and counted in
    /// nr_page_table_pages.
    static func allocTable(_ allocator: PageAllocator, vmstat: VMStat, gfp: GFPFlags, context: ExecutionContext) -> PFN? {
        guard let pfn = allocator.allocPages(order: 0, gfp: gfp.union(.zero), context: context) else { return nil }
        allocator.frame(pfn).pointee.flags |= PageFlags.pageTable.rawValue
        vmstat.count(.nrPageTablePages, 1, context: context)
        return pfn
    }

    /// `pte_free_kernel()` of a table page that lost the race to be installed.
    func freeTable(_ pfn: PFN, context: ExecutionContext) {
        pageAllocator.frame(pfn).pointee.flags &= ~PageFlags.pageTable.rawValue
        vmstat.count(.nrPageTablePages, -1, context: context)
        pageAllocator.freePages(pfn, order: 0, context: context)
    }

    /// The table page that entry `index` of `table` points to, allocating and installing one with `gfp`
    /// if the entry is empty (`__pmd_alloc()` / `__pte_alloc_kernel()`). nil when no page is available.
    func tableBelow(table: PFN, index: Int, gfp: GFPFlags, context: ExecutionContext) -> PFN? {
        let slot = entry(table: table, index: index)
        let current = slot.load(ordering: .acquiring)
        if current & Self.present != 0 { return PFN(truncatingIfNeeded: (current & Self.pfnMask) >> 12) }
        guard let new = Self.allocTable(pageAllocator, vmstat: vmstat, gfp: gfp, context: context) else { return nil }
        lock.lock(cpu: context.cpu)
        let again = slot.load(ordering: .acquiring)
        if again & Self.present == 0 {
            slot.store(UInt64(new) << 12 | Self.kernelTable, ordering: .releasing)
            lock.unlock(cpu: context.cpu)
            return new
        }
        lock.unlock(cpu: context.cpu)
        freeTable(new, context: context)
        return PFN(truncatingIfNeeded: (again & Self.pfnMask) >> 12)
    }

    /// `vmap_pages_range_noflush()` for order-0 pages: maps `pfns[i]` at `start + i * PAGE_SIZE`,
    /// allocating PMD and PTE pages with `gfp` (already narrowed by the caller's memalloc scope).
    func map(start: KernelAddress, pfns: UnsafeBufferPointer<UInt32>, gfp: GFPFlags, context: ExecutionContext) throws(PageTableError) {
        var address = start
        var pteTable: PFN = -1
        for pfn in pfns {
            if pteTable < 0 || Self.index(address, level: 0) == 0 {
                guard let table = pteTableFor(address, gfp: gfp, context: context) else { throw .noMemory }
                pteTable = table
            }
            let pte = entry(table: pteTable, index: Self.index(address, level: 0))
            guard pte.compareExchange(expected: 0, desired: UInt64(pfn) << 12 | Self.pageKernel,
                                      ordering: .releasing).exchanged else {
                throw .busy(address)
            }
            address += VmallocLayout.pageSize
        }
    }

    /// The PTE page covering `address`, allocating the PMD and PTE levels as needed.
    private func pteTableFor(_ address: KernelAddress, gfp: GFPFlags, context: ExecutionContext) -> PFN? {
        let pud = PFN(truncatingIfNeeded: (entry(table: pgdPFN, index: Self.index(address, level: 3))
            .load(ordering: .acquiring) & Self.pfnMask) >> 12)
        guard let pmd = tableBelow(table: pud, index: Self.index(address, level: 2), gfp: gfp, context: context) else { return nil }
        return tableBelow(table: pmd, index: Self.index(address, level: 1), gfp: gfp, context: context)
    }

    /// `vunmap_range_noflush()`: clears the PTEs of `[start, start + pages * PAGE_SIZE)`. No TLB flush:
    /// that is the caller's business (lazily, in `__purge_vmap_area_lazy()`).
    /// The walk happens once per PTE page (512 pages), not once per page.
    func unmap(start: KernelAddress, pages: Int) {
        var address = start
        var table: PFN = -1
        for _ in 0..<pages {
            let index = Self.index(address, level: 0)
            if table < 0 || index == 0 { table = pteTable(address) ?? -1 }
            if table >= 0 { entry(table: table, index: index).store(0, ordering: .releasing) }
            address += VmallocLayout.pageSize
        }
    }

    /// The PTE page covering `address` when its PMD and PTE levels exist.
    @inline(__always)
    private func pteTable(_ address: KernelAddress) -> PFN? {
        let pgdEntry = entry(table: pgdPFN, index: Self.index(address, level: 3)).load(ordering: .acquiring)
        guard pgdEntry & Self.present != 0 else { return nil }
        let pudEntry = entry(table: PFN(truncatingIfNeeded: (pgdEntry & Self.pfnMask) >> 12),
                             index: Self.index(address, level: 2)).load(ordering: .acquiring)
        guard pudEntry & Self.present != 0 else { return nil }
        let pmdEntry = entry(table: PFN(truncatingIfNeeded: (pudEntry & Self.pfnMask) >> 12),
                             index: Self.index(address, level: 1)).load(ordering: .acquiring)
        guard pmdEntry & Self.present != 0 else { return nil }
        return PFN(truncatingIfNeeded: (pmdEntry & Self.pfnMask) >> 12)
    }

    /// The PTE slot of `address` when its PMD and PTE pages exist.
    @inline(__always)
    private func pteEntry(_ address: KernelAddress) -> UnsafeAtomic<UInt64>? {
        pteTable(address).map { entry(table: $0, index: Self.index(address, level: 0)) }
    }

    /// The page-table walk (`vmalloc_to_page()`'s descent, and what the MMU does on a TLB miss): the PFN
    /// mapped at `address`, nil when any level is not present.
    @inline(__always)
    func translate(_ address: KernelAddress) -> PFN? {
        guard let pte = pteEntry(address) else { return nil }
        let value = pte.load(ordering: .acquiring)
        guard value & Self.present != 0 else { return nil }
        return PFN(truncatingIfNeeded: (value & Self.pfnMask) >> 12)
    }
}
