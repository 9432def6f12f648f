import Testing
@testable import KMSim

/// Migratetype fallback, pageblock claiming and the highatomic reserve.
@Suite struct PageAllocFragmentationTests {
    func blockCounts(_ zone: Zone) -> [MigrateType: Int] {
        var counts: [MigrateType: Int] = [:]
        var pfn = zone.startPFN
        while pfn < zone.endPFN {
            counts[zone.memory.pageblockMigratetype(pfn), default: 0] += 1
            pfn += PageAllocator.pageblockPages
        }
        return counts
    }

    @Test func unmovableRequestClaimsAWholeMovablePageblock() throws {
        // Node 1 (CPU 1): node 0 holds the page tables the boot allocated for vmalloc.
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1, zoneSizes: [0: [:], 1: [:]])
        let allocator = machine.pageAllocator
        let zone = allocator.zone(node: 1, type: .normal)
        #expect(blockCounts(zone) == [.movable: 32])
        // Every pageblock starts Movable; an unmovable request must fall back. __rmqueue_fallback takes
        // the largest free block, a MAX_ORDER block spanning two pageblocks, and claims both.
        let pfn = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 1)))
        #expect(zone.memory.pageblockMigratetype(pfn) == .unmovable)
        #expect(blockCounts(zone) == [.movable: 30, .unmovable: 2])
        // A reclaimable request claims another block; movable requests keep using Movable blocks.
        let reclaimable = try #require(allocator.allocPages(order: 0, gfp: [.kernel, .reclaimable], context: .task(cpu: 1)))
        #expect(zone.memory.pageblockMigratetype(reclaimable) == .reclaimable)
        let movable = try #require(allocator.allocPages(order: 0, gfp: .highUserMovable, context: .task(cpu: 1)))
        #expect(zone.memory.pageblockMigratetype(movable) == .movable)
        let info = ProcFS.pagetypeinfo(machine)
        #expect(info.contains("Node 1, zone   Normal            2           28            2            0            0            0 \n"))
        allocator.freePages(pfn, order: 0, context: .task(cpu: 1))
        allocator.freePages(reclaimable, order: 0, context: .task(cpu: 1))
        allocator.freePages(movable, order: 0, context: .task(cpu: 1))
        allocator.drainAllPages(context: .task(cpu: 1))
        #expect(machine.checkInvariants() == [])
    }

    @Test func movableFallbackClaimsWholeMaxOrderBlocks() throws {
        let machine = try makeMachine(cpusPerNode: 1, zoneSizes: [0: [:]])
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        zone.lock.withLock(cpu: 0) {
            // Turn every block Unmovable, then ask for a movable page: the largest fallback block is of
            // MAX_ORDER, at least pageblock order, so the movable request claims its two pageblocks.
            var pfn = zone.startPFN
            while pfn < zone.endPFN {
                zone.moveFreePagesBlock(pfn, to: MigrateType.unmovable.rawValue)
                pfn += PageAllocator.pageblockPages
            }
            let taken = zone.rmqueue(order: 0, migratetype: MigrateType.movable.rawValue, allocFlags: [])
            #expect(taken != nil)
            if let taken {
                #expect(zone.memory.pageblockMigratetype(taken) == .movable)
                zone.freeOnePage(taken, order: 0, migratetype: zone.pageblockMigratetype(taken))
            }
        }
        #expect(blockCounts(zone) == [.unmovable: 30, .movable: 2])
        #expect(machine.checkInvariants() == [])
    }

    @Test func highOrderAtomicAllocationReservesAPageblock() throws {
        // 256 MiB of Normal: 65536 pages, 1 % is 655, rounded up to 2 pageblocks of reserve at most.
        let machine = try makeMachine(cpusPerNode: 1, memoryPerNode: 256 << 20, zoneSizes: [0: [:]])
        let allocator = machine.pageAllocator
        let zone = allocator.zone(node: 0, type: .normal)
        let irq = ExecutionContext.hardIRQ(cpu: 0)
        #expect(GFPFlags.atomic.allocFlags(order: 2).contains(.highAtomic))
        // The fast path does not reserve; push the zone below its low watermark so the slow path runs
        // with ALLOC_HIGHATOMIC.
        var held: [PFN] = []
        while zone.freePages > zone.watermarkLow {
            guard let pfn = allocator.allocPages(order: 5, gfp: [.kernel, .noWarn], context: .task(cpu: 0)) else { break }
            held.append(pfn)
        }
        let atomic = try #require(allocator.allocPages(order: 2, gfp: .atomic, context: irq))
        #expect(zone.memory.pageblockMigratetype(atomic) == .highAtomic)
        #expect(zone.reservedHighatomic == PageAllocator.pageblockPages)
        #expect(zone.freeHighatomic > 0)
        // Normal requests do not count the free reserve (__zone_watermark_unusable_free), reserve users do.
        let normal = ZoneType.normal.rawValue
        let free = zone.freePages
        let mark = free - zone.freeHighatomic
        #expect(!zone.watermarkOK(order: 0, mark: mark, highestZoneIndex: normal, allocFlags: []))
        #expect(zone.watermarkOK(order: 0, mark: mark, highestZoneIndex: normal, allocFlags: .highAtomic))
        allocator.freePages(atomic, order: 2, context: irq)
        for pfn in held { allocator.freePages(pfn, order: 5, context: .task(cpu: 0)) }
        allocator.drainAllPages(context: .task(cpu: 0))
        #expect(machine.checkInvariants() == [])
    }
}
