import Testing
@testable import KMSim

/// Anti-fragmentation as 6.12 does it: `steal_suitable_fallback()`'s movable count, `boost_watermark()`,
/// ALLOC_HIGHATOMIC from `gfp_to_alloc_flags()`, `unreserve_highatomic_pageblock()` on the retry path,
/// the NUMA order under ALLOC_NOFRAGMENT, and `decay_pcp_high()`. Expectations are computed by hand
/// from the kernel's formulas in the comments.
@Suite(TestTime.limit(minutes: 5)) struct PageAllocAntiFragmentationTests {
    static let movable = MigrateType.movable.rawValue
    static let unmovable = MigrateType.unmovable.rawValue

    /// A pageblock of type Unmovable holding `lruPages` pages on an LRU (at its start) and one free
    /// order-7 block (128 pages at offset 256); the rest allocated and not movable. Under the zone lock.
    static func mixedUnmovableBlock(_ zone: Zone, lruPages: Int) -> PFN? {
        guard let block = zone.rmqueueSmallest(order: PageAllocator.pageblockOrder, migratetype: movable) else { return nil }
        zone.memory.setPageblockMigratetype(block, .unmovable)
        for pfn in block..<(block + PageAllocator.pageblockPages) {
            zone.frames[pfn].flags = PageFlags.allocated.rawValue | (pfn - block < lruPages ? PageFlags.lru.rawValue : 0)
        }
        zone.freeOnePage(block + 256, order: 7, migratetype: unmovable)
        return block
    }

    /// A movable request falling back into an Unmovable pageblock claims it when free + movable pages
    /// reach half a pageblock: 128 free + 128 on an LRU = 256 ≥ 1 << (9 − 1) claims it; 128 + 127 = 255
    /// does not (kmsim's earlier count of 0 movable pages never claimed either block).
    @Test(arguments: [(128, true), (127, false)])
    func movablePagesDecideWhetherAFallbackClaimsTheBlock(lruPages: Int, claims: Bool) throws {
        // Node 1 (CPU 1): boot's own unmovable allocations (vmalloc's page tables) are on node 0.
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1, zoneSizes: [0: [:], 1: [:]])
        let zone = machine.pageAllocator.zone(node: 1, type: .normal)
        let result: (block: PFN, counted: Int, taken: PFN, type: MigrateType)? = zone.lock.withLock(cpu: 1) {
            guard let block = Self.mixedUnmovableBlock(zone, lruPages: lruPages),
                  let counts = zone.prepareMoveFreePagesBlockCounting(block + 300) else { return nil }
            #expect(counts.start == block && counts.free == 128)
            // The order-7 Unmovable block is the only fallback a movable request finds (Movable lists are
            // not fallbacks of themselves), and order 7 ≥ pageblock_order / 2 lets it steal the block.
            guard let taken = zone.rmqueueFallback(order: 0, startType: Self.movable, allocFlags: []) else { return nil }
            return (block, counts.movable, taken, zone.memory.pageblockMigratetype(block))
        }
        let got = try #require(result)
        #expect(got.counted == lruPages)
        #expect(got.taken >= got.block + 256 && got.taken < got.block + 384)
        #expect(got.type == (claims ? .movable : .unmovable))
    }

    /// `PageLRU()` answers for a compound tail from its head: an order-2 compound page on an LRU counts
    /// 4 movable pages, the same page off the LRU none.
    @Test func compoundTailsCountAsTheirHead() throws {
        #expect(MemoryLayout<PageFrame>.offset(of: \PageFrame.owner) == Zone.frameOwnerOffset)
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1, zoneSizes: [0: [:], 1: [:]])
        let zone = machine.pageAllocator.zone(node: 1, type: .normal)
        let counts: [Int] = zone.lock.withLock(cpu: 1) {
            guard let block = Self.mixedUnmovableBlock(zone, lruPages: 0) else { return [] }
            var counts: [Int] = []
            for headFlags in [PageFlags.allocated.rawValue | PageFlags.head.rawValue | PageFlags.lru.rawValue,
                              PageFlags.allocated.rawValue | PageFlags.head.rawValue] {
                zone.frames[block].flags = headFlags
                for tail in 1..<4 {
                    zone.frames[block + tail].flags = PageFlags.tail.rawValue
                    zone.frames[block + tail].owner = UInt32(block)
                }
                counts.append(zone.prepareMoveFreePagesBlockCounting(block)?.movable ?? -1)
            }
            return counts
        }
        #expect(counts == [4, 0])
    }

    /// The unmovable side: in a Movable block every page neither free nor movable is "alike", so an
    /// unmovable request claims a block of 128 free and 100 LRU pages (128 + 512 − 228 = 412 ≥ 256).
    @Test func unmovableFallbackCountsEveryNonMovablePageAsAlike() throws {
        let machine = try makeMachine(cpusPerNode: 1, zoneSizes: [0: [:]])
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        let type: MigrateType? = zone.lock.withLock(cpu: 0) {
            guard let block = Self.mixedUnmovableBlock(zone, lruPages: 100) else { return nil }
            zone.memory.setPageblockMigratetype(block, .movable)
            zone.moveToFreeList(block + 256, order: 7, to: Self.movable)
            guard zone.stealSuitableFallback(order: 0, currentOrder: 7, fromType: Self.movable, startType: Self.unmovable,
                                             allocFlags: [], wholeBlock: true) != nil else { return nil }
            return zone.memory.pageblockMigratetype(block)
        }
        #expect(type == .unmovable)
    }

    /// `boost_watermark()` on a 64 MiB zone (16384 pages, high 384): max_boost = mult_frac(384, 15000,
    /// 10000) = 576, at least a pageblock; each fragmenting fallback adds a pageblock: 512, then 576.
    /// A steal of a whole pageblock or more does not boost; the boost shows in zoneinfo and raises
    /// every watermark. Without ALLOC_KSWAPD no ZONE_BOOSTED_WATERMARK; factor 0 never boosts.
    @Test func fragmentingFallbacksBoostTheWatermarks() throws {
        let machine = try makeMachine(cpusPerNode: 1, zoneSizes: [0: [:]])
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        #expect(zone.managedPages == 16384 && zone.state[Zone.State.watermarkHigh.rawValue] == 384)
        let (min, low, high) = (zone.watermarkMin, zone.watermarkLow, zone.watermarkHigh)
        let boosts: [Int] = zone.lock.withLock(cpu: 0) {
            var boosts: [Int] = []
            // A MAX_ORDER Movable block taken by an unmovable request: whole pageblocks, no boost.
            _ = zone.rmqueueFallback(order: 0, startType: Self.unmovable, allocFlags: [])
            boosts.append(zone.watermarkBoost)
            for _ in 0..<2 {
                guard let block = zone.rmqueueSmallest(order: PageAllocator.pageblockOrder, migratetype: Self.movable) else { break }
                zone.freeOnePage(block, order: 8, migratetype: Self.movable)
                _ = zone.stealSuitableFallback(order: 0, currentOrder: 8, fromType: Self.movable, startType: Self.unmovable,
                                               allocFlags: [], wholeBlock: true)
                boosts.append(zone.watermarkBoost)
            }
            return boosts
        }
        #expect(boosts == [0, 512, 576])
        #expect(!zone.testFlag(Zone.boostedWatermarkFlag))
        #expect((zone.watermarkMin, zone.watermarkLow, zone.watermarkHigh) == (min + 576, low + 576, high + 576))
        #expect(ProcFS.zoneinfo(machine).contains("\n        boost    576"))

        var spec = MachineSpec(nodes: 1, cpusPerNode: 1, memoryPerNode: 64 << 20, zoneSizes: [0: [:]])
        spec.tunables.watermarkBoostFactor = 0
        let off = try Machine(spec: spec).pageAllocator.zone(node: 0, type: .normal)
        #expect(off.lock.withLock(cpu: 0) { off.boostWatermark() } == false && off.watermarkBoost == 0)
    }

    /// `gfp_to_alloc_flags()` (6.12 stable, with 6a204d4b14c9): ALLOC_HIGHATOMIC for order > 0 requests
    /// that cannot direct-reclaim, are not `__GFP_NOMEMALLOC`, and have `__GFP_HIGH`.
    @Test func allocHighatomicIsSetAs612SetsIt() {
        let cases: [(GFPFlags, Int, Bool)] = [
            (.atomic, 0, false), (.atomic, 1, true), (.atomic, 10, true),
            ([.atomic, .noMemalloc], 2, false), (.noWait, 2, false), (.kernel, 2, false),
            ([.kernel, .high], 2, false), (.high, 3, true), ([.high, .noMemalloc], 3, false),
        ]
        for (gfp, order, expected) in cases {
            #expect(gfp.allocFlags(order: order).contains(.highAtomic) == expected, "\(gfp) order \(order)")
        }
        // The fast path never has it (ALLOC_WMARK_LOW plus CMA/NOFRAGMENT/KSWAPD only).
        #expect(!GFPFlags.atomic.fastPathAllocFlags.contains(.highAtomic))
    }

    /// `unreserve_highatomic_pageblock()` on the retry path: a 256 MiB zone may reserve 2 pageblocks
    /// (ALIGN(65536 / 100, 512) = 1024 pages). Two order-2 pages split from MAX_ORDER blocks reserve
    /// their pageblocks with 508 free pages each (orders 2..8). Without force the zone keeps its last
    /// block; once `should_reclaim_retry()` is past MAX_RECLAIM_RETRIES it unreserves (force) one
    /// block per call, each a reason to retry, and gives up only when none is left. A block given back
    /// takes the request's migratetype (Unmovable for GFP_KERNEL).
    @Test func highatomicReserveIsGivenBackBeforeGivingUp() throws {
        let machine = try makeMachine(cpusPerNode: 1, memoryPerNode: 256 << 20, zoneSizes: [0: [:]])
        let allocator = machine.pageAllocator
        let zone = allocator.zone(node: 0, type: .normal)
        var blocks: [PFN] = []
        for _ in 0..<2 {
            let pfn = try #require(zone.lock.withLock(cpu: 0) { zone.rmqueueSmallest(order: 2, migratetype: Self.movable) })
            zone.reserveHighatomicPageblock(pfn, order: 2, cpu: 0)
            blocks.append(pfn)
        }
        #expect(blocks[1] == blocks[0] + PageAllocator.pageblockPages)
        #expect(zone.reservedHighatomic == 1024 && zone.freeHighatomic == 2 * 508)
        let context = ExecutionContext.task(cpu: 0)
        let ac = try #require(allocator.prepareAllocPages(order: 0, gfp: .kernel, context: context, preferredNode: nil))
        #expect(allocator.unreserveHighatomicPageblock(ac, force: false, cpu: context.cpu))
        #expect(zone.reservedHighatomic == 512 && zone.freeHighatomic == 508)
        #expect(!allocator.unreserveHighatomicPageblock(ac, force: false, cpu: context.cpu), "the last pageblock stays reserved")
        #expect(blocks.map { zone.memory.pageblockMigratetype($0) } == [.unmovable, .highAtomic])

        var loops = PageReclaim.maxReclaimRetries
        let flags = GFPFlags.kernel.allocFlags()
        #expect(allocator.shouldReclaimRetry(ac, reclaim: nil, allocFlags: flags, didSomeProgress: false, noProgressLoops: &loops, context: context))
        #expect(loops == PageReclaim.maxReclaimRetries + 1 && zone.reservedHighatomic == 0 && zone.freeHighatomic == 0)
        #expect(!allocator.shouldReclaimRetry(ac, reclaim: nil, allocFlags: flags, didSomeProgress: false, noProgressLoops: &loops, context: context))
        #expect(blocks.map { zone.memory.pageblockMigratetype($0) } == [.unmovable, .unmovable])
        zone.lock.withLock(cpu: 0) {
            for pfn in blocks { zone.freeOnePage(pfn, order: 2, migratetype: zone.pageblockMigratetype(pfn)) }
        }
        #expect(machine.checkInvariants() == [])
    }

    /// ALLOC_NOFRAGMENT on two nodes: node 1's Normal zone has only order-8 Movable blocks free and its
    /// DMA32 zone nothing, so the first pass (whole pageblocks only) fails there. Reaching node 0's
    /// Normal zone, the walk restarts without ALLOC_NOFRAGMENT and node 1's Normal zone serves the
    /// unmovable request from an order-8 block (claiming its pageblock: 256 free + 256 alike ≥ 256,
    /// and boosting: max(512, mult_frac(high, 15000, 10000)) = 512) before any remote zone is tried,
    /// which would have claimed a whole free pageblock there.
    @Test func noFragmentRetriesTheLocalNodeBeforeAnyRemoteZone() async throws {
        // kswapd off: woken for the boost, it would find nothing to reclaim and take the boost back.
        let machine = try Machine(spec: MachineSpec(nodes: 2, cpusPerNode: 1, memoryPerNode: 64 << 20,
                                                    zoneSizes: [0: [.dma32: 32 << 20], 1: [.dma32: 32 << 20]]),
                                  reclaimConfig: ReclaimConfig(swapPages: 0, kswapdEnabled: false))
        let allocator = machine.pageAllocator
        let normal = allocator.zone(node: 1, type: .normal)
        let dma32 = allocator.zone(node: 1, type: .dma32)
        let remote = allocator.zone(node: 0, type: .normal)
        #expect(normal.state[Zone.State.watermarkHigh.rawValue] * 15000 / 10000 < PageAllocator.pageblockPages)
        for zone in [normal, dma32] {
            zone.lock.withLock(cpu: 1) {
                var taken: [PFN] = []
                while let pfn = zone.rmqueueSmallest(order: PageAllocator.pageblockOrder, migratetype: Self.movable) {
                    taken.append(pfn)
                }
                if zone === normal {
                    for pfn in taken.prefix(8) { zone.freeOnePage(pfn, order: 8, migratetype: Self.movable) }
                }
            }
        }
        #expect(normal.freePages == 8 * 256 && dma32.freePages == 0)
        let remoteFree = remote.freePages
        let ac = try #require(allocator.prepareAllocPages(order: 0, gfp: .kernel, context: .task(cpu: 1), preferredNode: nil))
        #expect(allocator.allocFlagsNoFragment(ac).contains(.noFragment))
        let pfn = try #require(allocator.allocPages(order: 0, gfp: .kernel, context: .task(cpu: 1)))
        #expect(normal.spans(pfn))
        #expect(normal.memory.pageblockMigratetype(pfn) == .unmovable)
        #expect(normal.watermarkBoost == 512)
        #expect(remote.freePages == remoteFree && remote.watermarkBoost == 0)
        // The allocation had ALLOC_KSWAPD: its own rmqueue() found ZONE_BOOSTED_WATERMARK and cleared it.
        #expect(!normal.testFlag(Zone.boostedWatermarkFlag))
        await machine.shutdown()
    }

    /// `decay_pcp_high()` once a second: with high_min 160 (low 320 / 2 CPUs) and 600 pages on the list
    /// under a `high` of 640, each call sets high = max(count − (batch << 5), high − high / 8, high_min)
    /// and returns the pages above it to the buddy lists: 560, 490, 429, 376, 329, 288, 252, 221, 194,
    /// 170, then 160 (170 − 21 = 149 < high_min), after which nothing changes.
    @Test func decayPCPHighStepsDownToHighMin() throws {
        let machine = try makeMachine(cpusPerNode: 2, zoneSizes: [0: [:]])
        let allocator = machine.pageAllocator
        let zone = allocator.zone(node: 0, type: .normal)
        let context = ExecutionContext.task(cpu: 0)
        var pages: [PFN] = []
        for _ in 0..<600 { pages.append(try #require(allocator.allocPages(order: 0, gfp: .highUserMovable, context: context))) }
        zone.drainPages(cpu: 0, lockingCPU: 0)
        zone.pcpLocks[0].withLock(cpu: 0) { zone.pcp(0).pointee.high = 1024 }
        for pfn in pages { allocator.freePages(pfn, order: 0, context: context) }
        zone.pcpLocks[0].withLock(cpu: 0) { zone.pcp(0).pointee.high = 640 }
        let start = zone.pcpSnapshot(cpu: 0, lockingCPU: 0)
        #expect(start.count == 600 && start.highMin == 160 && start.batch >= 2)
        var highs: [Int] = []
        var todos: [Int] = []
        var drainedMatchesFree = true
        for _ in 0..<12 {
            let free = zone.freePages
            let before = zone.pcpSnapshot(cpu: 0, lockingCPU: 0).count
            todos.append(allocator.refreshCPUVMStats(context: context))
            let after = zone.pcpSnapshot(cpu: 0, lockingCPU: 0)
            highs.append(after.high)
            if after.count != after.high || zone.freePages - free != before - after.count { drainedMatchesFree = false }
        }
        #expect(highs == [560, 490, 429, 376, 329, 288, 252, 221, 194, 170, 160, 160])
        #expect(todos == [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0])
        #expect(drainedMatchesFree)
        allocator.drainAllPages(context: context)
        #expect(machine.checkInvariants() == [])
    }
}
