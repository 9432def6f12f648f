import Testing
@testable import KMSim

/// vmalloc/vfree through the page allocator and the page tables: placement, guard pages, accounting,
/// zeroing, GFP handling and the kernel's warnings for bad frees.
@Suite struct VmallocAllocTests {
    let task = ExecutionContext.task(cpu: 0, pid: 100)

    @Test func vmallocMapsScatteredPagesAndVfreeReturnsThem() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let before = freePages(machine)
        let address = try #require(vmalloc.vmalloc(5 * 4096 + 100, context: task))
        #expect(vmalloc.isVmallocAddress(address))
        #expect(address % 4096 == 0)
        var pfns = Set<PFN>()
        for page in 0..<6 {
            let pfn = try #require(vmalloc.vmallocToPage(address + UInt64(page) * 4096))
            pfns.insert(pfn)
            #expect(machine.pageAllocator.frame(pfn).pointee.flags & PageFlags.vmalloc.rawValue != 0)
        }
        #expect(pfns.count == 6)
        #expect(vmalloc.nrVmallocPages == 6)
        // 6.12 keeps vmalloc's page count in nr_vmalloc_pages (meminfo's VmallocUsed), not in /proc/vmstat.
        #expect(ProcFS.meminfoVmallocLines(vmalloc).contains("VmallocUsed:          24 kB\n"))
        #expect(!ProcFS.vmstat(machine).contains("nr_vmalloc"))
        let tablePages = machine.vmstat.value(.nrPageTablePages)
        #expect(tablePages >= 1 + 64 + 2, "PGD, 64 preallocated PUDs, and a PMD and PTE page for the first mapping")
        #expect(before - freePages(machine) == 6 + 2, "six data pages and the new PMD and PTE pages")
        vmalloc.vfree(address, context: task)
        #expect(vmalloc.nrVmallocPages == 0)
        #expect(vmalloc.vmallocToPage(address) == nil)
        #expect(freePages(machine) == before - 2, "the pages are back at once; page-table pages stay")
        #expect(vmalloc.lazyPages == 7, "six pages plus the guard page wait for the purge")
        #expect(vmalloc.checkInvariants() == [])
        #expect(machine.checkInvariants() == [])
        #expect(machine.bugReports.counts.isEmpty)
    }

    @Test func eachAreaIsFollowedByAGuardPage() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let first = try #require(vmalloc.vmalloc(2 * 4096, context: task))
        let second = try #require(vmalloc.vmalloc(4096, context: task))
        #expect(second == first + 3 * 4096, "two pages, one guard page, then the next area")
        #expect(vmalloc.store(UInt8(7), at: first + 2 * 4096 - 1, context: task))
        #expect(!vmalloc.store(UInt8(7), at: first + 2 * 4096, context: task),
                "the guard page is not mapped")
        #expect(machine.bugReports.count(.pageFault) == 1)
        #expect(reportTexts(machine, .pageFault).first?.contains("BUG: unable to handle page fault for address") == true)
        let noGuard = try #require(vmalloc.vmallocNodeRange(4096, align: 1, start: VmallocLayout.start, end: VmallocLayout.end,
                                                            gfp: .kernel, vmFlags: .noGuard, node: nil, context: task))
        let after = try #require(vmalloc.vmalloc(4096, context: task))
        #expect(after == noGuard + 4096, "VM_NO_GUARD areas have no guard page")
        #expect(vmalloc.checkInvariants() == [])
    }

    @Test func readsAndWritesGoThroughTheTLB() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let size = 3 * 4096
        let address = try #require(vmalloc.vzalloc(size, context: task))
        var pattern = [UInt8](repeating: 0, count: size)
        for index in pattern.indices { pattern[index] = UInt8(truncatingIfNeeded: index &* 31) }
        pattern.withUnsafeBytes { #expect(vmalloc.writeKernel(address: address + 0, from: $0, context: task)) }
        var back = [UInt8](repeating: 0, count: size)
        back.withUnsafeMutableBytes { #expect(vmalloc.readKernel(address: address, into: $0, context: task)) }
        #expect(back == pattern)
        // The bytes are in the pages vmalloc_to_page names.
        let secondPage = try #require(vmalloc.vmallocToPage(address + 4096))
        #expect(machine.pageAllocator.pageAddress(secondPage).load(fromByteOffset: 5, as: UInt8.self) == pattern[4096 + 5])
        #expect(vmalloc.tlbStatistics.misses == 3, "one walk per page")
        #expect(vmalloc.tlbStatistics.hits == 3)
        #expect(vmalloc.load(UInt8.self, at: address + 4096 + 5, context: task) == pattern[4096 + 5])
    }

    @Test func vzallocZeroesAndVmallocDoesNotHaveTo() throws {
        let (_, vmalloc) = try makeVmallocMachine()
        let dirty = try #require(vmalloc.vmalloc(8192, context: task))
        var ones = [UInt8](repeating: 0xff, count: 8192)
        ones.withUnsafeBytes { _ = vmalloc.writeKernel(address: dirty, from: $0, context: task) }
        vmalloc.vfree(dirty, context: task)
        vmalloc.purgeVmapAreaLazy(context: task)
        let zeroed = try #require(vmalloc.vzalloc(8192, context: task))
        ones.withUnsafeMutableBytes { _ = vmalloc.readKernel(address: zeroed, into: $0, context: task) }
        #expect(ones.allSatisfy { $0 == 0 })
    }

    @Test func doubleVfreeAndBadAddressesWarnAndDoNoHarm() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let address = try #require(vmalloc.vmalloc(4096, context: task))
        vmalloc.vfree(address, context: task)
        vmalloc.vfree(address, context: task)
        vmalloc.vfree(VmallocLayout.start + 0x1234_5000, context: task)
        vmalloc.vfree(address + 12, context: task)
        var heap = [UInt8](repeating: 0, count: 64)
        heap.withUnsafeMutableBytes { vmalloc.vfree(UInt64(UInt(bitPattern: $0.baseAddress!)) & ~0xfff, context: task) }
        vmalloc.vfree(0, context: task)
        let texts = reportTexts(machine, .vmallocWarning)
        #expect(texts.count == 4)
        #expect(texts[0].contains(String(format: "Trying to vfree() nonexistent vm area (%016llx)", address)))
        #expect(texts[1].contains("Trying to vfree() nonexistent vm area"))
        #expect(texts[2].contains(String(format: "Trying to vfree() bad address (%016llx)", address + 12)))
        #expect(texts[3].contains("Trying to vfree() nonexistent vm area"))
        #expect(texts.allSatisfy { $0.hasPrefix("------------[ cut here ]------------") })
        #expect(machine.bugReports.count(.badPageState) == 0)
        #expect(vmalloc.checkInvariants() == [])
        #expect(machine.checkInvariants() == [])
    }

    @Test func unusualRequestsFailCleanly() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        #expect(vmalloc.vmalloc(0, context: task) == nil)
        #expect(vmalloc.vmalloc(-1, context: task) == nil)
        #expect(vmalloc.vmalloc(1 << 40, context: task) == nil)
        // warn_alloc()'s nopage_rs lets one report through per 10 s: the first of these two.
        #expect(reportTexts(machine, .allocFailure).first?.contains("vmalloc error: size 18446744073709551615, exceeds total pages") == true)
        #expect(vmalloc.vmallocNode(4096, align: 3, gfp: .kernel, node: nil, context: task) == nil, "alignment must be a power of two")
        #expect(vmalloc.vmallocNode(4096, align: 1 << 63, gfp: GFPFlags.kernel.union(.noFail), node: nil, context: task) == nil,
                "__GFP_NOFAIL with an alignment no area can meet gives up instead of hanging")
        #expect(vmalloc.vmalloc(4096, gfp: GFPFlags.kernel.union(.dma32), context: task) == nil)
        #expect(reportTexts(machine, .vmallocWarning).contains { $0.contains("Unexpected gfp: 0x4 (GFP_DMA32)") })
        #expect(vmalloc.vmalloc(4096, context: .task(cpu: 99)) == nil, "a CPU the machine does not have")
        vmalloc.vfree(VmallocLayout.start, context: .task(cpu: -1))
        #expect(vmalloc.load(UInt8.self, at: VmallocLayout.start, context: .task(cpu: 99)) == nil)
        #expect(reportTexts(machine, .vmallocWarning).contains { $0.contains("on CPU 99, which does not exist") })
        #expect(vmalloc.vmalloc(4096, context: .hardIRQ(cpu: 1)) == nil)
        #expect(machine.bugReports.count(.vmallocBug) == 1)
        vmalloc.waitForDeferredWork()
        #expect(vmalloc.checkInvariants() == [])
        #expect(machine.checkInvariants() == [])
    }

    /// Memory exhaustion: more than the machine has, page by page. On a machine of its own, since the
    /// __GFP_NOFAIL retries above exhaust `nopage_rs`, which vmalloc's warn_alloc() shares with the page
    /// allocator's.
    @Test func exhaustionFailsCleanly() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let hog = vmalloc.vmalloc((vmalloc.totalRAMPages - 8) * 4096, context: task)
        #expect(hog == nil)
        #expect(reportTexts(machine, .allocFailure).contains { $0.contains("failed to allocate pages") })
        vmalloc.waitForDeferredWork()
        #expect(vmalloc.checkInvariants() == [])
        #expect(vmalloc.nrVmallocPages == 0)
        #expect(machine.checkInvariants() == [])
    }

    @Test func noFSAndNoIOMasksWorkAndScopeThePageTables() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let nofs = try #require(vmalloc.vmalloc(64 << 10, gfp: .noFS, context: task))
        let noio = try #require(vmalloc.vmalloc(64 << 10, gfp: .noIO, context: task))
        vmalloc.vfree(nofs, context: task)
        vmalloc.vfree(noio, context: task)
        #expect(machine.bugReports.counts.isEmpty)
        #expect(vmalloc.checkInvariants() == [])
    }

    @Test func atomicMaskFromAtomicContextReportsSleepingAsLinux612Does() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        var atomic = task
        atomic.preemptDisable()
        let address = vmalloc.vmalloc(4096, gfp: .atomic, context: atomic)
        #expect(address != nil, "6.12 goes on after the might_sleep() report")
        #expect(reportTexts(machine, .sleepingInAtomic).contains {
            $0.contains("BUG: sleeping function called from invalid context at mm/vmalloc.c")
        })
        if let address { vmalloc.vfree(address, context: task) }
    }

    @Test func vfreeFromInterruptIsDeferred() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let address = try #require(vmalloc.vmalloc(4096 * 4, context: task))
        vmalloc.vfree(address, context: .hardIRQ(cpu: 2))
        vmalloc.waitForDeferredWork()
        #expect(vmalloc.nrVmallocPages == 0)
        #expect(vmalloc.vmallocToPage(address) == nil)
        #expect(machine.bugReports.counts.isEmpty)
        #expect(vmalloc.checkInvariants() == [])
    }

    @Test func vmapMapsExistingPagesAndVunmapLeavesThemToTheCaller() throws {
        let (machine, vmalloc) = try makeVmallocMachine()
        let allocator = machine.pageAllocator
        let pages = try (0..<3).map { _ in try #require(allocator.allocPages(order: 0, gfp: .kernel, context: task)) }
        allocator.pageAddress(pages[2]).storeBytes(of: 0xabcd_ef01 as UInt32, toByteOffset: 8, as: UInt32.self)
        let address = try #require(vmalloc.vmap(pages: pages, context: task))
        #expect(vmalloc.vmallocToPage(address + 2 * 4096) == pages[2])
        #expect(vmalloc.load(UInt32.self, at: address + 2 * 4096 + 8, context: task) == 0xabcd_ef01)
        #expect(ProcFS.vmallocinfo(vmalloc).contains(" vmap"))
        vmalloc.vunmap(address, context: task)
        #expect(vmalloc.vmallocToPage(address) == nil)
        for pfn in pages { allocator.freePages(pfn, order: 0, context: task) }
        #expect(vmalloc.vmap(pages: [], context: task) == nil)
        #expect(vmalloc.vmap(pages: [pages[0]], flags: [.map, .noGuard], context: task) == nil)
        #expect(machine.bugReports.count(.badPageState) == 0)
        #expect(vmalloc.checkInvariants() == [])
    }

    @Test func vmallocNodeTakesPagesFromThatNode() throws {
        let (machine, vmalloc) = try makeVmallocMachine(nodes: 2, cpusPerNode: 2, memoryPerNode: 64 << 20)
        let address = try #require(vmalloc.vmallocNode(16 * 4096, node: 1, context: task))
        for page in 0..<16 {
            let pfn = try #require(vmalloc.vmallocToPage(address + UInt64(page) * 4096))
            #expect(machine.pageAllocator.node(of: pfn) == 1)
        }
        #expect(ProcFS.vmallocinfo(vmalloc).contains("pages=16 vmalloc N1=16\n"))
    }
}
