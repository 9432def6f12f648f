import Foundation

/// The allocation side (mm/vmalloc.c, 6.12): `vmalloc()`, `vzalloc()`, `vmalloc_node()`, `__vmalloc()`,
/// `__vmalloc_node()` → `__vmalloc_node_range()` → `__get_vm_area_node()` + `alloc_vmap_area()`, then
/// `__vmalloc_area_node()`: pages from the buddy allocator and `vmap_pages_range()` into the page tables.
extension Vmalloc {
    /// `vmalloc(size)`: GFP_KERNEL, any node.
    public func vmalloc(_ size: Int, context: ExecutionContext, caller: StaticString = #function) -> KernelAddress? {
        vmallocNode(size, align: 1, gfp: .kernel, node: nil, context: context, caller: caller)
    }

    /// `vzalloc(size)`: zeroed.
    public func vzalloc(_ size: Int, context: ExecutionContext, caller: StaticString = #function) -> KernelAddress? {
        vmallocNode(size, align: 1, gfp: GFPFlags.kernel.union(.zero), node: nil, context: context, caller: caller)
    }

    /// `vmalloc_node(size, node)`: pages preferably from `node`.
    public func vmallocNode(_ size: Int, node: Int, context: ExecutionContext, caller: StaticString = #function) -> KernelAddress? {
        vmallocNode(size, align: 1, gfp: .kernel, node: node, context: context, caller: caller)
    }

    /// `__vmalloc(size, gfp_mask)`. 6.12 passes the mask on unfiltered (the `GFP_VMALLOC_SUPPORTED` fix-up
    /// arrived in 6.19); zone modifiers are refused here, see `vmallocNodeRange`.
    public func vmalloc(_ size: Int, gfp: GFPFlags, context: ExecutionContext, caller: StaticString = #function) -> KernelAddress? {
        vmallocNode(size, align: 1, gfp: gfp, node: nil, context: context, caller: caller)
    }

    /// `__vmalloc_node(size, align, gfp_mask, node, caller)`.
    public func vmallocNode(_ size: Int, align: UInt64, gfp: GFPFlags, node: Int?, context: ExecutionContext,
                            caller: StaticString = #function) -> KernelAddress? {
        vmallocNodeRange(size, align: align, start: VmallocLayout.start, end: VmallocLayout.end, gfp: gfp,
                         vmFlags: [], node: node, context: context, caller: caller)
    }

    /// `__vmalloc_node_range()`: allocates `size` bytes of virtually contiguous memory in `[start, end)`.
    ///
    /// Behaviour for unusual requests, as 6.12 has it:
    /// - size 0 → nil with a WARN; more pages than RAM → nil with "vmalloc error: size %lu, exceeds total
    ///   pages"; an alignment that is not a power of two → `alloc_vmap_area()`'s -EINVAL → nil.
    /// - Interrupt context → `BUG_ON(in_interrupt())` in `__get_vm_area_node()`: reported, nil.
    /// - A non-blocking mask (GFP_ATOMIC, GFP_NOWAIT) from atomic context: 6.12 has no non-blocking
    ///   vmalloc (that came in 6.17), so `alloc_vmap_area()`'s `might_sleep()` reports "BUG: sleeping
    ///   function called from invalid context" and the allocation goes on; its page tables are allocated
    ///   with GFP_KERNEL under a memalloc_noio scope, i.e. still a blocking mask.
    /// - Zone modifiers (`__GFP_DMA`, `__GFP_DMA32`, `__GFP_HIGHMEM`, `__GFP_MOVABLE`) are not supported by
    ///   vmalloc; the kernel's documentation says so and 6.19 strips them with "Unexpected gfp" — kmsim
    ///   refuses the request with that warning rather than allocating from a zone the caller did not mean.
    public func vmallocNodeRange(_ size: Int, align: UInt64, start: KernelAddress, end: KernelAddress, gfp: GFPFlags,
                                 vmFlags: VMFlags, node: Int?, context: ExecutionContext,
                                 caller: StaticString = #function) -> KernelAddress? {
        guard isValidCPU(context, function: "__vmalloc_node_range_noprof") else { return nil }
        let requested = UInt64(bitPattern: Int64(size))
        guard requested != 0 else {
            warn("WARN_ON_ONCE(!size)", at: "__vmalloc_node_range_noprof", context: context)
            return nil
        }
        guard gfp.isDisjoint(with: Self.zoneModifiers) else {
            let invalid = gfp.intersection(Self.zoneModifiers)
            let fixed = gfp.subtracting(Self.zoneModifiers)
            warn(String(format: "Unexpected gfp: %#x (%@). Fixing up to gfp: %#x (%@). Fix your code!",
                        invalid.rawValue, invalid.description, fixed.rawValue, fixed.description),
                 at: "__vmalloc_node_range_noprof", context: context)
            return nil
        }
        guard requested >> UInt64(VmallocLayout.pageShift) <= UInt64(totalRAMPages) else {
            warnAlloc(gfp, "vmalloc error: size \(requested), exceeds total pages", context: context)
            return nil
        }
        let nofail = gfp.contains(.noFail)
        var attempts = 0
        while true {
            attempts += 1
            guard let area = getVMArea(size: requested, align: align, flags: vmFlags.union([.alloc, .uninitialized]),
                                       start: start, end: end, gfp: gfp, context: context, caller: caller) else {
                warnAlloc(gfp, "vmalloc error: size \(requested), vm_struct allocation failed\(nofail ? ". Retrying." : "")",
                          context: context)
                if nofail && inTaskContext(context) && attempts < Self.noFailMapRetries { continue }
                return nil
            }
            guard allocateAndMapPages(area: area, gfp: gfp, node: node, context: context) else { return nil }
            return area
        }
    }

    /// Whether `context` names a CPU of this machine; otherwise a WARN, and the caller gives up.
    func isValidCPU(_ context: ExecutionContext, function: String) -> Bool {
        guard context.cpu >= 0 && context.cpu < cpuCount else {
            bugReports.record(.vmallocWarning, "------------[ cut here ]------------\n\(function) on CPU \(context.cpu), which does not exist (the machine has \(cpuCount))\n")
            return false
        }
        return true
    }

    /// `GFP_ZONEMASK`.
    static let zoneModifiers: GFPFlags = [.dma, .highMem, .dma32, .movable]

    /// Whether the context may call `__get_vm_area_node()` at all (`!in_interrupt()`).
    @inline(__always)
    func inTaskContext(_ context: ExecutionContext) -> Bool { context.kind == .task }

    /// `__get_vm_area_node()` → `alloc_vmap_area()`: reserves `size` (+ a guard page unless VM_NO_GUARD)
    /// of address space and registers the area as busy. Returns the area's start, nil on failure.
    func getVMArea(size: UInt64, align: UInt64, flags: VMFlags, start: KernelAddress, end: KernelAddress,
                   gfp: GFPFlags, context: ExecutionContext, caller: StaticString,
                   pages: UnsafeMutablePointer<UInt32>? = nil, nrPages: Int32 = 0) -> KernelAddress? {
        guard inTaskContext(context) else {
            bugReports.record(.vmallocBug, "kernel BUG at mm/vmalloc.c: __get_vm_area_node: BUG_ON(in_interrupt()) on CPU \(context.cpu) in \(context.kind.rawValue) context\n")
            return nil
        }
        guard let pageAligned = VmallocLayout.pageAlign(size) else { return nil }
        var total = pageAligned
        if !flags.contains(.noGuard) {
            let (sum, overflow) = total.addingReportingOverflow(VmallocLayout.pageSize)
            guard !overflow else { return nil }
            total = sum
        }
        let area = VMArea(flags: flags, nrPages: nrPages, pages: pages, caller: caller)
        return allocVmapArea(size: total, align: align, vstart: start, vend: end, gfp: gfp, area: area, context: context)
    }

    /// `alloc_vmap_area()`: lowest-fit in the free tree under `free_vmap_area_lock`, insertion in the busy
    /// tree under `vmap_area_lock`. When nothing fits it purges the lazily freed areas once and retries,
    /// then warns "vmalloc_node_range for size %lu failed: Address range restricted to %#lx - %#lx".
    func allocVmapArea(size: UInt64, align: UInt64, vstart: KernelAddress, vend: KernelAddress, gfp: GFPFlags,
                       area: VMArea, context: ExecutionContext) -> KernelAddress? {
        guard size != 0, size & (VmallocLayout.pageSize - 1) == 0, align != 0, align & (align - 1) == 0 else {
            return nil
        }
        sleepDebug.mightSleep(context: context, file: "mm/vmalloc.c", line: Self.allocVmapAreaMightSleepLine)
        cpus?.virtualClock?.charge(.vmallocArea)
        var purged = false
        while true {
            freeLock.lock(cpu: context.cpu)
            let address = freeTree.allocate(size: size, align: align, vstart: vstart, vend: vend, payload: FreeSpace())
            freeLock.unlock(cpu: context.cpu)
            if let address {
                busyLock.lock(cpu: context.cpu)
                let inserted = busyTree.insert(start: address, end: address + size, payload: area)
                busyLock.unlock(cpu: context.cpu)
                guard inserted != nil else {
                    warn(String(format: "vmalloc bug: 0x%llx-0x%llx overlaps a busy area", address, address + size),
                         at: "insert_vmap_area", context: context)
                    return nil
                }
                return address
            }
            if !purged {
                purgeVmapAreaLazy(context: context)
                purged = true
                continue
            }
            if !gfp.contains(.noWarn) {
                warn(String(format: "vmalloc_node_range for size %llu failed: Address range restricted to %#llx - %#llx",
                            size, vstart, vend), at: "alloc_vmap_area", context: context)
            }
            return nil
        }
    }

    /// Line of `might_sleep()` in `alloc_vmap_area()` that kmsim's reports name (mm/vmalloc.c, 6.12).
    static let allocVmapAreaMightSleepLine = 1940

    /// `__vmalloc_area_node()`: the page array, the pages (`vm_area_alloc_pages()`), and the mapping
    /// (`vmap_pages_range()` under the memalloc scope the mask implies). On failure the area is freed
    /// through vfree() and false returned.
    func allocateAndMapPages(area start: KernelAddress, gfp: GFPFlags, node: Int?, context: ExecutionContext) -> Bool {
        let size = busyLock.withLock(cpu: context.cpu) { () -> UInt64 in
            guard let index = busyTree.find(containing: start) else { return 0 }
            return busyTree[index].size - (busyTree[index].payload.flags.contains(.noGuard) ? 0 : VmallocLayout.pageSize)
        }
        let nrPages = Int(size >> UInt64(VmallocLayout.pageShift))
        let pages = UnsafeMutablePointer<UInt32>.allocate(capacity: max(nrPages, 1))
        let allocated = allocPages(into: pages, count: nrPages, gfp: gfp.union(.noWarn), node: node, context: context)
        if allocated > 0 { nrVmallocPagesCounter.add(allocated, ordering: .relaxed) }
        setPages(of: start, pages: pages, count: allocated, clearUninitialized: false, context: context)
        guard allocated == nrPages else {
            warnAlloc(gfp, "vmalloc error: size \(allocated << VmallocLayout.pageShift), failed to allocate pages", context: context)
            vfree(start, context: context)
            return false
        }
        // Page tables ignore the caller's mask; the scope API carries GFP_NOFS / GFP_NOIO to them.
        var scoped = context
        switch (gfp.contains(.fs), gfp.contains(.io)) {
        case (false, true): _ = scoped.memallocNoFSSave()
        case (false, false): _ = scoped.memallocNoIOSave()
        default: break
        }
        let tableGFP = scoped.currentGFPContext(KernelPageTable.gfpPageTable)
        var attempts = 0
        while true {
            do {
                try pageTable.map(start: start, pfns: UnsafeBufferPointer(start: pages, count: nrPages), gfp: tableGFP, context: scoped)
                cpus?.virtualClock?.charge(.pageTableSetupPerPage, times: nrPages)
                break
            } catch {
                // __GFP_NOFAIL retries (schedule_timeout_uninterruptible(1) in the kernel); a partial
                // mapping is undone first so the retry starts from empty PTEs.
                pageTable.unmap(start: start, pages: nrPages)
                attempts += 1
                if gfp.contains(.noFail) && attempts < Self.noFailMapRetries { continue }
                warnAlloc(gfp, "vmalloc error: size \(nrPages << VmallocLayout.pageShift), failed to map pages", context: context)
                vfree(start, context: context)
                return false
            }
        }
        setPages(of: start, pages: pages, count: allocated, clearUninitialized: true, context: context)
        if gfp.contains(.zero) {
            for index in 0..<nrPages {
                pageAllocator.pageAddress(PFN(pages[index])).initializeMemory(as: UInt8.self, repeating: 0, count: Int(VmallocLayout.pageSize))
            }
        }
        return true
    }

    /// Bound on the __GFP_NOFAIL retries (of the area and of the mapping): the kernel loops forever
    /// waiting for reclaim or purges; kmsim gives up after this many attempts so a request that can never
    /// be met (an impossible alignment, say) cannot hang the simulation.
    static let noFailMapRetries = 64

    /// Publishes the page array in the busy area's `vm_struct` (and clears VM_UNINITIALIZED once mapped,
    /// `clear_vm_uninitialized_flag()`).
    func setPages(of start: KernelAddress, pages: UnsafeMutablePointer<UInt32>, count: Int, clearUninitialized: Bool,
                  context: ExecutionContext) {
        busyLock.withLock(cpu: context.cpu) {
            guard let index = busyTree.find(containing: start) else { return }
            let payload = busyTree.payload(index)
            payload.pointee.pages = pages
            payload.pointee.nrPages = Int32(count)
            if clearUninitialized { payload.pointee.flags.remove(.uninitialized) }
        }
    }

    /// `vm_area_alloc_pages()` for order 0: `count` single pages from the buddy allocator (physically
    /// scattered) with `__GFP_HIGHMEM` added as vmalloc does on x86-64 and `__GFP_NOFAIL` kept only for
    /// the one-by-one path. Returns how many were obtained (fewer means failure).
    func allocPages(into pages: UnsafeMutablePointer<UInt32>, count: Int, gfp: GFPFlags, node: Int?,
                    context: ExecutionContext) -> Int {
        let pageGFP = gfp.union(.highMem).subtracting(.zero)
        for index in 0..<count {
            guard let pfn = pageAllocator.allocPages(order: 0, gfp: pageGFP, context: context, preferredNode: node) else {
                return index
            }
            pageAllocator.frame(pfn).pointee.flags |= PageFlags.vmalloc.rawValue
            pages[index] = UInt32(truncatingIfNeeded: pfn)
        }
        return count
    }

    /// `warn_alloc()`, the page allocator's (one `nopage_rs` rate limit for both, as in the kernel).
    func warnAlloc(_ gfp: GFPFlags, _ message: String, context: ExecutionContext) {
        pageAllocator.warnAlloc(gfp, message, context: context)
    }

    /// A `WARN()` of mm/vmalloc.c, framed as the kernel frames warnings.
    func warn(_ message: String, at function: String, context: ExecutionContext) {
        bugReports.record(.vmallocWarning, """
            ------------[ cut here ]------------
            \(message)
            WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/vmalloc.c \(function)

            """)
    }
}
