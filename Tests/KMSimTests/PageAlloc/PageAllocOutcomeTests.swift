import Testing
@testable import KMSim

/// Where each allocation was served (`AllocationOutcome`), each outcome produced on purpose on a small
/// machine whose watermarks the test sets by hand.
@Suite(TestTime.limit(minutes: 5)) struct PageAllocOutcomeTests {
    /// One node, 64 MiB all ZONE_NORMAL (16384 pages), one CPU, watermarks min 2000 / low 3000 / high 4000.
    func handSetMachine() throws -> (Machine, Zone) {
        let machine = try ReclaimTest.machine(cpus: 1)
        let zone = machine.pageAllocator.zone(node: 0, type: .normal)
        zone.install(ZoneWatermarks(min: 2000, low: 3000, high: 4000, promo: 4000, lowmemReserve: zone.lowmemReserve))
        return (machine, zone)
    }

    /// Allocates order-0 pages with `gfp` until the first NULL, checking each outcome against the zone's
    /// free pages before the call: above LOW fast, above MIN the first slow-path attempt, and below it
    /// only a mask whose watermark `lowered` (pages) still admits, from the reserve. Returns the counts
    /// and, for reserve allocations, each one's recorded depth beside the zone's free pages after it.
    func allocateUntilFailure(_ machine: Machine, _ zone: Zone, gfp: GFPFlags, lowered: Int,
                              held: inout [PFN]) -> (counts: [AllocationOutcome: Int], dips: [(recorded: Int?, free: Int)]) {
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        _ = allocator.takeServed(context: context)
        var counts: [AllocationOutcome: Int] = [:]
        var dips: [(recorded: Int?, free: Int)] = []
        while counts[.failed] == nil {
            let before = zone.freePages
            let expected: AllocationOutcome = before > zone.watermarkLow ? .fast
                : before > zone.watermarkMin ? .afterKswapdWakeup
                : before > lowered ? .reserve : .failed
            let pfn = allocator.allocPages(order: 0, gfp: gfp.union(.noWarn), context: context)
            let served = allocator.takeServed(context: context)
            let outcome = pfn == nil ? .failed : served?.outcome ?? .fast
            #expect(outcome == expected, "free \(before) before the call")
            counts[outcome, default: 0] += 1
            if let pfn { held.append(pfn) }
            if outcome == .reserve { dips.append((served?.dipBasisPoints, zone.freePages * 10_000 / zone.watermarkMin)) }
        }
        return (counts, dips)
    }

    @Test func atomicLivesOffTheReserveThatKernelMayNotTouch() throws {
        let (machine, zone) = try handSetMachine()
        var held: [PFN] = []
        // GFP_KERNEL without sleeping: fast down to LOW, then the first slow-path attempt down to MIN, then NULL.
        let kernel = allocateUntilFailure(machine, zone, gfp: .kernel, lowered: Int.max, held: &held)
        let kernelServed = held.count
        #expect(kernel.counts[.failed] == 1 && kernel.counts[.reserve] == nil)
        #expect((kernel.counts[.fast] ?? 0) + (kernel.counts[.afterKswapdWakeup] ?? 0) == kernelServed)
        #expect((kernel.counts[.fast] ?? 0) > 0 && (kernel.counts[.afterKswapdWakeup] ?? 0) > 0)
        #expect(zone.freePages <= 2000)
        // GFP_ATOMIC goes on below MIN, down to 37.5 % of it (750 pages): every page it gets is a reserve page.
        let atomic = allocateUntilFailure(machine, zone, gfp: .atomic, lowered: 750, held: &held)
        #expect(atomic.counts[.reserve] == held.count - kernelServed && held.count > kernelServed)
        #expect(atomic.counts[.failed] == 1 && atomic.counts[.fast] == nil && atomic.counts[.afterKswapdWakeup] == nil)
        // Each depth is the zone's free pages after that allocation, in hundredths of a percent of MIN.
        for dip in atomic.dips { #expect(dip.recorded == dip.free) }
        #expect(atomic.dips.last?.recorded == zone.freePages * 10_000 / 2000)
        #expect(zone.freePages <= 750)
        // __GFP_MEMALLOC ignores the watermarks.
        let context = ExecutionContext.task(cpu: 0)
        let memalloc = try #require(machine.pageAllocator.allocPages(order: 0, gfp: [.atomic, .memalloc], context: context))
        held.append(memalloc)
        let served = machine.pageAllocator.takeServed(context: context)
        #expect(served?.outcome == .noWatermarks)
        #expect(served?.dipBasisPoints == zone.freePages * 10_000 / 2000)
        for pfn in held { machine.pageAllocator.freePages(pfn, order: 0, context: context) }
        #expect(machine.checkInvariants() == [])
    }

    /// Page cache to reclaim: a new slab for kmalloc and a GFP_KERNEL page come after direct reclaim;
    /// the next kmalloc from that slab is fast.
    @Test func directReclaimServesTheNewSlabAndThePage() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let reader = try #require(reclaim.registerTask(pid: 94, comm: "reader"))
        let file = reclaim.mapFile(reader, pages: 2048)
        for index in 0..<2048 { #expect(await reclaim.readFile(file, page: index, context: .task(cpu: 0, pid: 94))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let allocator = machine.pageAllocator
        let slab = await ReclaimTest.inTask(machine, cpu: 1, pid: 95) { context in
            _ = allocator.takeServed(context: context)
            let object = await machine.slab.kmallocMaySleep(2048, gfp: .kernel, context: context)
            let outcome = allocator.takeServed(context: context)?.outcome
            let second = machine.slab.kmalloc(2048, gfp: .kernel, context: context)
            let secondOutcome = allocator.takeServed(context: context)?.outcome ?? .fast
            return (object.map(UInt.init(bitPattern:)), outcome, second.map(UInt.init(bitPattern:)), secondOutcome)
        }
        #expect(slab.0 != nil && slab.1 == .afterDirectReclaim)
        #expect(slab.2 != nil && slab.3 == .fast)
        ReclaimTest.fillToMin(machine, holding: &held)
        let page = await ReclaimTest.inTask(machine, cpu: 1, pid: 95) { context in
            _ = allocator.takeServed(context: context)
            let pfn = await allocator.allocPagesMaySleep(order: 0, gfp: .kernel, context: context)
            return (pfn, allocator.takeServed(context: context)?.outcome)
        }
        #expect(page.0 != nil && page.1 == .afterDirectReclaim)
        let context = ExecutionContext.task(cpu: 1, pid: 95)
        for object in [slab.0, slab.2].compactMap({ $0 }) {
            machine.slab.kfree(UnsafeMutableRawPointer(bitPattern: object), context: context)
        }
        ReclaimTest.free(machine, held + [page.0].compactMap { $0 })
        reclaim.exitTask(reader, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Nothing reclaimable (anonymous memory, no swap): __GFP_NOFAIL is saved by the OOM killer.
    @Test func noFailIsSavedByTheOOMKiller() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let hogTask = try #require(reclaim.registerTask(pid: 41, comm: "hog"))
        let hog = reclaim.mapAnonymous(hogTask, pages: 4000)
        for index in 0..<4000 { #expect(await reclaim.touchAnonymous(hog, page: index, context: .task(cpu: 0, pid: 41))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let allocator = machine.pageAllocator
        let result = await ReclaimTest.inTask(machine, cpu: 1, pid: 50) { context in
            _ = allocator.takeServed(context: context)
            let pfn = await allocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noFail], context: context)
            return (pfn, allocator.takeServed(context: context)?.outcome)
        }
        #expect(result.0 != nil && result.1 == .afterOOMKill)
        #expect(machine.vmstat.value(.oomKill) == 1)
        ReclaimTest.free(machine, held + [result.0].compactMap { $0 })
        #expect(machine.checkInvariants().isEmpty)
    }

    /// __GFP_NOFAIL|__GFP_RETRY_MAYFAIL with nothing to reclaim or kill loops; the page memory freed
    /// meanwhile gives it is served after retries.
    @Test func noFailLoopIsServedAfterRetries() async throws {
        let machine = try ReclaimTest.machine()
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        ReclaimTest.fillToMin(machine, holding: &held, cpu: 1, gfp: [.high, .noWarn])
        let allocator = machine.pageAllocator
        let waiter = machine.cpus[0].startTask(pid: 92) { context, _ in
            _ = allocator.takeServed(context: context)
            let pfn = await allocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noFail, .retryMayFail], context: context)
            return (pfn, allocator.takeServed(context: context)?.outcome)
        }
        #expect(await eventually(within: 90) { machine.reclaim.count(.nofailRetries) >= 1 })
        ReclaimTest.free(machine, Array(held.prefix(512)), cpu: 1)
        let result = await waiter.value
        #expect(result.0 != nil && result.1 == .afterRetries)
        ReclaimTest.free(machine, Array(held.dropFirst(512)) + [result.0].compactMap { $0 })
        #expect(machine.checkInvariants().isEmpty)
    }

    /// The hook compaction calls marks the allocation as served after compaction.
    @Test func compactionHookRecordsItsOutcome() throws {
        let machine = try makeMachine(cpusPerNode: 1)
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        let ac = try #require(allocator.prepareAllocPages(order: 2, gfp: .kernel, context: context, preferredNode: nil))
        let pfn = try #require(allocator.getPageFromFreelist(ac, allocFlags: .wmarkLow, context: context))
        #expect(allocator.takeServed(context: context) == nil)
        #expect(allocator.servedAfterCompaction(pfn, context) == pfn)
        #expect(allocator.takeServed(context: context)?.outcome == .afterCompaction)
        #expect(allocator.takeServed(context: context) == nil)
        allocator.freePages(pfn, order: 2, context: context)
    }

    /// A fast allocation the preferred zone could not take: served by the lower zone of the node, then
    /// by the other node, and said so.
    @Test func fallbackZoneAndNodeAreNoted() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 1, zoneSizes: [0: [.dma32: 32 << 20], 1: [:]])
        let allocator = machine.pageAllocator
        let context = ExecutionContext.task(cpu: 0)
        let normal = allocator.zone(node: 0, type: .normal)
        let dma32 = allocator.zone(node: 0, type: .dma32)
        var held: [PFN] = []
        var seen: [String] = []
        _ = allocator.takeServed(context: context)
        while seen.last != "node 1", held.count < 4096 {
            guard let pfn = allocator.allocPages(order: 4, gfp: [.kernel, .noWarn], context: context) else { break }
            held.append(pfn)
            let served = allocator.takeServed(context: context)
            let zone = allocator.zone(of: pfn)
            let place = zone === normal ? "normal" : zone === dma32 ? "dma32" : "node \(zone?.node ?? -1)"
            if seen.last != place { seen.append(place) }
            #expect(served?.otherZone ?? false == (zone === dma32), "\(place)")
            #expect(served?.otherNode ?? false == (zone?.node == 1), "\(place)")
        }
        #expect(seen == ["normal", "dma32", "node 1"])
        for pfn in held { allocator.freePages(pfn, order: 4, context: context) }
        #expect(machine.checkInvariants() == [])
    }

    /// The masks' reachable outcomes, in the words `kmsim gfp` prints.
    @Test func reachableOutcomesFollowTheSlowPath() {
        #expect(GFPFlags.atomic.reachableOutcomes() == [.fast, .afterKswapdWakeup, .reserve, .failed])
        #expect(GFPFlags.noWait.reachableOutcomes() == [.fast, .afterKswapdWakeup, .failed])
        #expect(GFPFlags.kernel.reachableOutcomes()
            == [.fast, .afterKswapdWakeup, .afterDirectReclaim, .afterOOMKill, .afterRetries, .failed])
        #expect(GFPFlags.kernel.reachableOutcomes(atomicContext: true) == [.fast, .afterKswapdWakeup, .failed])
        #expect(GFPFlags([.kernel, .noRetry]).reachableOutcomes() == [.fast, .afterKswapdWakeup, .afterDirectReclaim, .failed])
        #expect(GFPFlags([.kernel, .noFail]).reachableOutcomes()
            == [.fast, .afterKswapdWakeup, .afterDirectReclaim, .afterOOMKill, .afterRetries])
        #expect(GFPFlags([.kernel, .dma]).reachableOutcomes()
            == [.fast, .afterKswapdWakeup, .afterDirectReclaim, .afterRetries, .failed])
        #expect(GFPFlags([.kernel, .memalloc]).reachableOutcomes().contains(.noWatermarks))
    }
}
