/// A simulated kernel virtual address: the kernel's `unsigned long addr` / `void *` of a kernel mapping.
///
/// Two kinds are in use. vmalloc'd memory lives at simulated addresses inside x86-64's vmalloc range
/// (`VmallocLayout.start..<VmallocLayout.end`, 0xffffc900_00000000 upward), which only resolve through
/// the simulated page tables and a CPU's TLB. Direct-map memory (kmalloc, `page_address()`) is the host
/// pointer into a node's arena itself: kmsim's direct map is the identity on arena pointers, so kmalloc'd
/// pointers stay real pointers. The two never collide, because host user-space pointers on x86-64 are
/// below 0x0000_8000_0000_0000 and every vmalloc address is above 0xffff_8000_0000_0000.
public typealias KernelAddress = UInt64

/// x86-64's kernel virtual memory layout for the vmalloc area with 4-level paging
/// (Documentation/arch/x86/x86_64/mm.rst, arch/x86/include/asm/pgtable_64_types.h).
public enum VmallocLayout {
    /// `PAGE_SHIFT` / `PAGE_SIZE`.
    public static let pageShift = 12
    public static let pageSize: UInt64 = 1 << 12
    /// `__VMALLOC_BASE_L4`: VMALLOC_START without KASLR.
    public static let start: KernelAddress = 0xffff_c900_0000_0000
    /// `VMALLOC_SIZE_TB_L4` = 32 TiB.
    public static let sizeTiB: UInt64 = 32
    /// `VMALLOC_END` = VMALLOC_START + 32 TiB - 1 = 0xffffe8ffffffffff (inclusive, as the kernel defines it).
    public static let end: KernelAddress = start + (sizeTiB << 40) - 1
    /// `VMALLOC_TOTAL` = VMALLOC_END - VMALLOC_START (what meminfo's VmallocTotal shifts by 10).
    public static let total: UInt64 = end - start

    /// `is_vmalloc_addr()`: `addr >= VMALLOC_START && addr < VMALLOC_END`.
    @inline(__always)
    public static func isVmallocAddress(_ address: KernelAddress) -> Bool {
        address >= start && address < end
    }

    /// `PAGE_ALIGN()` without overflow: nil when rounding up passes 2^64.
    @inline(__always)
    static func pageAlign(_ size: UInt64) -> UInt64? {
        let (sum, overflow) = size.addingReportingOverflow(pageSize - 1)
        return overflow ? nil : sum & ~(pageSize - 1)
    }

    /// `ALIGN(x, a)` for a power-of-two `a`, nil on overflow.
    @inline(__always)
    static func align(_ value: UInt64, _ alignment: UInt64) -> UInt64? {
        let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
        return overflow ? nil : sum & ~(alignment - 1)
    }

    /// `lazy_max_pages()` (mm/vmalloc.c): `fls(num_online_cpus()) * (32 MiB / PAGE_SIZE)`. The log scale
    /// keeps the purge latency bounded on huge machines while batching more TLB flushes on bigger ones.
    public static func lazyMaxPages(onlineCPUs: Int) -> Int {
        let fls = onlineCPUs <= 0 ? 0 : Int.bitWidth - onlineCPUs.leadingZeroBitCount
        return fls * (32 << 20) / Int(pageSize)
    }
}
