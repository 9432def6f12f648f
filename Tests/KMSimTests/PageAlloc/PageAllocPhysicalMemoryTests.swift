import Foundation
import Testing
@testable import KMSim

@Suite struct PageAllocPhysicalMemoryTests {
    @Test func pageFrameIsThirtyTwoBytes() {
        #expect(MemoryLayout<PageFrame>.stride == 32)
        #expect(MemoryLayout<PageFrame>.size == 32)
        #expect(PerCPUPages.lockOffset + 8 == PerCPUPages.headerOffset)
        #expect(PerCPUPages.headerOffset + MemoryLayout<PerCPUPages>.size == PerCPUPages.listsOffset)
        #expect(PerCPUPages.listsOffset + PerCPUPages.listCount * MemoryLayout<PageList>.stride <= PerCPUPages.stride)
        #expect(PerCPUPages.stride % 64 == 0 && PerCPUPages.headerOffset % MemoryLayout<PerCPUPages>.alignment == 0)
    }

    @Test func frameTableIsSixteenByteAlignedAndArenaIsReal() throws {
        let memory = try PhysicalMemory(node: 0, startPFN: 1024, pageCount: 1024, hostNode: 0)
        #expect(Int(bitPattern: memory.frames) % 16 == 0)
        let frame = memory.frame(1024 + 5)
        #expect(UnsafeMutableRawPointer(frame) - UnsafeMutableRawPointer(memory.frames) == 5 * 32)
        let page = memory.address(1024 + 7)
        page.storeBytes(of: 0xABCD, as: UInt64.self)
        #expect(memory.pfn(of: page + 100) == 1024 + 7)
        #expect(memory.pfn(of: memory.arena + 1024 * 4096) == nil)
        #expect(memory.pageblockMigratetype(1024 + 600) == .movable)
    }

    /// The nodes' arenas are slices of one direct map, so an address's PFN (and a freed object's node)
    /// is arithmetic on every node, and addresses outside the map have none.
    @Test func everyNodeLiesInOneDirectMap() throws {
        let machine = try Machine(spec: MachineSpec(nodes: 4, cpusPerNode: 1, memoryPerNode: 16 << 20))
        let allocator = machine.pageAllocator
        let map = allocator.directMap
        #expect(map.bytes == 4 * (16 << 20))
        for memory in allocator.nodes {
            #expect(memory.arena == map.base + memory.startPFN * 4096)
            for pfn in [memory.startPFN, memory.startPFN + memory.pageCount - 1] {
                #expect(allocator.pfn(of: allocator.pageAddress(pfn) + 4095) == pfn)
                #expect(allocator.node(of: pfn) == memory.node)
            }
        }
        #expect(allocator.pfn(of: map.base - 1) == nil)
        #expect(allocator.pfn(of: map.base + map.bytes) == nil)
        // kfree finds the slab of an object on the last node through the map.
        let context = ExecutionContext.task(cpu: 3, pid: 1)
        let object = try #require(machine.slab.kmalloc(64, gfp: .kernel, context: context))
        #expect(allocator.node(of: try #require(allocator.pfn(of: object))) == 3)
        machine.slab.kfree(object, context: context)
        #expect(machine.checkInvariants().isEmpty)
    }

    /// Resident set size of this process in bytes, from /proc/self/statm (second field, in pages).
    static func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let fields = statm.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `mincore()`'s residency byte for each host page of `[start, start + bytes)`, nil if it fails.
    static func residency(_ start: UnsafeMutableRawPointer, bytes: Int) -> [UInt8]? {
        let hostPage = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (bytes + hostPage - 1) / hostPage)
        return mincore(start, bytes, &vector) == 0 ? vector : nil
    }

    /// Host pages of `[start, start + bytes)` that are resident, by `mincore()`.
    static func residentPages(_ start: UnsafeMutableRawPointer, bytes: Int) -> Int {
        guard let vector = residency(start, bytes: bytes) else { return -1 }
        return vector.reduce(0) { $0 + Int($1 & 1) }
    }

    /// 2 MiB regions of `[start, start + bytes)` holding at least one resident host page: what a write
    /// commits when the host backs the direct map (advised MADV_HUGEPAGE) with transparent huge pages,
    /// and an upper bound of one region per written page when it does not.
    static func residentRegions(_ start: UnsafeMutableRawPointer, bytes: Int) -> Int {
        guard let vector = residency(start, bytes: bytes) else { return -1 }
        let perRegion = (2 << 20) / Int(sysconf(Int32(_SC_PAGESIZE)))
        return stride(from: 0, to: vector.count, by: perRegion).reduce(0) { count, first in
            count + (vector[first..<min(first + perRegion, vector.count)].contains { $0 & 1 != 0 } ? 1 : 0)
        }
    }

    /// The committed-frame walk skips the frame table's never-written host pages and still reaches a
    /// frame written far from the others.
    @Test func committedFrameRunsCoverWrittenFramesOnly() throws {
        let memory = try PhysicalMemory(node: 0, startPFN: 1 << 20, pageCount: 1 << 20, hostNode: 0)
        let far = memory.startPFN + 700_001
        memory.frame(memory.startPFN + 3).pointee.flags = PageFlags.lru.rawValue
        memory.frame(far).pointee.flags = PageFlags.lru.rawValue
        var covered = 0
        var flagged: [PFN] = []
        memory.forEachCommittedFrameRun { run in
            #expect(run.lowerBound >= memory.startPFN && run.upperBound <= memory.startPFN + memory.pageCount)
            covered += run.count
            for pfn in run where memory.frame(pfn).pointee.flags & PageFlags.lru.rawValue != 0 { flagged.append(pfn) }
        }
        #expect(flagged == [memory.startPFN + 3, far])
        #expect(covered >= 2 * 128 && covered <= 16 * 128, "\(covered) frames walked of \(memory.pageCount)")
    }

    @Test func sixtyFourGiBMachineBootsLazily() throws {
        let before = try Self.residentBytes()
        let spec = MachineSpec(nodes: 2, cpusPerNode: 2, memoryPerNode: 32 << 30)
        let machine = try Machine(spec: spec)
        let after = try Self.residentBytes()
        // The whole process (other tests run in parallel, and sanitizers add shadow memory) grows by far
        // less than the 64 GiB simulated, or even the 512 MiB a fully touched frame table would take.
        #expect(after - before < 512 << 20, "RSS grew by \(after - before) bytes")
        // Boot writes no page contents but the zeroed page tables of the vmalloc range (PGD and PUDs), and
        // one frame per free MAX_ORDER block: 1 frame-table page in 8.
        let tablePages = machine.vmstat.value(.nrPageTablePages)
        #expect(tablePages > 0)
        // Counted in 2 MiB regions, as the host commits the arena under transparent huge pages: each page
        // written commits one region at most (exactly one page each without THP).
        var regions = 0
        for memory in machine.pageAllocator.nodes {
            regions += Self.residentRegions(memory.arena, bytes: memory.pageCount * 4096)
            let framePages = Self.residentPages(UnsafeMutableRawPointer(memory.frames), bytes: memory.pageCount * 32)
            #expect(framePages >= 0 && framePages <= memory.pageCount * 32 / 4096 / 8 + 8)
        }
        #expect(regions >= 1 && regions <= tablePages, "\(regions) regions resident for \(tablePages) page-table pages")
        machine.pageAllocator.drainAllPages(context: .task(cpu: 0))
        let zones = machine.pageAllocator.populatedZones
        #expect(zones.reduce(0) { $0 + $1.freePages } == (64 << 30) / 4096 - tablePages)
        let context = ExecutionContext.task(cpu: 0)
        let pfn = try #require(machine.pageAllocator.allocPages(order: 0, gfp: [.kernel, .zero], context: context))
        #expect(machine.pageAllocator.pageAddress(pfn).load(as: UInt64.self) == 0)
        let regionsAfter = machine.pageAllocator.nodes.reduce(0) { $0 + Self.residentRegions($1.arena, bytes: $1.pageCount * 4096) }
        #expect(regionsAfter >= regions && regionsAfter <= regions + 1)
        machine.pageAllocator.freePages(pfn, order: 0, context: context)
    }
}
