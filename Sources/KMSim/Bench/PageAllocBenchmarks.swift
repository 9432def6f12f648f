/// The page allocator's microbenchmarks. Each boots a small machine with lock_stat hold timing off (a
/// debugging cost the kernel's production builds do not pay; acquisitions are still counted) and
/// writes one byte into every block it gets, as the glibc baseline does.
public enum PageAllocBenchmarks {
    public static var all: [Benchmark] {
        [
            Benchmark(name: "pages.order0", summary: "alloc_pages(GFP_KERNEL, 0) + __free_pages via the per-CPU lists vs malloc(4096) + free",
                      subject: { try pairLoop(order: 0) }, baseline: { GlibcBaselines.mallocFree(size: 4096) }),
            Benchmark(name: "pages.order3", summary: "order-3 pair; 6.12 keeps orders <= 3 on the per-CPU lists vs malloc(32768) + free",
                      subject: { try pairLoop(order: 3) }, baseline: { GlibcBaselines.mallocFree(size: 32768) }),
            Benchmark(name: "pages.order3.buddy", summary: "order-3 pair straight through the buddy lists under &zone->lock (rmqueue_buddy, free_one_page) vs malloc(32768) + free",
                      subject: { try buddyPairLoop(order: 3) }, baseline: { GlibcBaselines.mallocFree(size: 32768) }),
            Benchmark(name: "pages.order0.2cpu", summary: "the order-0 pair on 2 CPUs at once, one host thread each vs malloc(4096) + free on 2 threads",
                      threads: 2, subject: { try pairLoop(order: 0) }, baseline: { GlibcBaselines.mallocFree(size: 4096) }),
        ]
    }

    static func benchMachine() throws -> Machine {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 256 << 20))
        machine.lockStat.collectHoldTimes = false
        return machine
    }

    /// Thread `t` acts as CPU `t`: allocate, touch, free.
    static func pairLoop(order: Int) throws -> BenchmarkLoop {
        let machine = try benchMachine()
        return BenchmarkLoop { thread, iterations in
            let allocator = machine.pageAllocator
            let context = ExecutionContext.task(cpu: thread)
            for index in 0..<iterations {
                guard let pfn = allocator.allocPages(order: order, gfp: .kernel, context: context) else { continue }
                allocator.pageAddress(pfn).storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                allocator.freePages(pfn, order: order, context: context)
            }
        }
    }

    /// The same pair, but through `rmqueue_buddy()` and `free_one_page()`: the path orders above 3 take,
    /// and orders ≤ 3 take when the per-CPU list is busy.
    static func buddyPairLoop(order: Int) throws -> BenchmarkLoop {
        let machine = try benchMachine()
        return BenchmarkLoop { thread, iterations in
            let allocator = machine.pageAllocator
            let context = ExecutionContext.task(cpu: thread)
            for index in 0..<iterations {
                guard let pfn = allocator.allocPagesFromBuddy(order: order, gfp: .kernel, context: context),
                      let zone = allocator.zone(of: pfn) else { continue }
                allocator.pageAddress(pfn).storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                allocator.freeOnePage(pfn, order: order, zone: zone, context: context)
            }
        }
    }
}

extension PageAllocator {
    /// The fast path without the per-CPU lists: `get_page_from_freelist()` for the first zone that
    /// passes its low watermark, served by `rmqueue_buddy()`. Used by the buddy-path benchmark.
    func allocPagesFromBuddy(order: Int, gfp: GFPFlags, context: ExecutionContext) -> PFN? {
        guard let ac = prepareAllocPages(order: order, gfp: gfp, context: context, preferredNode: nil) else { return nil }
        let flags = allocFlagsNoFragment(ac).union(gfp.fastPathAllocFlags)
        for id in ac.zonelist {
            let pfn: PFN? = zoneTable[Int(id)]._withUnsafeGuaranteedRef { zone in
                guard zone.type.rawValue <= ac.highestZoneIndex,
                      zone.watermarkFast(order: order, mark: zone.watermark(flags.watermarkIndex),
                                         highestZoneIndex: ac.highestZoneIndex, allocFlags: flags),
                      let pfn = rmqueueBuddy(ac, zone: zone, allocFlags: flags, cpu: context.cpu) else { return nil }
                prepNewPage(pfn, zone: zone, ac: ac)
                return pfn
            }
            if let pfn { return pfn }
        }
        return nil
    }
}
