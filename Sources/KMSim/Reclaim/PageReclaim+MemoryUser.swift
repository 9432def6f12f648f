/// The memory-user API the workload runner drives (mm/filemap.c, mm/memory.c, kernel/exit.c): tasks
/// register, map files and anonymous memory, read and write page cache, fault anonymous pages in, and
/// exit. Every page they get comes from the page allocator's sleeping entry point with
/// `GFP_HIGHUSER_MOVABLE` (after `current_gfp_context()`), goes on its node's LRU lists, and is what
/// kswapd, direct reclaim and the OOM killer take back.
extension PageReclaim {
    /// A registered task (`task_struct` of a process with an `mm`).
    public struct TaskHandle: Sendable, Hashable {
        public let pid: Int32
        let slot: Int
    }

    /// Registers a task; nil when `pid` is taken or the table is full. `onKill` is called when the OOM
    /// killer picks the task, after kmsim has freed its user memory.
    public func registerTask(pid: Int32, comm: String, oomScoreAdj: Int = 0, onKill: OOMKillHook? = nil) -> TaskHandle? {
        tasks.register(pid: pid, comm: comm, oomScoreAdj: oomScoreAdj, onKill: onKill).map { TaskHandle(pid: pid, slot: $0) }
    }

    /// `mmap()` of a file of `pages` pages: its page cache is filled by `readFile`/`writeFile`.
    public func mapFile(_ task: TaskHandle, pages: Int) -> MemoryRegion {
        let region = MemoryRegion(kind: .file, pageCount: pages, pid: task.pid, taskSlot: task.slot)
        tasks.attach(region, slot: task.slot)
        return region
    }

    /// An anonymous mapping of `pages` pages, faulted in by `touchAnonymous`.
    public func mapAnonymous(_ task: TaskHandle, pages: Int) -> MemoryRegion {
        let region = MemoryRegion(kind: .anonymous, pageCount: pages, pid: task.pid, taskSlot: task.slot)
        tasks.attach(region, slot: task.slot)
        return region
    }

    /// Adds to the kernel memory the runner attributes to a task (slab objects, vmalloc areas it frees
    /// in its kill hook); counted in the OOM badness.
    public func chargeKernelPages(_ task: TaskHandle, _ delta: Int) {
        tasks.add(.kernelPages, delta, slot: task.slot)
    }

    /// `filemap_read()` of one page: a cached page is marked accessed (`folio_mark_accessed()`: the
    /// second touch of an inactive page activates it); a missing one is allocated and added to the
    /// inactive file list, referenced. Returns false when no page could be had (the read's -ENOMEM).
    public nonisolated(nonsending) func readFile(_ region: MemoryRegion, page index: Int, context: ExecutionContext) async -> Bool {
        await touchFile(region, index, dirty: false, context: context)
    }

    /// `generic_perform_write()` of one page: as `readFile`, and the page becomes dirty (it must be
    /// written back before reclaim may free it).
    public nonisolated(nonsending) func writeFile(_ region: MemoryRegion, page index: Int, context: ExecutionContext) async -> Bool {
        await touchFile(region, index, dirty: true, context: context)
    }

    /// `do_anonymous_page()` / `do_swap_page()` / a plain access: a resident page is marked young, a
    /// missing one is allocated (zeroed) and added to the inactive anon list, a swapped one is read
    /// back (sleeping for the swap-in time). Returns false when no page could be had (the fault's OOM).
    public nonisolated(nonsending) func touchAnonymous(_ region: MemoryRegion, page index: Int, context: ExecutionContext) async -> Bool {
        guard region.kind == .anonymous, index >= 0 && index < region.pageCount else { return false }
        let value = region.slot(index).load(ordering: .sequentiallyConsistent)
        if let pfn = MemoryRegion.pfn(value) {
            markAccessed(region, index, pfn: pfn, value: value, dirty: false, context: context)
            return true
        }
        if value & MemoryRegion.swapped != 0 {
            await simulatedSleep(nanoseconds: config.swapInNanosecondsPerPage, context: context, debug: debug)
        }
        let gfp = context.currentGFPContext(GFPFlags.highUserMovable.union(.zero))
        guard let pfn = await allocator.allocPagesMaySleep(order: 0, gfp: gfp, context: context) else { return false }
        let added = publish(region, index, pfn: pfn, expected: value, anonymous: true, dirty: false, context: context)
        if value & MemoryRegion.swapped != 0 && added != .lostRace {
            swap.release()
            tasks.add(.swapEntries, -1, slot: region.taskSlot)
            count(.pagesSwappedIn, cpu: context.cpu)
        }
        return added == .added
    }

    /// `do_exit()` → `exit_mmap()`: frees every page of the task's regions (anonymous memory, swap
    /// entries, and its files' page cache: kmsim's files are private to their task) and forgets it.
    public func exitTask(_ task: TaskHandle, context: ExecutionContext) {
        guard let entry = tasks.unregister(slot: task.slot) else { return }
        for region in entry.regions { teardown(region, context: context) }
    }

    nonisolated(nonsending) func touchFile(_ region: MemoryRegion, _ index: Int, dirty: Bool, context: ExecutionContext) async -> Bool {
        guard region.kind == .file, index >= 0 && index < region.pageCount else { return false }
        let value = region.slot(index).load(ordering: .sequentiallyConsistent)
        if let pfn = MemoryRegion.pfn(value) {
            markAccessed(region, index, pfn: pfn, value: value, dirty: dirty, context: context)
            return true
        }
        let gfp = context.currentGFPContext(.highUserMovable)
        guard let pfn = await allocator.allocPagesMaySleep(order: 0, gfp: gfp, context: context) else { return false }
        return publish(region, index, pfn: pfn, expected: value, anonymous: false, dirty: dirty, context: context) == .added
    }

    /// `folio_mark_accessed()` (and `folio_mark_dirty()` for a write) on a resident page, under its node's
    /// `lru_lock` after checking the slot still points at it. An anonymous page only becomes young.
    func markAccessed(_ region: MemoryRegion, _ index: Int, pfn: PFN, value: UInt64, dirty: Bool, context: ExecutionContext) {
        let lruvec = lruvecs[allocator.node(of: pfn)]
        lruvec.lruLock.withLock(cpu: context.cpu) {
            guard region.slot(index).load(ordering: .sequentiallyConsistent) == value else { return }
            let frame = lruvec.frames + pfn
            if dirty && frame.pointee.flags & PageFlags.dirty.rawValue == 0 {
                frame.pointee.flags |= PageFlags.dirty.rawValue
                nodeStates[lruvec.node].dirty.add(1, ordering: .relaxed)
            }
            let flags = frame.pointee.flags
            let referenced = flags & PageFlags.referenced.rawValue != 0
            let onInactive = flags & PageFlags.lru.rawValue != 0 && flags & PageFlags.active.rawValue == 0
            if region.kind == .file && referenced && onInactive {
                lruvec.remove(pfn)
                frame.pointee.flags &= ~PageFlags.referenced.rawValue
                lruvec.add(pfn, to: .activeFile)
            } else {
                frame.pointee.flags |= PageFlags.referenced.rawValue
            }
        }
    }

    enum PublishResult { case added, lostRace, regionDead }

    /// Installs a new page in its slot and on the inactive list (`folio_add_lru()`), under the page's
    /// node `lru_lock`. The slot is set before `dead` is checked and the exit path sets `dead` before
    /// reading slots (both sequentially consistent), so either the exit sees the page or this sees the
    /// exit and frees the page itself.
    func publish(_ region: MemoryRegion, _ index: Int, pfn: PFN, expected: UInt64, anonymous: Bool, dirty: Bool,
                 context: ExecutionContext) -> PublishResult {
        let frame = allocator.frame(pfn)
        var flags = frame.pointee.flags | PageFlags.referenced.rawValue
        if anonymous { flags |= PageFlags.swapBacked.rawValue }
        if dirty { flags |= PageFlags.dirty.rawValue }
        frame.pointee.flags = flags
        frame.pointee.owner = UInt32(truncatingIfNeeded: region.pid)
        frame.pointee.slabFreelist = region.opaqueBits
        frame.pointee.slabCounters = UInt64(index)
        let lruvec = lruvecs[allocator.node(of: pfn)]
        let result: PublishResult = lruvec.lruLock.withLock(cpu: context.cpu) {
            guard region.slot(index).compareExchange(expected: expected, desired: MemoryRegion.resident(pfn),
                                                     ordering: .sequentiallyConsistent).exchanged else { return .lostRace }
            if region.dead.load(ordering: .sequentiallyConsistent) {
                region.slot(index).store(MemoryRegion.empty, ordering: .sequentiallyConsistent)
                return .regionDead
            }
            lruvec.add(pfn, to: anonymous ? .inactiveAnon : .inactiveFile)
            if dirty { nodeStates[lruvec.node].dirty.add(1, ordering: .relaxed) }
            return .added
        }
        if result == .added {
            tasks.add(anonymous ? .anonRSS : .fileRSS, 1, slot: region.taskSlot)
        } else {
            frame.pointee.flags = PageFlags.allocated.rawValue
            freeReclaimed([pfn], context: context)
        }
        return result
    }

    /// `exit_mmap()` for one region: marks it dead, then empties every slot. A page on the LRU is taken
    /// off and freed; a page a reclaimer has isolated for I/O is only unmapped (the reclaimer frees it
    /// when its I/O completes and finds the slot changed); a swap entry is released.
    func teardown(_ region: MemoryRegion, context: ExecutionContext) {
        region.dead.store(true, ordering: .sequentiallyConsistent)
        var toFree: [PFN] = []
        for index in 0..<region.pageCount {
            while true {
                let value = region.slot(index).load(ordering: .sequentiallyConsistent)
                if value == MemoryRegion.empty { break }
                guard let pfn = MemoryRegion.pfn(value) else {
                    if region.slot(index).compareExchange(expected: value, desired: MemoryRegion.empty,
                                                          ordering: .sequentiallyConsistent).exchanged {
                        swap.release()
                        tasks.add(.swapEntries, -1, slot: region.taskSlot)
                        break
                    }
                    continue
                }
                let lruvec = lruvecs[allocator.node(of: pfn)]
                let done: Bool = lruvec.lruLock.withLock(cpu: context.cpu) {
                    guard region.slot(index).load(ordering: .sequentiallyConsistent) == value else { return false }
                    if lruvec.frames[pfn].flags & PageFlags.lru.rawValue != 0 {
                        lruvec.remove(pfn)
                        toFree.append(pfn)
                    }
                    region.slot(index).store(MemoryRegion.empty, ordering: .sequentiallyConsistent)
                    return true
                }
                if done {
                    tasks.add(region.kind == .anonymous ? .anonRSS : .fileRSS, -1, slot: region.taskSlot)
                    break
                }
            }
        }
        freeReclaimed(toFree, context: context)
    }
}
