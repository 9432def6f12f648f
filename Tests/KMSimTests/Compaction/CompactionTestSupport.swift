import Testing
@testable import KMSim

/// Machines and fragmenting loads for the compaction tests.
enum CompactionTest {
    /// One node of 64 MiB (16384 pages, 32 pageblocks), all ZONE_NORMAL, with `config`.
    static func machine(cpus: Int = 2, kswapd: Bool = false, config: CompactionConfig = CompactionConfig()) throws -> Machine {
        try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: cpus, memoryPerNode: 64 << 20, zoneSizes: [0: [:]]),
                    reclaimConfig: ReclaimConfig(swapPages: 0, writeNanosecondsPerPage: 1_000, swapInNanosecondsPerPage: 1_000,
                                                 kswapdEnabled: kswapd, compaction: config))
    }

    /// Free blocks of pageblock order or more in `zone`.
    static func hugeBlocks(_ zone: Zone) -> Int {
        (PageAllocator.pageblockOrder...PageAllocator.maxOrder).reduce(0) { $0 + zone.nrFree[$1] << ($1 - PageAllocator.pageblockOrder) }
    }

    /// Page cache of two tasks read page by page, the reader picked at random (seeded), so their pages
    /// interleave irregularly in physical memory, then the second task exits: the first task's pages remain, spread over the zone with holes
    /// between them. Returns the remaining task and its file.
    static func fragmentWithPageCache(_ machine: Machine, pages: Int = 8_000) async throws -> (PageReclaim.TaskHandle, MemoryRegion) {
        let reclaim = machine.reclaim
        let keeper = try #require(reclaim.registerTask(pid: 40, comm: "keeper"))
        let leaver = try #require(reclaim.registerTask(pid: 41, comm: "leaver"))
        let kept = reclaim.mapFile(keeper, pages: pages)
        let left = reclaim.mapFile(leaver, pages: pages)
        let context = ExecutionContext.task(cpu: 0, pid: 40)
        var generator = SplitMix64(seed: 14)
        var next = (kept: 0, left: 0)
        while next.kept < pages || next.left < pages {
            if next.left == pages || (next.kept < pages && generator.next() & 1 == 0) {
                #expect(await reclaim.readFile(kept, page: next.kept, context: context))
                next.kept += 1
            } else {
                #expect(await reclaim.readFile(left, page: next.left, context: context))
                next.left += 1
            }
        }
        reclaim.exitTask(leaver, context: context)
        machine.pageAllocator.drainAllPages(context: context)
        return (keeper, kept)
    }

    /// Writes `index * 7919 + salt` into the first and last words of each resident page of `region`.
    static func stamp(_ machine: Machine, _ region: MemoryRegion, salt: UInt64) {
        for index in 0..<region.pageCount {
            guard let pfn = MemoryRegion.pfn(region.slot(index).load(ordering: .relaxed)) else { continue }
            let page = machine.pageAllocator.pageAddress(pfn)
            let value = UInt64(index) &* 7919 &+ salt
            page.storeBytes(of: value, as: UInt64.self)
            page.storeBytes(of: ~value, toByteOffset: MachineSpec.pageSize - 8, as: UInt64.self)
        }
    }

    /// Resident pages of `region` whose stamp does not match their slot.
    static func badStamps(_ machine: Machine, _ region: MemoryRegion, salt: UInt64) -> Int {
        (0..<region.pageCount).reduce(0) { bad, index in
            guard let pfn = MemoryRegion.pfn(region.slot(index).load(ordering: .relaxed)) else { return bad }
            let page = machine.pageAllocator.pageAddress(pfn)
            let value = UInt64(index) &* 7919 &+ salt
            let intact = page.load(as: UInt64.self) == value
                && page.load(fromByteOffset: MachineSpec.pageSize - 8, as: UInt64.self) == ~value
            return bad + (intact ? 0 : 1)
        }
    }

    /// Resident pages of `region` whose frame does not say it is this region's page on an LRU list.
    static func badMappings(_ machine: Machine, _ region: MemoryRegion) -> Int {
        let lruvec = machine.reclaim.lruvecs[0]
        return lruvec.lruLock.withLock(cpu: 0) {
            (0..<region.pageCount).reduce(0) { bad, index in
                guard let pfn = MemoryRegion.pfn(region.slot(index).load(ordering: .relaxed)) else { return bad }
                let frame = lruvec.frames[pfn]
                let good = frame.flags & PageFlags.lru.rawValue != 0 && frame.slabFreelist == region.opaqueBits
                    && frame.slabCounters == UInt64(index) && frame.owner == UInt32(region.pid)
                return bad + (good ? 0 : 1)
            }
        }
    }
}
