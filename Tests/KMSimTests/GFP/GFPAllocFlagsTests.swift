import Testing
@testable import KMSim

/// gfp_to_alloc_flags() and __zone_watermark_ok() in 6.12; expected raw values use the ALLOC_* numbers of
/// mm/internal.h (NON_BLOCK 0x10, MIN_RESERVE 0x20, CPUSET 0x40, CMA 0x80, HIGHATOMIC 0x200, KSWAPD 0x800).
@Suite struct GFPAllocFlagsTests {
    @Test func atomicGoesToThreeEighthsOfMin() {
        let flags = GFPFlags.atomic.allocFlags()
        #expect(flags.rawValue == 0x830)
        #expect(flags.watermarkIndex == 0)
        #expect(flags.effectiveMinimum(1000) == 375)
        #expect(flags.effectiveMinimum(1001) == 376, "1001 - 500 = 501; 501 - 125 = 376")
        #expect(GFPFlags.atomic.allocFlags(order: 1).rawValue == 0xa30, "high-order atomic adds HIGHATOMIC")
    }

    @Test func kernelStaysAtMin() {
        let flags = GFPFlags.kernel.allocFlags()
        #expect(flags.rawValue == 0x840)
        #expect(flags.effectiveMinimum(1000) == 1000)
        #expect(GFPFlags.kernel.slowPathRetryAllocFlags() == flags)
    }

    @Test func noWaitGetsNoReserve() {
        let flags = GFPFlags.noWait.allocFlags()
        #expect(flags.rawValue == 0x850)
        #expect(flags.effectiveMinimum(1000) == 1000)
        #expect(!GFPFlags.noWait.allocFlags(order: 2).contains(.highAtomic), "6.12-stable: HIGHATOMIC needs __GFP_HIGH")
    }

    @Test func highWithDirectReclaimGetsHalf() {
        let flags = GFPFlags([.kernel, .high]).allocFlags()
        #expect(flags.rawValue == 0x860)
        #expect(flags.effectiveMinimum(1000) == 500)
    }

    @Test func memallocIgnoresWatermarksUnlessNoMemalloc() {
        let memalloc = GFPFlags([.kernel, .memalloc])
        #expect(memalloc.allocFlags().effectiveMinimum(1000) == 1000)
        let retry = memalloc.slowPathRetryAllocFlags()
        #expect(retry.rawValue == 0x804)
        #expect(retry.effectiveMinimum(1000) == nil)
        let forbidden = GFPFlags([.kernel, .memalloc, .noMemalloc]).slowPathRetryAllocFlags()
        #expect(forbidden.effectiveMinimum(1000) == 1000)
    }

    @Test func noMemallocWithoutDirectReclaimGetsNoNonBlock() {
        #expect(GFPFlags([.atomic, .noMemalloc]).allocFlags().rawValue == 0x820)
        #expect(GFPFlags([.atomic, .noMemalloc]).allocFlags().effectiveMinimum(1000) == 500)
    }

    @Test func movableRequestsMayUseCMA() {
        #expect(GFPFlags.highUserMovable.allocFlags().rawValue == 0x8c0)
        #expect(GFPFlags.highUserMovable.fastPathAllocFlags.rawValue == 0x81)
        #expect(GFPFlags.kernel.fastPathAllocFlags.rawValue == 0x01)
        #expect(GFPFlags.atomic.fastPathAllocFlags.watermarkIndex == 1)
    }

    @Test func effectiveMinimumForEachReserveFlag() {
        #expect(AllocFlags.nonBlock.effectiveMinimum(1000) == 1000)
        #expect(AllocFlags.oom.effectiveMinimum(1000) == 500)
        #expect(AllocFlags([.minReserve, .nonBlock, .oom]).effectiveMinimum(1000) == 188)
        #expect(AllocFlags([.noWatermarks, .minReserve]).effectiveMinimum(1000) == nil)
        #expect(AllocFlags.wmarkLow.effectiveMinimum(77) == 77)
    }

    @Test func kernelNamesOfAllocFlags() {
        #expect(GFPFlags.atomic.allocFlags().kernelDescription == "ALLOC_WMARK_MIN|ALLOC_NON_BLOCK|ALLOC_MIN_RESERVE|ALLOC_KSWAPD")
        #expect(AllocFlags.wmarkHigh.kernelDescription == "ALLOC_WMARK_HIGH")
    }
}
