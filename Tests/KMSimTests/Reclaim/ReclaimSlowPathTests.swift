import Synchronization
import Testing
@testable import KMSim

/// The slow path's reports and the sleeping slab entry points.
@Suite(TestTime.limit(minutes: 5)) struct ReclaimSlowPathTests {
    @Test func pageAllocationFailureText() async throws {
        let machine = try ReclaimTest.machine()
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let pfn = await ReclaimTest.inTask(machine, cpu: 1, pid: 90) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 2, gfp: [.kernel, .noRetry], context: context)
        }
        #expect(pfn == nil)
        let texts = machine.bugReports.reports.filter { $0.kind == .allocFailure }.map(\.text)
        #expect(texts.count == 1)
        let lines = texts.first?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.first == "kmsim/90: page allocation failure: order:2, mode:0x10cc0(GFP_KERNEL|__GFP_NORETRY), nodemask=(null)")
        #expect(lines.dropFirst().first?.hasPrefix("CPU: 1 UID: 0 PID: 90 Comm: kmsim/90 ") == true)
        // __GFP_NOWARN: the same failure, silent.
        let quiet = await ReclaimTest.inTask(machine, cpu: 1, pid: 90) { context in
            await machine.pageAllocator.allocPagesMaySleep(order: 2, gfp: [.kernel, .noRetry, .noWarn], context: context)
        }
        #expect(quiet == nil)
        #expect(machine.bugReports.count(.allocFailure) == 1)
        ReclaimTest.free(machine, held)
    }

    /// PF_MEMALLOC (reclaim itself allocating) ignores the watermarks and never enters reclaim;
    /// __GFP_NOMEMALLOC takes that away.
    @Test func memallocIgnoresWatermarksAndNeverReclaims() async throws {
        let machine = try ReclaimTest.machine()
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let results = await ReclaimTest.inTask(machine, cpu: 0, pid: 91) { context -> (PFN?, PFN?) in
            let saved = context.memallocNoReclaimSave()
            let reserve = await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: .kernel, context: context)
            let forbidden = await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noMemalloc, .noWarn],
                                                                          context: context)
            context.memallocNoReclaimRestore(saved)
            return (reserve, forbidden)
        }
        #expect(results.0 != nil)
        #expect(results.1 == nil)
        #expect(machine.vmstat.value(.allocstallNormal) == 0)
        held += [results.0, results.1].compactMap { $0 }
        ReclaimTest.free(machine, held)
    }

    /// __GFP_NOFAIL that may not call the OOM killer (here with __GFP_RETRY_MAYFAIL) and has nothing to
    /// reclaim loops, counted, until memory is freed. (With the OOM killer allowed, the kernel hands a
    /// NOFAIL request pages below the watermarks after out_of_memory() instead.)
    @Test func noFailLoopsUntilMemoryIsFreed() async throws {
        let machine = try ReclaimTest.machine()
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        // The ALLOC_MIN_RESERVE fallback of each round may use half of min: take that too.
        ReclaimTest.fillToMin(machine, holding: &held, cpu: 1, gfp: [.high, .noWarn])
        let waiter = machine.cpus[0].startTask(pid: 92) { context, _ in
            await machine.pageAllocator.allocPagesMaySleep(order: 0, gfp: [.kernel, .noFail, .retryMayFail], context: context)
        }
        // Each round sleeps a jiffy and reclaims again; under a full parallel test run on a small host
        // the rounds can come slowly, so wait patiently for the third.
        #expect(await eventually(within: 90) { machine.reclaim.count(.nofailRetries) >= 3 })
        ReclaimTest.free(machine, Array(held.prefix(512)), cpu: 1)
        let pfn = await waiter.value
        #expect(pfn != nil)
        #expect(machine.bugReports.count(.allocFailure) == 0)
        held = Array(held.dropFirst(512)) + [pfn].compactMap { $0 }
        ReclaimTest.free(machine, held)
    }

    /// A reclaimable slab cache with a shrinker (a dentry-like cache): reclaim asks it to free objects
    /// (with __GFP_FS only) and counts slabs_scanned.
    @Test func shrinkerFreesReclaimableSlabObjects() async throws {
        let machine = try ReclaimTest.machine()
        guard let cache = machine.slab.kmemCacheCreate(name: "dentry", size: 192, flags: .reclaimAccount) else {
            Issue.record("cache not created")
            return
        }
        let objects = OrderedMutex<[UInt]>([])
        let context = ExecutionContext.task(cpu: 0, pid: 93)
        for _ in 0..<4000 {
            if let object = await cache.allocMaySleep(gfp: .kernel, context: context) {
                objects.withLock { $0.append(UInt(bitPattern: object)) }
            }
        }
        #expect(objects.withLock { $0.count } == 4000)
        machine.reclaim.registerShrinker(Shrinker(name: "dentry", count: { _ in objects.withLock { $0.count } },
                                                  scan: { count, context in
            let victims = objects.withLock { list -> [UInt] in
                let taken = Array(list.suffix(count))
                list.removeLast(taken.count)
                return taken
            }
            for object in victims { cache.free(UnsafeMutableRawPointer(bitPattern: object), context: context) }
            return victims.count
        }))
        let zonelist = machine.pageAllocator.zonelists.list(node: 0, thisNodeOnly: false)
        _ = await machine.reclaim.tryToFreePages(gfp: .noFS, order: 0, highestZoneIndex: ZoneType.normal.rawValue,
                                                 zonelist: zonelist, context: context)
        #expect(objects.withLock { $0.count } == 4000)
        #expect(machine.vmstat.value(.slabsScanned) == 0)
        _ = await machine.reclaim.tryToFreePages(gfp: .kernel, order: 0, highestZoneIndex: ZoneType.normal.rawValue,
                                                 zonelist: zonelist, context: context)
        let left = objects.withLock { $0.count }
        #expect(left < 4000)
        #expect(machine.vmstat.value(.slabsScanned) >= 4000 - left && left < 4000)
        for object in objects.withLock({ $0 }) { cache.free(UnsafeMutableRawPointer(bitPattern: object), context: context) }
        #expect(machine.checkInvariants().isEmpty)
    }

    /// kmallocMaySleep under memory pressure: the new slab's page comes from direct reclaim of clean page
    /// cache, where the synchronous kmalloc fails.
    @Test func sleepingKmallocReclaimsForANewSlab() async throws {
        let machine = try ReclaimTest.machine()
        let reclaim = machine.reclaim
        let reader = try #require(reclaim.registerTask(pid: 94, comm: "reader"))
        let file = reclaim.mapFile(reader, pages: 2048)
        for index in 0..<2048 { #expect(await reclaim.readFile(file, page: index, context: .task(cpu: 0, pid: 94))) }
        var held: [PFN] = []
        ReclaimTest.fillToMin(machine, holding: &held)
        let results = await ReclaimTest.inTask(machine, cpu: 1, pid: 95) { context -> (UInt?, UInt?, UInt?) in
            let sync = machine.slab.kmalloc(4096, gfp: [.kernel, .noWarn], context: context)
            let sleeping = await machine.slab.kmallocMaySleep(4096, gfp: .kernel, context: context)
            let large = await machine.slab.kmallocMaySleep(32 << 10, gfp: .kernel, context: context)
            return (sync.map(UInt.init(bitPattern:)), sleeping.map(UInt.init(bitPattern:)), large.map(UInt.init(bitPattern:)))
        }
        #expect(results.0 == nil)
        #expect(results.1 != nil && results.2 != nil)
        #expect(machine.vmstat.value(.pgstealDirect) > 0)
        let context = ExecutionContext.task(cpu: 1, pid: 95)
        for object in [results.1, results.2].compactMap({ $0 }) {
            machine.slab.kfree(UnsafeMutableRawPointer(bitPattern: object), context: context)
        }
        ReclaimTest.free(machine, held)
        reclaim.exitTask(reader, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }
}
