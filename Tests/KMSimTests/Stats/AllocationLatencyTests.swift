import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct AllocationLatencyTests {
    @Test func gfpClasses() {
        #expect(GFPClass(.atomic) == .atomic)
        #expect(GFPClass(.noWait) == .noWait)
        #expect(GFPClass(.noIO) == .noIO)
        #expect(GFPClass(.noFS) == .noFS)
        #expect(GFPClass(.kernel) == .kernel)
        #expect(GFPClass(.kernelAccount) == .kernel)
        #expect(GFPClass(.user) == .user)
        #expect(GFPClass(.highUserMovable) == .user)
        #expect(GFPClass(GFPFlags.kernel.union([.noRetry, .zero])) == .kernel)
        #expect(GFPClass.kernel.description == "GFP_KERNEL")
    }

    @Test func sizeClassesAndKeysRoundTrip() {
        #expect(AllocationSizeClass.slab(size: 8).bucket == 3)
        #expect(AllocationSizeClass.slab(size: 96).bucket == 7)
        #expect(AllocationSizeClass.slab(size: 4096).bucket == 12)
        #expect(AllocationSizeClass.slab(size: 1).bucket == 0)
        #expect(AllocationSizeClass.pages(order: 3).description == "alloc_pages order-3")
        #expect(AllocationSizeClass.pages(order: 99).bucket == 31)
        for kind in ExecutionContext.Kind.allCases {
            for gfpClass in GFPClass.allCases {
                for size in [AllocationSizeClass.pages(order: 0), .slab(size: 192), .vmalloc(pages: 5), .kmallocLarge(order: 4)] {
                    let key = LatencyKey(kind: kind, gfpClass: gfpClass, size: size)
                    #expect(LatencyKey(slot: key.slot) == key)
                }
            }
        }
    }

    /// Tasks and interrupt handlers on every CPU record; the merged report holds every value once.
    @Test func mergeAcrossCPUSidesAndForeignThreads() async {
        let cpus = makeCPUs()
        let latency = AllocationLatency(cpus: cpus)
        let perTask = 1000
        let perIRQ = 300
        for cpu in cpus {
            await cpu.startTask(pid: 1) { context, _ in
                for value in 1...perTask {
                    latency.record(nanoseconds: UInt64(value), context: context, gfp: .kernel, size: .slab(size: 64))
                }
                context.withMemallocNoFS { context in
                    latency.record(nanoseconds: 5000, context: context, gfp: .kernel, size: .pages(order: 0))
                }
            }.value
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                cpu.raiseIRQ { context in
                    for value in 1...perIRQ {
                        latency.record(nanoseconds: UInt64(value * 10), context: context, gfp: .atomic, size: .pages(order: 0))
                    }
                    continuation.resume()
                }
            }
        }
        latency.record(nanoseconds: 7, context: .task(cpu: 0), gfp: .noIO, size: .vmalloc(pages: 2))
        let report = await latency.merged()
        let cpuCount = UInt64(cpus.count)
        #expect(report.totalCount == cpuCount * UInt64(perTask + 1 + perIRQ) + 1)
        let kernelSlab = report.summary(LatencyKey(kind: .task, gfpClass: .kernel, size: .slab(size: 64)))
        #expect(kernelSlab?.count == cpuCount * UInt64(perTask))
        #expect(kernelSlab?.max == UInt64(perTask))
        if let p50 = kernelSlab?.p50 { #expect((495...505).contains(p50)) }
        #expect(report.summary(LatencyKey(kind: .task, gfpClass: .noFS, size: .pages(order: 0)))?.count == cpuCount)
        let atomic = report.summary(LatencyKey(kind: .hardirq, gfpClass: .atomic, size: .pages(order: 0)))
        #expect(atomic?.count == cpuCount * UInt64(perIRQ))
        #expect(atomic?.max == UInt64(perIRQ * 10))
        #expect(report.summary(LatencyKey(kind: .task, gfpClass: .noIO, size: .vmalloc(pages: 2)))?.count == 1)
        let byClass = report.summariesByContextAndClass()
        #expect(byClass[.init(kind: .task, gfpClass: .kernel)]?.count == cpuCount * UInt64(perTask))
    }

    /// The runner's path: each side records straight into its own recorder (`recorder(of:)`), the process
    /// side and the IRQ side of a CPU at the same time; the merged report counts every value once.
    @Test func sideRecordersTakeConcurrentProcessAndIRQRecords() async {
        let cpus = makeCPUs()
        let latency = AllocationLatency(cpus: cpus)
        let perSide = 20_000
        let taskSlot = LatencyKey(kind: .task, gfpClass: .kernel, size: .slab(size: 64)).slot
        let irqSlot = LatencyKey(kind: .hardirq, gfpClass: .atomic, size: .slab(size: 64)).slot
        for cpu in cpus {
            async let irqDone: Void = withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                cpu.raiseIRQ { _ in
                    let recorder = latency.recorder(of: cpu.irqSide)
                    for value in 1...perSide { recorder.record(slot: irqSlot, nanoseconds: UInt64(value)) }
                    continuation.resume()
                }
            }
            await cpu.startTask(pid: 1) { _, _ in
                let recorder = latency.recorder(of: cpu.processSide)
                for value in 1...perSide { recorder.record(slot: taskSlot, nanoseconds: UInt64(value)) }
            }.value
            await irqDone
        }
        let report = await latency.merged()
        let expected = UInt64(cpus.count * perSide)
        #expect(report.summary(LatencyKey(slot: taskSlot))?.count == expected)
        #expect(report.summary(LatencyKey(slot: irqSlot))?.count == expected)
        #expect(report.summary(LatencyKey(slot: taskSlot))?.max == UInt64(perSide))
        #expect(report.totalCount == 2 * expected)
    }
}
