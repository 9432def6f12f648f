import Foundation

/// The free side (mm/vmalloc.c, 6.12): `vfree()`, `vfree_atomic()`, `vunmap()`, `remove_vm_area()` →
/// `free_unmap_vmap_area()` → `free_vmap_area_noflush()`.
///
/// As in the kernel, vfree() unmaps the area at once and returns its pages to the buddy allocator at
/// once; what is lazy is the address space: it joins `vmap_lazy_nr` and goes back to the free tree only
/// after the next purge has flushed every CPU's TLB, so no CPU can hold a stale translation for an
/// address that has been handed out again.
extension Vmalloc {
    /// `vfree(addr)`: frees a vmalloc()ed area. From interrupt context it defers to `vfreeAtomic`. A
    /// misaligned address warns "Trying to vfree() bad address (%p)", an address that is not the start
    /// of a busy area (never allocated, or freed already) warns "Trying to vfree() nonexistent vm area
    /// (%p)"; both return without harm. Address 0 is a no-op, like `vfree(NULL)`.
    public func vfree(_ address: KernelAddress, context: ExecutionContext) {
        guard isValidCPU(context, function: "vfree") else { return }
        if context.kind != .task {
            vfreeAtomic(address, context: context)
            return
        }
        sleepDebug.mightSleep(context: context, file: "mm/vmalloc.c", line: Self.vfreeMightSleepLine)
        guard address != 0 else { return }
        guard let area = removeVMArea(address, context: context, function: "vfree") else { return }
        if let pages = area.pages {
            for index in 0..<Int(area.nrPages) {
                let pfn = PFN(pages[index])
                if !area.flags.contains(.map) {
                    pageAllocator.frame(pfn).pointee.flags &= ~PageFlags.vmalloc.rawValue
                }
                pageAllocator.freePages(pfn, order: 0, context: context)
            }
            if area.flags.contains(.alloc) && area.nrPages > 0 {
                nrVmallocPagesCounter.subtract(Int(area.nrPages), ordering: .relaxed)
            }
            pages.deallocate()
        }
    }

    /// Line of `might_sleep()` in `vfree()` (mm/vmalloc.c, 6.12).
    static let vfreeMightSleepLine = 3381

    /// `vfree_atomic(addr)`: queues the address on this CPU's deferred list and schedules the work that
    /// vfree()s it in process context. Safe from interrupt handlers.
    public func vfreeAtomic(_ address: KernelAddress, context: ExecutionContext) {
        guard address != 0, context.cpu >= 0 && context.cpu < cpuCount else { return }
        let list = deferredFrees[context.cpu]
        list.lock.withLock(cpu: context.cpu) { list.addresses.append(address) }
        if !list.workPending.exchange(true, ordering: .acquiringAndReleasing) {
            scheduleWork(cpu: context.cpu) { [self] work in
                list.workPending.store(false, ordering: .releasing)
                let batch = list.lock.withLock(cpu: work.cpu) { () -> [KernelAddress] in
                    defer { list.addresses.removeAll(keepingCapacity: true) }
                    return list.addresses
                }
                for address in batch { vfree(address, context: work) }
            }
        }
    }

    /// `vunmap(addr)`: releases a vmap()ed mapping; the pages stay the caller's (unless VM_MAP_PUT_PAGES).
    public func vunmap(_ address: KernelAddress, context: ExecutionContext) {
        guard isValidCPU(context, function: "vunmap") else { return }
        sleepDebug.mightSleep(context: context, file: "mm/vmalloc.c", line: Self.vfreeMightSleepLine)
        guard address != 0 else { return }
        guard let area = removeVMArea(address, context: context, function: "vunmap") else { return }
        if let pages = area.pages {
            if area.flags.contains(.mapPutPages) {
                for index in 0..<Int(area.nrPages) {
                    pageAllocator.freePages(PFN(pages[index]), order: 0, context: context)
                }
            }
            pages.deallocate()
        }
    }

    /// `remove_vm_area()` → `find_unlink_vmap_area()` + `free_unmap_vmap_area()`: takes the area out of
    /// the busy tree, clears its PTEs, and queues its address space for the lazy purge. Returns the
    /// `vm_struct`, or nil after the kernel's warning when `address` names no area.
    func removeVMArea(_ address: KernelAddress, context: ExecutionContext, function: String) -> VMArea? {
        guard address & (VmallocLayout.pageSize - 1) == 0 else {
            warn(String(format: "Trying to %@() bad address (%016llx)", function, address), at: function, context: context)
            return nil
        }
        busyLock.lock(cpu: context.cpu)
        guard let index = busyTree.find(containing: address) else {
            busyLock.unlock(cpu: context.cpu)
            warn(String(format: "Trying to %@() nonexistent vm area (%016llx)", function, address), at: function, context: context)
            return nil
        }
        let node = busyTree[index]
        busyTree.remove(index)
        busyLock.unlock(cpu: context.cpu)
        pageTable.unmap(start: node.start, pages: Int(node.size >> UInt64(VmallocLayout.pageShift)))
        freeVmapAreaNoflush(start: node.start, end: node.end, context: context)
        return node.payload
    }

    /// `free_vmap_area_noflush()`: adds the area to the lazy list and `vmap_lazy_nr`; past
    /// `lazy_max_pages()` it schedules `drain_vmap_work`.
    func freeVmapAreaNoflush(start: KernelAddress, end: KernelAddress, context: ExecutionContext) {
        let pages = Int((end - start) >> UInt64(VmallocLayout.pageShift))
        let lazy = vmapLazyNr.add(pages, ordering: .relaxed).newValue
        lazyLock.withLock(cpu: context.cpu) { lazyAreas.append(LazyArea(start: start, end: end)) }
        if lazy > lazyMaxPages { scheduleDrain(cpu: context.cpu) }
    }
}
