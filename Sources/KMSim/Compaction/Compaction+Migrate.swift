/// Page migration for compaction (mm/migrate.c, 6.12): `migrate_pages()` → `migrate_folio_unmap()` +
/// `migrate_folio_move()` for LRU folios: a target from `compaction_alloc()`, the contents copied
/// (`folio_copy()`), the flags and mapping handed over (`folio_migrate_flags()`,
/// `folio_migrate_mapping()`: the region's slot now points at the new page), the new page put on the
/// source's LRU list, and the source freed.
extension Compaction {
    /// `migrate_pages()` over the run's isolated pages. Returns false when targets ran out (`-ENOMEM`);
    /// pages not migrated stay in `cc.migratepages` for the caller's `putback_movable_pages()`.
    func migratePages(_ cc: inout CompactControl) -> Bool {
        var done = 0
        var succeeded = 0
        var outOfTargets = false
        while done < cc.migratepages.count {
            let page = cc.migratepages[done]
            guard let target = compactionAlloc(&cc) else {
                outOfTargets = true
                break
            }
            let moved = page.region == nil ? migrateMovablePage(page, to: target, &cc) : migrateFolio(page, to: target, &cc)
            if !moved {
                // Unmapped while isolated: the target goes back unused, the source is freed.
                cc.freepages[0].append(target)
                cc.nrFreepages += 1
                freeUnmappedPage(page.pfn, &cc)
            }
            page.region?.release()
            succeeded += 1
            done += 1
        }
        cc.migratepages.removeFirst(done)
        cc.migrated += succeeded
        vmstat.count(.pgmigrateSuccess, succeeded, context: cc.context)
        // -ENOMEM: the page that found no target fails; the rest were not tried (`migrate_pages_batch()`).
        if outOfTargets {
            cc.failed += 1
            vmstat.count(.pgmigrateFail, 1, context: cc.context)
        }
        return !outOfTargets
    }

    /// Moves one isolated LRU page to `target` under the node's `lru_lock`; false when the page's task
    /// unmapped it while it was isolated (the kernel's "folio was freed from under us"). The copy is
    /// charged as writing and reading a page on the virtual clock.
    func migrateFolio(_ page: IsolatedPage, to target: PFN, _ cc: inout CompactControl) -> Bool {
        let lruvec = lruvecs[cc.zone.node]
        let zone = cc.zone
        let moved: Bool = lruvec.lruLock.withLock(cpu: cc.context.cpu) {
            guard let region = page.region?.takeUnretainedValue() else { return false }
            let slot = region.slot(page.index)
            guard slot.load(ordering: .sequentiallyConsistent) == MemoryRegion.resident(page.pfn) else { return false }
            let source = lruvec.frames + page.pfn
            let destination = lruvec.frames + target
            (zone.arenaBase + target << MachineSpec.pageShift)
                .copyMemory(from: zone.arenaBase + page.pfn << MachineSpec.pageShift, byteCount: MachineSpec.pageSize)
            zone.charge(.zeroPerKiB, times: 2 * MachineSpec.pageSize / 1024)
            let list = lruvec.list(of: page.pfn)
            destination.pointee.flags = source.pointee.flags | PageFlags.allocated.rawValue
            destination.pointee.order = 0
            destination.pointee.zoneIndex = source.pointee.zoneIndex
            destination.pointee.owner = source.pointee.owner
            destination.pointee.slabFreelist = source.pointee.slabFreelist
            destination.pointee.slabCounters = source.pointee.slabCounters
            slot.store(MemoryRegion.resident(target), ordering: .sequentiallyConsistent)
            lruvec.add(target, to: list)
            source.pointee.flags = PageFlags.allocated.rawValue
            source.pointee.owner = 0
            source.pointee.slabFreelist = 0
            source.pointee.slabCounters = 0
            return true
        }
        if moved { freeMigrationSource(page.pfn, &cc) }
        return moved
    }

    /// `movable_operations.migrate_page` for a workload's movable page: its contents are copied to
    /// `target` and its frame's owner and zone handed over, then its handle moves to `target`
    /// (`MovablePages.migrate`), so the task that holds the handle later frees `target`; the source is
    /// freed. False when the task freed the page while it was isolated (`target` stays the run's, and
    /// the caller frees the source). No lock: the handle's compare-and-exchange decides. The copy is
    /// charged as writing and reading a page on the virtual clock.
    func migrateMovablePage(_ page: IsolatedPage, to target: PFN, _ cc: inout CompactControl) -> Bool {
        let zone = cc.zone
        guard movablePages.isLive(page.index) else {
            // Freed by its task while isolated: clear the entry's isolation; the caller frees the page.
            _ = movablePages.putback(page.index, at: page.pfn)
            return false
        }
        (zone.arenaBase + target << MachineSpec.pageShift)
            .copyMemory(from: zone.arenaBase + page.pfn << MachineSpec.pageShift, byteCount: MachineSpec.pageSize)
        zone.charge(.zeroPerKiB, times: 2 * MachineSpec.pageSize / 1024)
        let source = zone.frames + page.pfn
        let destination = zone.frames + target
        // The target is the run's allocated order-0 page already (`compaction_alloc()`); it takes the
        // source's identity before the handle can reach it.
        destination.pointee.flags = source.pointee.flags | PageFlags.allocated.rawValue
        destination.pointee.zoneIndex = source.pointee.zoneIndex
        destination.pointee.owner = source.pointee.owner
        guard movablePages.migrate(page.index, from: page.pfn, to: target) else {
            destination.pointee.flags = PageFlags.allocated.rawValue
            destination.pointee.owner = 0
            return false
        }
        source.pointee.flags = PageFlags.allocated.rawValue
        source.pointee.owner = 0
        freeMigrationSource(page.pfn, &cc)
        return true
    }

    /// Frees an isolated page whose task unmapped it meanwhile, as reclaim's `freeReclaimed` does: a dirty
    /// page leaves `NR_FILE_DIRTY`.
    func freeUnmappedPage(_ pfn: PFN, _ cc: inout CompactControl) {
        let frame = allocator.frame(pfn)
        if frame.pointee.flags & PageFlags.dirty.rawValue != 0 {
            nodeStates[cc.zone.node].dirty.subtract(1, ordering: .relaxed)
        }
        frame.pointee.flags = PageFlags.allocated.rawValue
        frame.pointee.owner = 0
        frame.pointee.slabFreelist = 0
        frame.pointee.slabCounters = 0
        freeMigrationSource(pfn, &cc)
    }

    /// The source page's final `folio_put()`, straight to the buddy lists under `&zone->lock` (the kernel
    /// frees to the per-CPU list and compaction drains it, `lru_add_drain_cpu_zone()`, before the next
    /// aligned block; the buddy state is the same). With a capture requested, the block the free
    /// completes is taken when it reaches the run's order (`compaction_capture()` in
    /// `__free_one_page()`): a movable pageblock is not handed to a non-movable request below a
    /// pageblock's order.
    func freeMigrationSource(_ pfn: PFN, _ cc: inout CompactControl) {
        let zone = cc.zone
        zone.lock.lock(cpu: cc.context.cpu)
        zone.frames[pfn].flags = 0
        let migratetype = zone.pageblockMigratetype(pfn)
        zone.freeOnePage(pfn, order: 0, migratetype: migratetype)
        if cc.captureRequested && cc.captured == nil && cc.order > 0,
           let (head, order) = Self.freeBlock(containing: pfn, in: zone), order >= cc.order,
           !(cc.order < PageAllocator.pageblockOrder && migratetype == MigrateType.movable.rawValue
             && cc.migratetype != MigrateType.movable.rawValue) {
            zone.deleteAndExpand(head, low: cc.order, high: order, migratetype: migratetype)
            zone.frames[head].flags = PageFlags.allocated.rawValue
            cc.captured = head
        }
        zone.lock.unlock(cpu: cc.context.cpu)
        vmstat.count(.pgfree, 1, context: cc.context)
    }

    /// The free block a just-freed page merged into: its head and order. Under `&zone->lock`.
    static func freeBlock(containing pfn: PFN, in zone: Zone) -> (head: PFN, order: Int)? {
        for order in 0...PageAllocator.maxOrder {
            let head = pfn & ~((1 << order) - 1)
            if zone.spans(head), zone.isBuddyHead(head), Int(zone.frames[head].order) == order { return (head, order) }
        }
        return nil
    }
}
