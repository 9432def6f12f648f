import Atomics

/// Every simulated CPU's translation lookaside buffer for kernel vmalloc addresses: a direct-mapped cache
/// of virtual page → PFN with `entriesPerCPU` entries per CPU, filled by page-table walks on a miss and
/// emptied by flushes (`flush_tlb_kernel_range()`'s per-CPU handlers).
///
/// The hardware analogue is the data TLB's global kernel entries; it exists so that vmalloc'd memory pays
/// what it pays on real machines (a translation per page, misses that walk four levels) and so that the
/// lazy purge's TLB shootdown has something real to do. Direct-mapped because it keeps an entry to one
/// word: bit 0 valid, bits 1...24 the tag (virtual page bits above the index), bits 32...63 the PFN.
///
/// Synchronisation: a CPU's entries are read and filled by its process side (and its interrupt side,
/// when a handler touches vmalloc memory) and invalidated by flush handlers, possibly on other host
/// threads, so every entry is a relaxed atomic word. A fill that raced with a flush must not survive
/// it: each CPU has a flush generation, bumped (sequentially consistent) before a flush clears entries;
/// a fill reads the generation before its walk and after storing the entry, and withdraws the entry if a
/// flush started in between. A flush therefore leaves no translation cached that was read before it.
public final class SoftwareTLB: @unchecked Sendable {
    /// Entries per CPU (a power of two).
    public static let entriesPerCPU = 512
    static let indexBits = 9
    static let tagBits = 24
    /// Bytes per CPU row including the generation word, rounded to 128 so CPUs never share lines.
    static let rowStride = (entriesPerCPU + 16) * 8

    public let cpuCount: Int
    let base: UnsafeMutableRawPointer

    init(cpuCount: Int) {
        self.cpuCount = cpuCount
        base = UnsafeMutableRawPointer.allocate(byteCount: cpuCount * Self.rowStride, alignment: 128)
        base.initializeMemory(as: UInt64.AtomicRepresentation.self, repeating: .init(0),
                              count: cpuCount * Self.rowStride / 8)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func slot(cpu: Int, index: Int) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: (base + cpu * Self.rowStride).assumingMemoryBound(to: UInt64.AtomicRepresentation.self) + index)
    }

    /// The flush generation word, after the entries of the row.
    @inline(__always)
    private func generation(cpu: Int) -> UnsafeAtomic<UInt64> {
        slot(cpu: cpu, index: Self.entriesPerCPU)
    }

    /// The virtual page number within the vmalloc range.
    @inline(__always)
    static func pageNumber(_ address: KernelAddress) -> UInt64 {
        (address &- VmallocLayout.start) >> UInt64(VmallocLayout.pageShift)
    }

    @inline(__always)
    static func entry(pageNumber: UInt64, pfn: PFN) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: pfn)) << 32 | (pageNumber >> UInt64(indexBits)) << 1 | 1
    }

    /// The cached PFN for `address` on `cpu`, nil on a miss.
    @inline(__always)
    func lookup(_ address: KernelAddress, cpu: Int) -> PFN? {
        let page = Self.pageNumber(address)
        let value = slot(cpu: cpu, index: Int(truncatingIfNeeded: page) & (Self.entriesPerCPU - 1)).load(ordering: .relaxed)
        let wanted = (page >> UInt64(Self.indexBits)) << 1 | 1
        guard value & 0xffff_ffff == wanted else { return nil }
        return PFN(value >> 32)
    }

    /// The flush generation to pass to `fill` (read before the page-table walk).
    @inline(__always)
    func fillGeneration(cpu: Int) -> UInt64 { generation(cpu: cpu).load(ordering: .sequentiallyConsistent) }

    /// Caches `address → pfn` on `cpu` after a walk that began at flush generation `generation`.
    @inline(__always)
    func fill(_ address: KernelAddress, pfn: PFN, cpu: Int, generation before: UInt64) {
        let page = Self.pageNumber(address)
        let cell = slot(cpu: cpu, index: Int(truncatingIfNeeded: page) & (Self.entriesPerCPU - 1))
        let value = Self.entry(pageNumber: page, pfn: pfn)
        cell.store(value, ordering: .sequentiallyConsistent)
        if generation(cpu: cpu).load(ordering: .sequentiallyConsistent) != before {
            _ = cell.compareExchange(expected: value, desired: 0, ordering: .relaxed)
        }
    }

    /// `flush_tlb_one_kernel()` over a range, or everything when the range is larger than
    /// `tlb_single_page_flush_ceiling` pages (x86's `do_kernel_range_flush()` / `do_flush_tlb_all()`).
    /// Runs on (or for) `cpu`.
    func flush(cpu: Int, start: KernelAddress, end: KernelAddress) {
        generation(cpu: cpu).wrappingIncrement(ordering: .sequentiallyConsistent)
        slot(cpu: cpu, index: Self.entriesPerCPU + 1).wrappingIncrement(ordering: .relaxed)
        let pages = (end &- start) >> UInt64(VmallocLayout.pageShift)
        if pages > Self.singlePageFlushCeiling || pages >= UInt64(Self.entriesPerCPU) {
            flushAll(cpu: cpu)
            return
        }
        var address = start
        while address < end {
            let page = Self.pageNumber(address)
            let cell = slot(cpu: cpu, index: Int(truncatingIfNeeded: page) & (Self.entriesPerCPU - 1))
            let value = cell.load(ordering: .relaxed)
            if value & 0xffff_ffff == (page >> UInt64(Self.indexBits)) << 1 | 1 {
                _ = cell.compareExchange(expected: value, desired: 0, ordering: .sequentiallyConsistent)
            }
            address += VmallocLayout.pageSize
        }
    }

    /// `__flush_tlb_all()` on `cpu`.
    func flushAll(cpu: Int) {
        for index in 0..<Self.entriesPerCPU {
            slot(cpu: cpu, index: index).store(0, ordering: .sequentiallyConsistent)
        }
    }

    /// x86's `tlb_single_page_flush_ceiling` (33 pages): above it a full flush is cheaper.
    static let singlePageFlushCeiling: UInt64 = 33

    /// Flushes `cpu` has run (each purge's shootdown runs one per CPU).
    public func flushes(cpu: Int) -> Int {
        Int(truncatingIfNeeded: slot(cpu: cpu, index: Self.entriesPerCPU + 1).load(ordering: .relaxed))
    }

    /// The number of valid entries cached on `cpu` (tests and statistics).
    public func validEntries(cpu: Int) -> Int {
        (0..<Self.entriesPerCPU).reduce(0) { $0 + (slot(cpu: cpu, index: $1).load(ordering: .relaxed) & 1 == 0 ? 0 : 1) }
    }
}
