import Glibc

/// The kernel's direct map (the linear mapping of all physical memory behind `__va()` and `__pa()`):
/// one host reservation holding every node's page contents back to back, node n's arena at
/// `startPFN(ofNode: n) << PAGE_SHIFT`. The PFN of an address, and so the node and `struct page` of a
/// freed object, is then arithmetic (`virt_to_pfn()`), whatever the number of nodes, instead of a search
/// through the nodes' arenas on every kfree.
///
/// An anonymous `MAP_NORESERVE` mapping: the host commits a page when it is first touched, and each
/// node's slice is bound to its host node by `PhysicalMemory`. It is advised `MADV_HUGEPAGE`: page
/// contents are reached at random (a freed object's free pointer, a slab's objects), and on a large
/// machine the host's 4 KiB TLB misses were a quarter of a virtual run's host time (a 256-CPU larson:
/// 26-28 s of user time with 4 KiB pages, 20-23 s with transparent huge pages, for 1 % more resident
/// memory). Nothing is committed up front, and where the host has THP off the advice does nothing. Immutable after `init`; unmapped in
/// `deinit` (each `PhysicalMemory` keeps its map alive); hence `@unchecked Sendable`.
public final class DirectMap: @unchecked Sendable {
    /// The first byte (PFN 0's page).
    public let base: UnsafeMutableRawPointer
    public let bytes: Int

    /// Reserves `bytes` of lazily committed memory; `node` names the node in the error.
    init(bytes: Int, node: Int) throws(PhysicalMemoryError) {
        let pointer = mmap(nil, max(bytes, 1), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw PhysicalMemoryError(node: node, message: "mmap of \(bytes) bytes of physical memory failed: \(String(cString: strerror(errno)))")
        }
        _ = madvise(pointer, max(bytes, 1), MADV_HUGEPAGE)
        base = pointer
        self.bytes = bytes
    }

    deinit { munmap(base, max(bytes, 1)) }

    /// `virt_to_pfn()`: the PFN of an address inside the map, nil outside it.
    @inline(__always)
    public func pfn(of address: UnsafeRawPointer) -> PFN? {
        let offset = address - UnsafeRawPointer(base)
        guard offset >= 0 && offset < bytes else { return nil }
        return offset >> MachineSpec.pageShift
    }
}
