/// `kvmalloc()` / `kvzalloc()` / `kvfree()` (mm/util.c, Linux 6.12): physically contiguous memory from
/// kmalloc when it comes cheaply, virtually contiguous memory from vmalloc otherwise.
///
/// Rules, as 6.12's `__kvmalloc_node_noprof()` and `kmalloc_gfp_adjust()` have them:
/// - the kmalloc attempt comes first. Above PAGE_SIZE it is made not too disruptive: `__GFP_NOWARN`
///   added, `__GFP_NORETRY` added unless the caller asked for `__GFP_RETRY_MAYFAIL`, and `__GFP_NOFAIL`
///   removed (the vmalloc fallback implements nofail). Later kernels (6.17) drop `__GFP_DIRECT_RECLAIM`
///   instead of adding NORETRY; kmsim follows 6.12.
/// - a failed request of at most PAGE_SIZE does not fall back (vmalloc of less than a page makes no
///   sense); neither does one whose mask does not allow blocking ("non-sleeping allocations are not
///   supported by vmalloc"), nor one above INT_MAX (WARN_ON_ONCE unless `__GFP_NOWARN`).
/// - the fallback is `__vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, flags, PAGE_KERNEL,
///   VM_ALLOW_HUGE_VMAP, node)` with the caller's original flags.
public struct KVMalloc: Sendable {
    public let slab: SlabAllocator
    public let vmalloc: Vmalloc

    public init(slab: SlabAllocator, vmalloc: Vmalloc) {
        self.slab = slab
        self.vmalloc = vmalloc
    }

    /// Where a kvmalloc'd block came from (for tests and reports).
    public enum Source: Equatable, Sendable {
        case kmalloc
        case vmalloc
    }

    /// `kmalloc_gfp_adjust()`: the mask of the kmalloc attempt.
    public static func kmallocFlags(_ flags: GFPFlags, size: Int) -> GFPFlags {
        guard size > Int(VmallocLayout.pageSize) else { return flags }
        var adjusted = flags.union(.noWarn)
        if !adjusted.contains(.retryMayFail) { adjusted.insert(.noRetry) }
        adjusted.remove(.noFail)
        return adjusted
    }

    /// `kvmalloc_node(size, flags, node)`: the block's kernel address and where it came from, nil on failure.
    public func kvmallocNode(_ size: Int, gfp: GFPFlags, node: Int?, context: ExecutionContext,
                             caller: StaticString = #function) -> (address: KernelAddress, source: Source)? {
        if let pointer = slab.kmallocNode(size, gfp: Self.kmallocFlags(gfp, size: size), node: node,
                                          context: context, caller: caller) {
            return (UInt64(UInt(bitPattern: pointer)), .kmalloc)
        }
        guard size > Int(VmallocLayout.pageSize), gfp.allowsBlocking else { return nil }
        guard size <= Int(Int32.max) else {
            if !gfp.contains(.noWarn) {
                vmalloc.warn("WARN_ON_ONCE(!(flags & __GFP_NOWARN)): kvmalloc size \(size) above INT_MAX",
                             at: "__kvmalloc_node_noprof", context: context)
            }
            return nil
        }
        guard let address = vmalloc.vmallocNodeRange(size, align: 1, start: VmallocLayout.start, end: VmallocLayout.end,
                                                     gfp: gfp, vmFlags: .allowHugeVmap, node: node, context: context,
                                                     caller: caller) else { return nil }
        return (address, .vmalloc)
    }

    /// `kvmalloc(size, flags)`.
    public func kvmalloc(_ size: Int, gfp: GFPFlags, context: ExecutionContext, caller: StaticString = #function) -> KernelAddress? {
        kvmallocNode(size, gfp: gfp, node: nil, context: context, caller: caller)?.address
    }

    /// `kvzalloc(size, flags)`: `kvmalloc(size, flags | __GFP_ZERO)`.
    public func kvzalloc(_ size: Int, gfp: GFPFlags, context: ExecutionContext, caller: StaticString = #function) -> KernelAddress? {
        kvmallocNode(size, gfp: gfp.union(.zero), node: nil, context: context, caller: caller)?.address
    }

    /// `kvfree(addr)`: vfree() for a vmalloc address, kfree() otherwise (0 is a no-op).
    public func kvfree(_ address: KernelAddress, context: ExecutionContext, caller: StaticString = #function) {
        if VmallocLayout.isVmallocAddress(address) {
            vmalloc.vfree(address, context: context)
        } else {
            slab.kfree(UnsafeMutableRawPointer(bitPattern: UInt(address)), context: context, caller: caller)
        }
    }
}
