/// Dirty page cache limits and the throttling of writers (mm/page-writeback.c, 6.12): `balance_dirty_pages()`
/// keeps the dirty and under-writeback page cache below `vm.dirty_ratio` of the dirtyable memory by
/// making the tasks that dirty it wait for writeback.
///
/// The limits follow `domain_dirty_limits()`: dirtyable memory is free pages above the reserve plus the
/// file LRU pages (`global_dirtyable_memory()`); the threshold is the writer's dirty ratio of it, the
/// background threshold half of that (the defaults `vm.dirty_background_ratio` 10 against
/// `vm.dirty_ratio` 20); below the freerun ceiling, midway between the two, writers are not throttled.
///
/// Above it, 6.12 pauses the writer (`io_schedule_timeout()`, at most `MAX_PAUSE`, 200 ms) while the
/// flusher writes the inode back. kmsim has no flusher thread: the throttled writer writes back a chunk
/// of its own file's dirty pages itself and sleeps for their I/O time, as `balance_dirty_pages()` did
/// before the IO-less throttling of 3.2. The effect the workload shows is the same: a writer dirties no
/// faster than its pages can be written, dirty memory stays near the limit, and the written pages stay
/// in the page cache, clean, for reclaim to drop cheaply.
extension PageReclaim {
    /// `MAX_PAUSE`: the longest a throttled writer waits per call.
    static let maxDirtyPauseNanoseconds: UInt64 = 200_000_000
    /// Pages a throttled writer writes back per pause (`MIN_WRITEBACK_PAGES` is 4 MiB; a smaller chunk
    /// keeps the pause short at kmsim's default 20 µs per page).
    static let dirtyWritebackChunk = 256

    /// Dirty page cache on every node (`NR_FILE_DIRTY`, meminfo's Dirty).
    public var dirtyPages: Int { nodeStates.reduce(0) { $0 + $1.dirty.load(ordering: .relaxed) } }

    /// `global_dirtyable_memory()`: free pages above `totalreserve_pages` plus the file LRU pages.
    public var dirtyableMemory: Int {
        let free = allocator.populatedZones.reduce(0) { $0 + $1.freePages }
        let file = lruvecs.reduce(0) { $0 + $1.size(.activeFile) + $1.size(.inactiveFile) }
        return max(free - allocator.totalReservePages, 0) + file
    }

    /// `domain_dirty_limits()` for `ratio` of the dirtyable memory: (background, threshold) in pages.
    public func dirtyLimits(ratio: Double) -> (background: Int, threshold: Int) {
        let threshold = Int(Double(dirtyableMemory) * min(max(ratio, 0), 1))
        return (threshold / 2, threshold)
    }

    /// `balance_dirty_pages_ratelimited()` after a write to `region`: returns at once while dirty plus
    /// writeback pages are under the freerun ceiling; above it, writes back up to `dirtyWritebackChunk`
    /// of the region's dirty pages and sleeps for their I/O (at most `MAX_PAUSE`). Process context only.
    public nonisolated(nonsending) func balanceDirtyPages(_ region: MemoryRegion, dirtyRatio: Double, context: ExecutionContext) async {
        let limits = dirtyLimits(ratio: dirtyRatio)
        let freerunCeiling = (limits.threshold + limits.background) / 2
        guard dirtyPages + writebackPages > freerunCeiling else { return }
        count(.dirtyThrottled, cpu: context.cpu)
        let log = allocator.eventLog
        let traced = log.isEnabled ? log.now() : nil
        await writebackRegion(region, maxPages: Self.dirtyWritebackChunk, context: context)
        if let traced { log.recordSlice(.dirtyThrottle, track: log.track(of: context), since: traced) }
    }

    /// `write_cache_pages()` for a file: from the region's writeback index on, up to `maxPages` resident
    /// dirty pages on the LRU lose PG_dirty and get PG_writeback (they stay on the LRU: reclaim keeps
    /// them, and a reclaimer waits for writeback as it does for its own); one sleep for their I/O; then
    /// PG_writeback is cleared on each page still mapped there. Returns the pages written.
    @discardableResult
    nonisolated(nonsending) func writebackRegion(_ region: MemoryRegion, maxPages: Int, context: ExecutionContext) async -> Int {
        guard region.kind == .file, region.pageCount > 0 else { return 0 }
        var started: [(pfn: PFN, index: Int, node: Int)] = []
        var index = region.writebackIndex.load(ordering: .relaxed)
        for _ in 0..<region.pageCount where started.count < maxPages {
            index = index + 1 >= region.pageCount ? 0 : index + 1
            let value = region.slot(index).load(ordering: .sequentiallyConsistent)
            guard let pfn = MemoryRegion.pfn(value) else { continue }
            let node = allocator.node(of: pfn)
            let lruvec = lruvecs[node]
            let marked: Bool = lruvec.lruLock.withLock(cpu: context.cpu) {
                guard region.slot(index).load(ordering: .sequentiallyConsistent) == value else { return false }
                let frame = lruvec.frames + pfn
                let flags = frame.pointee.flags
                guard flags & PageFlags.dirty.rawValue != 0, flags & PageFlags.lru.rawValue != 0,
                      flags & PageFlags.writeback.rawValue == 0 else { return false }
                frame.pointee.flags = (flags & ~PageFlags.dirty.rawValue) | PageFlags.writeback.rawValue
                nodeStates[node].dirty.subtract(1, ordering: .relaxed)
                nodeStates[node].writebackInFlight.add(1, ordering: .relaxed)
                return true
            }
            if marked { started.append((pfn, index, node)) }
        }
        region.writebackIndex.store(index, ordering: .relaxed)
        // With none of its own pages to write, other writers' pages make up the excess: the writer pauses
        // for a chunk's I/O, as the kernel's writer would while the flusher works.
        let pages = started.isEmpty ? Self.dirtyWritebackChunk : started.count
        _ = await simulatedSleep(nanoseconds: min(config.writeNanosecondsPerPage * UInt64(pages), Self.maxDirtyPauseNanoseconds),
                                 context: context, debug: debug)
        for page in started {
            lruvecs[page.node].lruLock.withLock(cpu: context.cpu) {
                if region.slot(page.index).load(ordering: .sequentiallyConsistent) == MemoryRegion.resident(page.pfn) {
                    lruvecs[page.node].frames[page.pfn].flags &= ~PageFlags.writeback.rawValue
                }
            }
            endWriteback(node: page.node, pages: 1)
        }
        count(.pagesWrittenByDirtier, started.count, cpu: context.cpu)
        return started.count
    }
}
