import Testing
@testable import KMSim

/// `%pGg` output, written out from the kernel's table and lib/test_printf.c, not from the code.
@Suite struct GFPPrintingTests {
    @Test(arguments: [
        (UInt32(0xdc0), "GFP_KERNEL|__GFP_ZERO"),
        (0x820, "GFP_ATOMIC"),
        (0x2820, "GFP_ATOMIC|__GFP_NOWARN"),
        (0x821, "GFP_ATOMIC|GFP_DMA"),
        (0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP"),
        (0x1c24ca, "GFP_TRANSHUGE"),
        (0x1c20ca, "GFP_TRANSHUGE_LIGHT"),
        (0x2800, "GFP_NOWAIT"),
        (0x800, "__GFP_KSWAPD_RECLAIM"),
        (0x400, "__GFP_DIRECT_RECLAIM"),
        (0x2cc0, "GFP_KERNEL|__GFP_NOWARN"),
        (0x500cc0, "GFP_USER|__GFP_ACCOUNT"),
        (0xcc1, "GFP_KERNEL|GFP_DMA"),
        (0x20, "__GFP_HIGH"),
        (0x18, "__GFP_RECLAIMABLE|__GFP_MOVABLE"),
        (0x3, "GFP_DMA|__GFP_HIGHMEM"),
        (0x200, "0x200"),
        (0xff000000, "0xff000000"),
        (0xff000020, "__GFP_HIGH|0xff000000"),
        (0, ""),
    ])
    func printsLikeTheKernel(value: UInt32, expected: String) {
        #expect(GFPFlags(rawValue: value).description == expected)
    }

    @Test func hexAndBitNames() {
        #expect(GFPFlags.kernel.hexString == "0xcc0")
        #expect(GFPFlags().hexString == "0x0")
        #expect(GFPFlags(rawValue: 0x821).bitNames == ["__GFP_DMA", "__GFP_HIGH", "__GFP_KSWAPD_RECLAIM"])
        #expect(GFPFlags(rawValue: 0x205).bitNames == ["__GFP_DMA", "__GFP_DMA32", "0x200"])
    }
}
