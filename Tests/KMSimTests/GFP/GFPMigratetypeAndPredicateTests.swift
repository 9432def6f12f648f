import Testing
@testable import KMSim

@Suite struct GFPMigratetypeAndPredicateTests {
    @Test func migratetypes() {
        #expect(GFPFlags.kernel.migratetype == .unmovable)
        #expect(GFPFlags.highUserMovable.migratetype == .movable)
        #expect(GFPFlags([.kernel, .reclaimable]).migratetype == .reclaimable)
        #expect(GFPFlags([.movable, .dma]).migratetype == .movable)
        #expect(GFPFlags([.movable, .reclaimable]).migratetype == .highAtomic)
        #expect(GFPFlags([.movable, .reclaimable]).hasConflictingMobility)
        #expect(!GFPFlags.highUserMovable.hasConflictingMobility)
    }

    /// The fast path's mask-and-shift agrees with the named migratetype for every mobility combination,
    /// with and without other bits around them.
    @Test func migratetypeIndexIsTheKernelsMaskAndShift() {
        for mobility in [GFPFlags(), .movable, .reclaimable, [.movable, .reclaimable]] {
            for other in [GFPFlags(), .kernel, .atomic, [.dma32, .zero, .comp]] {
                let flags = mobility.union(other)
                #expect(flags.migratetypeIndex == flags.migratetype.rawValue, "\(flags.hexString)")
            }
        }
    }

    /// What each predicate should say about one mask.
    struct Expected: Sendable, CustomTestStringConvertible {
        let flags: GFPFlags
        let blocks, kswapd, io, fs, reserves: Bool
        var testDescription: String { flags.hexString }
    }

    static let expectations: [Expected] = [
        Expected(flags: .kernel, blocks: true, kswapd: true, io: true, fs: true, reserves: false),
        Expected(flags: .atomic, blocks: false, kswapd: true, io: false, fs: false, reserves: true),
        Expected(flags: .noWait, blocks: false, kswapd: true, io: false, fs: false, reserves: false),
        Expected(flags: .noIO, blocks: true, kswapd: true, io: false, fs: false, reserves: false),
        Expected(flags: .noFS, blocks: true, kswapd: true, io: true, fs: false, reserves: false),
        Expected(flags: .user, blocks: true, kswapd: true, io: true, fs: true, reserves: false),
        Expected(flags: .transHugeLight, blocks: false, kswapd: false, io: true, fs: true, reserves: false),
        Expected(flags: .transHuge, blocks: true, kswapd: false, io: true, fs: true, reserves: false),
        Expected(flags: [.kernel, .high], blocks: true, kswapd: true, io: true, fs: true, reserves: true),
        Expected(flags: [.kernel, .memalloc], blocks: true, kswapd: true, io: true, fs: true, reserves: true),
        Expected(flags: [.kernel, .memalloc, .noMemalloc], blocks: true, kswapd: true, io: true, fs: true, reserves: false),
    ]

    @Test(arguments: expectations)
    func predicates(expected: Expected) {
        let flags = expected.flags
        #expect(flags.allowsBlocking == expected.blocks)
        #expect(flags.wakesKswapd == expected.kswapd)
        #expect(flags.mayIO == expected.io)
        #expect(flags.mayFS == expected.fs)
        #expect(flags.usesReserves == expected.reserves)
    }

    @Test func retryModifiers() {
        #expect(GFPFlags([.kernel, .noFail]).isNoFail)
        #expect(!GFPFlags.kernel.isNoFail)
        #expect(GFPFlags([.kernel, .noRetry]).isNoRetry)
        #expect(!GFPFlags.transHuge.isNoRetry)
        #expect(GFPFlags([.kernel, .retryMayFail]).isRetryMayFail)
        #expect(!GFPFlags.kernel.isRetryMayFail)
    }
}
