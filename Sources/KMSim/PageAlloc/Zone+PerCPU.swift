/// The per-CPU page lists (mm/page_alloc.c, 6.12): `rmqueue_pcplist()`, `rmqueue_bulk()`,
/// `nr_pcp_alloc()`, `free_unref_page_commit()`, `nr_pcp_high()`, `nr_pcp_free()`,
/// `free_pcppages_bulk()`, `drain_pages_zone()`.
///
/// The fast paths take the CPU's `&pcp->lock` with a trylock, as `pcp_spin_trylock()` does: when the
/// lock is busy (the CPU's interrupt side, or a drain, holds it) the caller goes to the zone instead.
extension Zone {
    /// `zone_set_pageset_high_and_batch()`: batch from the zone size (`zone_batchsize()`, or the
    /// workload's `pcpBatch`). With `percpu_pagelist_high_fraction` 0, `high_min` from the low watermark
    /// and `high_max` from managed / 8, both split over the CPUs of the zone's node, `high` starting at
    /// `high_min`; with a fraction N, `high_min == high_max` = managed / N split the same way (manual
    /// tuning turns the auto-tuning off). An override is clamped so 4 × batch on every CPU of the node
    /// stays within managed / 8, the kernel's own `high_max`: a batch no kernel formula gives must not
    /// let the lists hold a small zone's every page.
    func setupPageset(cpusOfNode: Int, onlineCPUs: Int, highFraction: Int = 0, batchOverride: Int? = nil) {
        let split = max(cpusOfNode > 0 ? cpusOfNode : onlineCPUs, 1)
        let batchLimit = max(1, managedPages / (PerCPUPageSizing.minHighFraction * 4 * split))
        let batch = batchOverride.map { min($0, batchLimit) } ?? PerCPUPageSizing.batch(managedPages: managedPages)
        let highMin = PerCPUPageSizing.high(lowWatermark: watermarkLow, managedPages: managedPages, batch: batch,
                                            cpusOfNode: cpusOfNode, onlineCPUs: onlineCPUs, highFraction: highFraction)
        let highMax = highFraction != 0 ? highMin
            : PerCPUPageSizing.high(lowWatermark: watermarkLow, managedPages: managedPages, batch: batch,
                                    cpusOfNode: cpusOfNode, onlineCPUs: onlineCPUs,
                                    highFraction: PerCPUPageSizing.minHighFraction)
        for cpu in 0..<cpuCount {
            pcpLocks[cpu].withLock(cpu: cpu) {
                let pcp = pcp(cpu)
                pcp.pointee.batch = Int32(batch)
                pcp.pointee.highMin = Int32(highMin)
                pcp.pointee.highMax = Int32(highMax)
                pcp.pointee.high = Int32(highMin)
            }
        }
    }

    /// `rmqueue_pcplist()` + `__rmqueue_pcplist()`: an order ≤ 3 page from this CPU's list, refilled
    /// from the buddy lists in a batch when empty. Nil when the pcp lock is busy or the zone is empty;
    /// the caller then tries the buddy lists directly. The page comes back marked allocated. Counts the
    /// served allocations and the refills for `PCPListStats`.
    @inline(__always)
    func rmqueuePCPList(order: Int, migratetype: Int, allocFlags: AllocFlags, cpu: Int) -> PFN? {
        guard pcpTrylock(cpu) else {
            pcpLockBusy.add(1, ordering: .relaxed)
            return nil
        }
        charge(.pcpHit)
        var refilled = false
        let pcp = pcp(cpu)
        pcp.pointee.freeCount >>= 1
        let list = pcpLists(cpu) + PerCPUPages.index(order: order, migratetype: migratetype)
        if list.pointee.isEmpty {
            refilled = true
            let batch = nrPCPAlloc(pcp, order: order)
            let added = rmqueueBulk(order: order, count: batch, list: list, migratetype: migratetype,
                                    allocFlags: allocFlags, cpu: cpu)
            pcp.pointee.count &+= Int32(added << order)
        }
        guard let pfn = list.popHead(frames) else {
            pcpUnlock(cpu)
            return nil
        }
        pcp.pointee.count &-= Int32(truncatingIfNeeded: 1 &<< order)
        countPCPAllocation(pcp, cpu: cpu, refilled: refilled)
        frames[pfn].flags = PageFlags.allocated.rawValue
        pcpUnlock(cpu)
        return pfn
    }

    /// `nr_pcp_alloc()`: how many blocks to move from the buddy lists on a refill; grows (`alloc_factor`)
    /// while the CPU allocates without freeing, and lets `high` grow towards `high_max`.
    func nrPCPAlloc(_ pcp: UnsafeMutablePointer<PerCPUPages>, order: Int) -> Int {
        let baseBatch = Int(pcp.pointee.batch)
        let highMin = Int(pcp.pointee.highMin)
        let highMax = Int(pcp.pointee.highMax)
        var high = Swift.min(Swift.max(Int(pcp.pointee.high), highMin), highMax)
        pcp.pointee.high = Int32(high)
        if high < baseBatch { return 1 }
        var batch = order > 0 ? baseBatch : baseBatch << Int(pcp.pointee.allocFactor)
        if highMin != highMax && !testFlag(Self.belowHighFlag) {
            high = Swift.min(high + batch, highMax)
            pcp.pointee.high = Int32(high)
        }
        if order == 0 {
            let maxAlloc = Swift.max(high - Int(pcp.pointee.count) - baseBatch, baseBatch)
            if batch <= maxAlloc && Int32(pcp.pointee.allocFactor) < PerCPUPages.batchScaleMax {
                pcp.pointee.allocFactor += 1
            }
            batch = Swift.min(batch, maxAlloc)
        }
        if batch > 1 { batch = Swift.max(batch >> order, 2) }
        return batch
    }

    /// `rmqueue_bulk()`: takes `count` blocks for the per-CPU list under `&zone->lock`, appended at the
    /// tail so the list stays in physical order.
    @inline(never)
    func rmqueueBulk(order: Int, count: Int, list: UnsafeMutablePointer<PageList>, migratetype: Int,
                     allocFlags: AllocFlags, cpu: Int) -> Int {
        lock.lock(cpu: cpu)
        var taken = 0
        while taken < count {
            guard let pfn = rmqueue(order: order, migratetype: migratetype, allocFlags: allocFlags) else { break }
            frames[pfn].flags = PageFlags.pcp.rawValue
            frames[pfn].order = UInt8(truncatingIfNeeded: order)
            frames[pfn].migratetype = UInt8(truncatingIfNeeded: migratetype)
            list.addTail(pfn, frames)
            taken += 1
        }
        charge(.pageMovedBuddyPCP, times: taken)
        lock.unlock(cpu: cpu)
        return taken
    }

    /// `free_unref_page_commit()`: puts a freed block on the CPU's list (the caller holds the pcp lock)
    /// and, past `high`, returns a batch to the buddy lists. `@_transparent` so that it is part of the
    /// free's one function (see `PageAllocator.freePages`).
    @_transparent
    func freeUnrefPageCommit(_ pfn: PFN, order: Int, migratetype: Int, cpu: Int) {
        charge(.pcpHit)
        let pcp = pcp(cpu)
        pcp.pointee.allocFactor >>= 1
        let index = PerCPUPages.index(order: order, migratetype: migratetype)
        frames[pfn].flags = PageFlags.pcp.rawValue
        frames[pfn].order = UInt8(truncatingIfNeeded: order)
        frames[pfn].migratetype = UInt8(truncatingIfNeeded: migratetype)
        (pcpLists(cpu) + index).addHead(pfn, frames)
        pcp.pointee.count &+= Int32(1 << order)
        let batch = Int(pcp.pointee.batch)
        var freeHigh = false
        if order > 0 && order <= PageAllocator.costlyOrder {
            let flags = pcp.pointee.flags
            freeHigh = Int(pcp.pointee.freeCount) >= batch && flags & PerCPUPages.prevFreeHighOrder != 0
                && (flags & PerCPUPages.freeHighBatch == 0 || Int(pcp.pointee.count) >= batch)
            pcp.pointee.flags |= PerCPUPages.prevFreeHighOrder
        } else if pcp.pointee.flags & PerCPUPages.prevFreeHighOrder != 0 {
            pcp.pointee.flags &= ~PerCPUPages.prevFreeHighOrder
        }
        if Int(pcp.pointee.freeCount) < batch << Int(PerCPUPages.batchScaleMax) {
            pcp.pointee.freeCount &+= Int32(1 << order)
        }
        let high = nrPCPHigh(pcp, batch: batch, freeHigh: freeHigh)
        if Int(pcp.pointee.count) >= high {
            freePCPPagesBulk(count: nrPCPFree(pcp, batch: batch, high: high, freeHigh: freeHigh), cpu: cpu,
                             startIndex: index)
            if testFlag(Self.belowHighFlag)
                && watermarkOK(order: 0, mark: watermarkHigh, highestZoneIndex: ZoneType.movable.rawValue, allocFlags: []) {
                setFlag(Self.belowHighFlag, false)
            }
        }
    }

    /// `nr_pcp_high()`: the list's current limit, shrunk while the zone is below its high watermark and
    /// grown while the CPU frees in long runs.
    @inline(__always)
    func nrPCPHigh(_ pcp: UnsafeMutablePointer<PerCPUPages>, batch: Int, freeHigh: Bool) -> Int {
        let highMin = Int(pcp.pointee.highMin)
        let highMax = Int(pcp.pointee.highMax)
        var high = Swift.min(Swift.max(Int(pcp.pointee.high), highMin), highMax)
        pcp.pointee.high = Int32(high)
        if high == 0 { return 0 }
        if freeHigh {
            pcp.pointee.high = Int32(Swift.max(high - (batch << Int(PerCPUPages.batchScaleMax)), highMin))
            return 0
        }
        // One read of zone->flags for both tests (the kernel's two test_bit()s may see two values; one
        // snapshot is as valid).
        let zoneFlags = flags
        if zoneFlags & Self.reclaimActiveFlag != 0 {
            let freeCount = Swift.max(Int(pcp.pointee.freeCount), batch)
            pcp.pointee.high = Int32(Swift.max(high - freeCount, highMin))
            return Swift.min(batch << 2, Int(pcp.pointee.high))
        }
        if highMin == highMax { return high }
        if zoneFlags & Self.belowHighFlag != 0 {
            let freeCount = Swift.max(Int(pcp.pointee.freeCount), batch)
            pcp.pointee.high = Int32(Swift.max(high - freeCount, highMin))
            high = Swift.max(Int(pcp.pointee.count), highMin)
        } else if Int(pcp.pointee.count) >= high {
            let needHigh = Int(pcp.pointee.freeCount) + batch
            if Int(pcp.pointee.high) < needHigh {
                pcp.pointee.high = Int32(Swift.min(Swift.max(needHigh, highMin), highMax))
            }
        }
        return high
    }

    /// `nr_pcp_free()`: how many pages a bulk free returns; at least `batch` stay on the list.
    func nrPCPFree(_ pcp: UnsafeMutablePointer<PerCPUPages>, batch: Int, high: Int, freeHigh: Bool) -> Int {
        if freeHigh { return Swift.min(Int(pcp.pointee.count), batch << Int(PerCPUPages.batchScaleMax)) }
        if high < batch { return 1 }
        return Swift.min(Swift.max(Int(pcp.pointee.freeCount), batch), Swift.max(high - batch, batch))
    }

    /// `free_pcppages_bulk()`: returns `count` pages from the CPU's lists to the buddy lists under
    /// `&zone->lock`, round-robin over the lists starting with `startIndex`, oldest (tail) first. The
    /// caller holds the pcp lock; `cpu` is the CPU whose lists these are, `lockingCPU` the one running.
    @inline(never)
    func freePCPPagesBulk(count: Int, cpu: Int, startIndex: Int, lockingCPU: Int? = nil) {
        let pcp = pcp(cpu)
        let lists = pcpLists(cpu)
        var count = Swift.min(Int(pcp.pointee.count), count)
        guard count > 0 else { return }
        var index = startIndex - 1
        lock.lock(cpu: lockingCPU ?? cpu)
        while count > 0 {
            var list: UnsafeMutablePointer<PageList>
            repeat {
                index += 1
                if index > PerCPUPages.listCount - 1 { index = 0 }
                list = lists + index
            } while list.pointee.isEmpty
            let order = PerCPUPages.order(ofIndex: index)
            let pages = 1 << order
            repeat {
                guard let pfn = list.popTail(frames) else { break }
                count -= pages
                pcp.pointee.count &-= Int32(pages)
                charge(.pageMovedBuddyPCP)
                frames[pfn].flags = 0
                freeOnePage(pfn, order: order, migratetype: pageblockMigratetype(pfn))
            } while count > 0 && !list.pointee.isEmpty
        }
        lock.unlock(cpu: lockingCPU ?? cpu)
    }

    /// `drain_pages_zone()`: empties `cpu`'s lists of this zone, `batch << 5` pages per lock hold.
    /// Runs on `lockingCPU` (the CPU that asked for the drain).
    func drainPages(cpu: Int, lockingCPU: Int) {
        let lock = pcpLocks[cpu]
        var remaining: Int
        repeat {
            lock.lock(cpu: lockingCPU)
            let pcp = pcp(cpu)
            remaining = Int(pcp.pointee.count)
            if remaining > 0 {
                let toDrain = Swift.min(remaining, Int(pcp.pointee.batch) << Int(PerCPUPages.batchScaleMax))
                freePCPPagesBulk(count: toDrain, cpu: cpu, startIndex: 0, lockingCPU: lockingCPU)
                remaining -= toDrain
            }
            lock.unlock(cpu: lockingCPU)
        } while remaining > 0
    }

    /// Pages on `cpu`'s lists, read under its pcp lock.
    func pcpSnapshot(cpu: Int, lockingCPU: Int) -> (count: Int, high: Int, batch: Int, highMin: Int, highMax: Int) {
        pcpLocks[cpu].withLock(cpu: lockingCPU) {
            let pcp = pcp(cpu).pointee
            return (Int(pcp.count), Int(pcp.high), Int(pcp.batch), Int(pcp.highMin), Int(pcp.highMax))
        }
    }
}
