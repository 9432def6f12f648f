/// Mapping existing pages (mm/vmalloc.c, 6.12): `vmap()`, and the reverse lookup `vmalloc_to_page()`.
extension Vmalloc {
    /// `vmap(pages, count, flags, PAGE_KERNEL)`: maps pages the caller already owns into one virtually
    /// contiguous area (flags should include `.map`). VM_NO_GUARD and VM_FLUSH_RESET_PERMS are refused
    /// with the kernel's WARN_ON_ONCE; more pages than RAM, or no address space, give nil. With
    /// `.mapPutPages` the area takes ownership and vfree()/vunmap() free the pages.
    public func vmap(pages: [PFN], flags: VMFlags = .map, context: ExecutionContext,
                     caller: StaticString = #function) -> KernelAddress? {
        guard isValidCPU(context, function: "vmap") else { return nil }
        sleepDebug.mightSleep(context: context, file: "mm/vmalloc.c", line: Self.vfreeMightSleepLine)
        guard !flags.contains(.flushResetPerms), !flags.contains(.noGuard) else {
            warn("WARN_ON_ONCE(flags & (VM_FLUSH_RESET_PERMS | VM_NO_GUARD))", at: "vmap", context: context)
            return nil
        }
        guard !pages.isEmpty, pages.count <= totalRAMPages,
              pages.allSatisfy({ $0 >= 0 && pageAllocator.zone(of: $0) != nil }) else { return nil }
        let array = UnsafeMutablePointer<UInt32>.allocate(capacity: pages.count)
        for (index, pfn) in pages.enumerated() { array[index] = UInt32(truncatingIfNeeded: pfn) }
        let keepsPages = flags.contains(.mapPutPages)
        let size = UInt64(pages.count) << UInt64(VmallocLayout.pageShift)
        guard let start = getVMArea(size: size, align: 1, flags: flags, start: VmallocLayout.start,
                                    end: VmallocLayout.end, gfp: .kernel, context: context, caller: caller,
                                    pages: keepsPages ? array : nil, nrPages: keepsPages ? Int32(pages.count) : 0) else {
            array.deallocate()
            return nil
        }
        do {
            try pageTable.map(start: start, pfns: UnsafeBufferPointer(start: array, count: pages.count),
                              gfp: context.currentGFPContext(KernelPageTable.gfpPageTable), context: context)
        } catch {
            pageTable.unmap(start: start, pages: pages.count)
            if keepsPages { setPages(of: start, pages: array, count: 0, clearUninitialized: false, context: context) }
            vunmap(start, context: context)
            return nil
        }
        if !keepsPages { array.deallocate() }
        return start
    }

    /// `vmalloc_to_page()`: the PFN mapped at a vmalloc address, by a page-table walk (no TLB); nil when
    /// nothing is mapped there or the address is outside the vmalloc range.
    public func vmallocToPage(_ address: KernelAddress) -> PFN? {
        guard isVmallocAddress(address) else { return nil }
        return pageTable.translate(address)
    }
}
