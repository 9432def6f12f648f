import Testing
@testable import KMSim

/// The invariant checker is shown to catch what it checks: each test boots a machine, corrupts exactly
/// one invariant `Machine.checkInvariants()` covers through internal state, asserts the violation is
/// reported with a message naming it, then undoes the corruption and asserts the machine checks clean.
/// (A checker that always returned no problems fails every test here.)
@Suite struct InvariantCheckerTests {
    static let context = ExecutionContext.task(cpu: 0, pid: 1)

    /// One node of 64 MiB, all ZONE_NORMAL, two CPUs.
    static func machine() throws -> Machine { try ReclaimTest.machine() }

    /// A zone's first non-empty buddy free list and its head block.
    static func freeBlock(_ zone: Zone) throws -> (order: Int, type: Int, pfn: PFN) {
        for order in (0...PageAllocator.maxOrder).reversed() {
            for type in 0..<Zone.freeListTypes {
                let head = zone.freeList(order: order, migratetype: type).pointee.head
                if head != PageFrame.none { return (order, type, PFN(head)) }
            }
        }
        throw CheckerTestError.noFreeBlock
    }

    enum CheckerTestError: Error { case noFreeBlock, noSlab }

    /// Runs `corrupt`, expects a problem containing every fragment, runs `restore`, expects none.
    static func expectCaught(_ machine: Machine, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation,
                             corrupt: () -> Void, restore: () -> Void) {
        #expect(machine.checkInvariants().isEmpty, "clean before", sourceLocation: sourceLocation)
        corrupt()
        let problems = machine.checkInvariants()
        #expect(problems.contains { problem in fragments.allSatisfy(problem.contains) },
                "expected \(fragments) in \(problems)", sourceLocation: sourceLocation)
        restore()
        #expect(machine.checkInvariants().isEmpty, "clean after restoring", sourceLocation: sourceLocation)
    }

    // MARK: Page allocator

    @Test func pageConservation() throws {
        let machine = try Self.machine()
        let allocator = machine.pageAllocator
        let pfn = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: Self.context))
        let frame = allocator.frame(pfn)
        let flags = frame.pointee.flags
        Self.expectCaught(machine, ["pfn \(pfn) is neither free, on a pcp list, nor allocated"],
                          corrupt: { frame.pointee.flags = 0 }, restore: { frame.pointee.flags = flags })
        Self.expectCaught(machine, ["node 0 zone Normal: buddy", "!= managed"],
                          corrupt: { frame.pointee.flags = 0 }, restore: { frame.pointee.flags = flags })
        allocator.freePages(pfn, order: 0, context: Self.context)
    }

    @Test func freeListLinks() throws {
        let machine = try Self.machine()
        let zone = ReclaimTest.zone(machine)
        let block = try Self.freeBlock(zone)
        let saved = zone.frames[block.pfn].prev
        Self.expectCaught(machine, ["free list order \(block.order) type \(block.type) is corrupt"],
                          corrupt: { zone.frames[block.pfn].prev = UInt32(block.pfn) }, restore: { zone.frames[block.pfn].prev = saved })
    }

    @Test func freeListOrderOfABlock() throws {
        let machine = try Self.machine()
        let zone = ReclaimTest.zone(machine)
        let block = try Self.freeBlock(zone)
        let saved = zone.frames[block.pfn].order
        Self.expectCaught(machine, ["pfn \(block.pfn) on free list order \(block.order)", "is not marked as a free block of it"],
                          corrupt: { zone.frames[block.pfn].order = saved == 0 ? 1 : saved - 1 },
                          restore: { zone.frames[block.pfn].order = saved })
    }

    @Test func buddyBitmap() throws {
        let machine = try Self.machine()
        let zone = ReclaimTest.zone(machine)
        let block = try Self.freeBlock(zone)
        #expect(zone.isBuddyHead(block.pfn))
        Self.expectCaught(machine, ["pfn \(block.pfn) on free list order \(block.order)", "is not marked as a free block of it"],
                          corrupt: { zone.setBuddyHead(block.pfn, false) }, restore: { zone.setBuddyHead(block.pfn, true) })
    }

    @Test func freeListAndZoneCounts() throws {
        let machine = try Self.machine()
        let zone = ReclaimTest.zone(machine)
        let block = try Self.freeBlock(zone)
        let list = block.order * Zone.freeListTypes + block.type
        Self.expectCaught(machine, ["free list order \(block.order) type \(block.type) holds", "counted"],
                          corrupt: { zone.freeListCounts.add(list, 1) }, restore: { zone.freeListCounts.add(list, -1) })
        Self.expectCaught(machine, ["nr_free[\(block.order)] is"],
                          corrupt: { zone.nrFree.add(block.order, 1) }, restore: { zone.nrFree.add(block.order, -1) })
        Self.expectCaught(machine, ["NR_FREE_PAGES is", "buddy lists hold"],
                          corrupt: { zone.state.add(Zone.State.freePages.rawValue, 1) },
                          restore: { zone.state.add(Zone.State.freePages.rawValue, -1) })
    }

    @Test func perCPUListCount() throws {
        let machine = try Self.machine()
        let allocator = machine.pageAllocator
        let zone = ReclaimTest.zone(machine)
        let pfn = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: Self.context))
        allocator.freePages(pfn, order: 0, context: Self.context)
        #expect(zone.pcp(0).pointee.count > 0, "the freed page went to CPU 0's pcp list")
        Self.expectCaught(machine, ["cpu 0's pcp count is", "lists hold"],
                          corrupt: { zone.pcp(0).pointee.count += 1 }, restore: { zone.pcp(0).pointee.count -= 1 })
    }

    // MARK: Slab

    @Test func slabCensus() throws {
        let machine = try Self.machine()
        let slab = machine.slab
        let object = try #require(slab.kmalloc(64, gfp: .kernel, context: Self.context))
        let cache = try #require(slab.kmallocCache(size: 64, gfp: .kernel))
        let pfnCount = machine.spec.pagesPerNode * machine.spec.nodes
        let slabPFN = try #require((0..<pfnCount).first { pfn in
            let frame = machine.pageAllocator.frame(pfn).pointee
            return frame.flags & PageFlags.slab.rawValue != 0 && frame.flags & PageFlags.tail.rawValue == 0 && frame.owner == UInt32(cache.id)
        })
        let frame = machine.pageAllocator.frame(slabPFN)
        let counters = frame.pointee.slabCounters
        Self.expectCaught(machine, ["\(cache.name): slab pfn \(slabPFN) has", "objects on its freelist but inuse"],
                          corrupt: { frame.pointee.slabCounters = counters &+ 1 }, restore: { frame.pointee.slabCounters = counters })
        let node = cache.nodes[0]
        Self.expectCaught(machine, ["\(cache.name): nodes count", "slabs, frame table has"],
                          corrupt: { node.nrSlabs.add(1, ordering: .relaxed) }, restore: { node.nrSlabs.subtract(1, ordering: .relaxed) })
        Self.expectCaught(machine, ["slab: vmstat counts", "slab pages, the caches and kmalloc_large hold"],
                          corrupt: { machine.vmstat.count(.nrSlabUnreclaimable, 1, context: Self.context) },
                          restore: { machine.vmstat.count(.nrSlabUnreclaimable, -1, context: Self.context) })
        slab.kfree(object, context: Self.context)
    }

    // MARK: vmalloc

    @Test func vmallocCountersAndMappings() throws {
        let machine = try Self.machine()
        let vmalloc = machine.vmalloc
        let address = try #require(vmalloc.vmalloc(3 * 4096, context: Self.context))
        Self.expectCaught(machine, ["vmap_lazy_nr is 1, the lazy areas hold 0 pages"],
                          corrupt: { vmalloc.vmapLazyNr.add(1, ordering: .relaxed) },
                          restore: { vmalloc.vmapLazyNr.subtract(1, ordering: .relaxed) })
        Self.expectCaught(machine, ["nr_vmalloc_pages is", "VM_ALLOC areas hold"],
                          corrupt: { vmalloc.nrVmallocPagesCounter.add(1, ordering: .relaxed) },
                          restore: { vmalloc.nrVmallocPagesCounter.subtract(1, ordering: .relaxed) })
        // A lazy range laid over the busy area: the address space is handed out twice.
        let overlapping = LazyArea(start: address, end: address + 4096)
        Self.expectCaught(machine, ["lazy range", "overlaps the range before it"],
                          corrupt: { vmalloc.lazyLock.withLock(cpu: 0) { vmalloc.lazyAreas.append(overlapping) } },
                          restore: { vmalloc.lazyLock.withLock(cpu: 0) { _ = vmalloc.lazyAreas.popLast() } })
        // A page of the area unmapped behind vmalloc's back: the page table no longer maps it.
        let pfn = try #require(vmalloc.vmallocToPage(address + 4096))
        Self.expectCaught(machine, [String(format: "page 1 of the area at 0x%llx is not mapped to its PFN", address)],
                          corrupt: { vmalloc.pageTable.unmap(start: address + 4096, pages: 1) },
                          restore: {
                              let pfns = [UInt32(pfn)]
                              pfns.withUnsafeBufferPointer { try? vmalloc.pageTable.map(start: address + 4096, pfns: $0, gfp: .kernel, context: Self.context) }
                          })
        vmalloc.vfree(address, context: Self.context)
    }

    // MARK: LRU

    @Test func lruMembership() async throws {
        let machine = try Self.machine()
        let reclaim = machine.reclaim
        let task = try #require(reclaim.registerTask(pid: 100, comm: "reader"))
        let region = reclaim.mapFile(task, pages: 4)
        for index in 0..<4 { _ = await reclaim.readFile(region, page: index, context: Self.context) }
        let lruvec = reclaim.lruvecs[0]
        let pfn = try #require(lruvec.tail(.inactiveFile))
        let frame = machine.pageAllocator.frame(pfn)
        let flags = frame.pointee.flags
        // A listed page that lost PG_lru, and one whose flags say another list.
        Self.expectCaught(machine, ["node 0 nr_zone_inactive_file: pfn \(pfn) is listed but"],
                          corrupt: { frame.pointee.flags = flags & ~PageFlags.lru.rawValue },
                          restore: { frame.pointee.flags = flags })
        Self.expectCaught(machine, ["node 0 nr_zone_inactive_file: pfn \(pfn) is listed but"],
                          corrupt: { frame.pointee.flags = flags | PageFlags.active.rawValue },
                          restore: { frame.pointee.flags = flags })
        // A zone count that disagrees with the list.
        let index = ZoneType.normal.rawValue * 4 + LRUList.inactiveFile.rawValue
        Self.expectCaught(machine, ["node 0 zone Normal nr_zone_inactive_file is 5, the list holds 4"],
                          corrupt: { lruvec.counts.addLocked(index, 1) }, restore: { lruvec.counts.addLocked(index, -1) })
        // A broken back link.
        let previous = frame.pointee.prev
        Self.expectCaught(machine, ["node 0 nr_zone_inactive_file: the list is corrupt"],
                          corrupt: { frame.pointee.prev = PageFrame.none }, restore: { frame.pointee.prev = previous })
        // A page with PG_lru on no list (an allocated page that was never added).
        let stray = try #require(machine.pageAllocator.allocPages(order: 0, gfp: .kernel, context: Self.context))
        let strayFrame = machine.pageAllocator.frame(stray)
        let strayFlags = strayFrame.pointee.flags
        Self.expectCaught(machine, ["node 0: 5 pages have PG_lru, the LRU lists hold 4"],
                          corrupt: { strayFrame.pointee.flags = strayFlags | PageFlags.lru.rawValue },
                          restore: { strayFrame.pointee.flags = strayFlags })
        machine.pageAllocator.freePages(stray, order: 0, context: Self.context)
    }
}
