import Foundation
import Testing
@testable import KMSim

@Suite struct PageAllocPhysicalMemoryTests {
    @Test func pageFrameIsThirtyTwoBytes() {
        #expect(MemoryLayout<PageFrame>.stride == 32)
        #expect(MemoryLayout<PageFrame>.size == 32)
        #expect(MemoryLayout<PerCPUPages>.size == PerCPUPages.listsOffset)
        #expect(PerCPUPages.listsOffset + PerCPUPages.listCount * MemoryLayout<PageList>.stride == PerCPUPages.stride)
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

    /// Resident set size of this process in bytes, from /proc/self/statm (second field, in pages).
    static func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let fields = statm.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func sixtyFourGiBMachineBootsLazily() throws {
        let before = try Self.residentBytes()
        let spec = MachineSpec(nodes: 2, cpusPerNode: 2, memoryPerNode: 32 << 30)
        let machine = try Machine(spec: spec)
        let after = try Self.residentBytes()
        // Boot touches one frame per free MAX_ORDER block (1/8 of the frame table's pages) and nothing of
        // the 64 GiB arena; 128 MiB is far below the 512 MiB a fully touched frame table would take.
        #expect(after - before < 128 << 20, "RSS grew by \(after - before) bytes")
        let zones = machine.pageAllocator.populatedZones
        #expect(zones.reduce(0) { $0 + $1.freePages } == (64 << 30) / 4096)
        let context = ExecutionContext.task(cpu: 0)
        let pfn = try #require(machine.pageAllocator.allocPages(order: 0, gfp: [.kernel, .zero], context: context))
        #expect(machine.pageAllocator.pageAddress(pfn).load(as: UInt64.self) == 0)
        machine.pageAllocator.freePages(pfn, order: 0, context: context)
    }
}
