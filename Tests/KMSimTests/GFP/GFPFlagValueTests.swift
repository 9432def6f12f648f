import Testing
@testable import KMSim

/// Values copied by hand from Linux 6.12 include/linux/gfp_types.h, not derived from the code under test.
@Suite struct GFPFlagValueTests {
    static let bits: [(GFPFlags, UInt32)] = [
        (.dma, 0x01), (.highMem, 0x02), (.dma32, 0x04), (.movable, 0x08), (.reclaimable, 0x10),
        (.high, 0x20), (.io, 0x40), (.fs, 0x80), (.zero, 0x100), (.directReclaim, 0x400),
        (.kswapdReclaim, 0x800), (.write, 0x1000), (.noWarn, 0x2000), (.retryMayFail, 0x4000),
        (.noFail, 0x8000), (.noRetry, 0x10000), (.memalloc, 0x20000), (.comp, 0x40000),
        (.noMemalloc, 0x80000), (.hardwall, 0x100000), (.thisNode, 0x200000), (.account, 0x400000),
        (.zeroTags, 0x800000),
    ]

    static let composites: [(String, GFPFlags, UInt32)] = [
        ("GFP_ATOMIC", .atomic, 0x820),
        ("GFP_KERNEL", .kernel, 0xcc0),
        ("GFP_KERNEL_ACCOUNT", .kernelAccount, 0x400cc0),
        ("GFP_NOWAIT", .noWait, 0x2800),
        ("GFP_NOIO", .noIO, 0xc00),
        ("GFP_NOFS", .noFS, 0xc40),
        ("GFP_USER", .user, 0x100cc0),
        ("GFP_DMA", .gfpDMA, 0x1),
        ("GFP_DMA32", .gfpDMA32, 0x4),
        ("GFP_HIGHUSER", .highUser, 0x100cc2),
        ("GFP_HIGHUSER_MOVABLE", .highUserMovable, 0x100cca),
        ("GFP_TRANSHUGE_LIGHT", .transHugeLight, 0x1c20ca),
        ("GFP_TRANSHUGE", .transHuge, 0x1c24ca),
    ]

    @Test func everyBitHasTheKernelValue() {
        for (flag, value) in Self.bits {
            #expect(flag.rawValue == value)
        }
        #expect(GFPFlags.reclaim.rawValue == 0xc00)
        #expect(GFPFlags.zoneMask.rawValue == 0x0f)
        #expect(GFPFlags.allBits.rawValue == 0xfffdff)
    }

    @Test func everyCompositeHasTheKernelValue() {
        for (name, flags, value) in Self.composites {
            #expect(flags.rawValue == value, "\(name)")
        }
    }

    @Test func theNameTableCarriesTheKernelValues() {
        let table = Dictionary(uniqueKeysWithValues: GFPFlags.kernelNames.map { ($0.name, $0.flags.rawValue) })
        for (name, _, value) in Self.composites {
            #expect(table[name] == value, "\(name)")
        }
        #expect(table["__GFP_RECLAIM"] == 0xc00)
        #expect(table["__GFP_ZEROTAGS"] == 0x800000)
        #expect(table["__GFP_HIGHMEM"] == 0x02)
        #expect(table["__GFP_DMA"] == nil, "the %pGg table spells the DMA bit GFP_DMA")
    }

    @Test func theNameTableFollowsTheKernelOrder() {
        let expected = [
            "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER",
            "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT", "GFP_DMA",
            "__GFP_HIGHMEM", "GFP_DMA32", "__GFP_HIGH", "__GFP_IO", "__GFP_FS", "__GFP_NOWARN",
            "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_COMP", "__GFP_ZERO",
            "__GFP_NOMEMALLOC", "__GFP_MEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_RECLAIMABLE",
            "__GFP_MOVABLE", "__GFP_ACCOUNT", "__GFP_WRITE", "__GFP_RECLAIM", "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM", "__GFP_ZEROTAGS",
        ]
        #expect(GFPFlags.kernelNames.map(\.name) == expected)
    }
}
