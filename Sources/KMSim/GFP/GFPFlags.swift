/// A GFP ("get free pages") mask: the `gfp_t` every kernel allocation takes
/// (include/linux/gfp_types.h, Linux 6.12).
///
/// Each `__GFP_*` bit is a static in Swift style; the `GFP_*` combinations are composites of them.
/// The config-dependent bits (`__GFP_SKIP_ZERO`, `__GFP_SKIP_KASAN`, `__GFP_NOLOCKDEP`,
/// `__GFP_NO_OBJ_EXT`) are 0 in a default x86-64 build and are not modelled. Bit 0x200 is unused: it was
/// `__GFP_ATOMIC` until that flag was removed in 2023.
public struct GFPFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    // MARK: Zone modifiers

    /// `__GFP_DMA` 0x01: the lowest zone (ZONE_DMA, 16 MiB on x86-64).
    public static let dma = GFPFlags(rawValue: 0x01)
    /// `__GFP_HIGHMEM` 0x02: ZONE_HIGHMEM allowed (exists only on 32-bit kernels).
    public static let highMem = GFPFlags(rawValue: 0x02)
    /// `__GFP_DMA32` 0x04: memory below 4 GiB.
    public static let dma32 = GFPFlags(rawValue: 0x04)
    /// `__GFP_MOVABLE` 0x08: ZONE_MOVABLE allowed; also the MIGRATE_MOVABLE mobility hint.
    public static let movable = GFPFlags(rawValue: 0x08)

    // MARK: Mobility, watermark and action modifiers

    /// `__GFP_RECLAIMABLE` 0x10: reclaimable slab pages (MIGRATE_RECLAIMABLE).
    public static let reclaimable = GFPFlags(rawValue: 0x10)
    /// `__GFP_HIGH` 0x20: high priority; may use half of the min reserve (ALLOC_MIN_RESERVE).
    public static let high = GFPFlags(rawValue: 0x20)
    /// `__GFP_IO` 0x40: reclaim may start physical I/O (swap-out).
    public static let io = GFPFlags(rawValue: 0x40)
    /// `__GFP_FS` 0x80: reclaim may call into filesystems (writeback, fs shrinkers).
    public static let fs = GFPFlags(rawValue: 0x80)
    /// `__GFP_ZERO` 0x100: return zeroed memory.
    public static let zero = GFPFlags(rawValue: 0x100)
    /// `__GFP_DIRECT_RECLAIM` 0x400: the caller may enter direct reclaim, i.e. may sleep.
    public static let directReclaim = GFPFlags(rawValue: 0x400)
    /// `__GFP_KSWAPD_RECLAIM` 0x800: wake kswapd when a zone drops below its low watermark.
    public static let kswapdReclaim = GFPFlags(rawValue: 0x800)
    /// `__GFP_WRITE` 0x1000: the caller intends to dirty the page (spread dirty pages over zones).
    public static let write = GFPFlags(rawValue: 0x1000)
    /// `__GFP_NOWARN` 0x2000: no "page allocation failure" report.
    public static let noWarn = GFPFlags(rawValue: 0x2000)
    /// `__GFP_RETRY_MAYFAIL` 0x4000: retry reclaim harder, but fail rather than OOM-kill.
    public static let retryMayFail = GFPFlags(rawValue: 0x4000)
    /// `__GFP_NOFAIL` 0x8000: retry forever; the caller cannot handle failure.
    public static let noFail = GFPFlags(rawValue: 0x8000)
    /// `__GFP_NORETRY` 0x10000: one light reclaim attempt, no OOM killer.
    public static let noRetry = GFPFlags(rawValue: 0x10000)
    /// `__GFP_MEMALLOC` 0x20000: may use all memory, ignoring watermarks.
    public static let memalloc = GFPFlags(rawValue: 0x20000)
    /// `__GFP_COMP` 0x40000: make a compound page.
    public static let comp = GFPFlags(rawValue: 0x40000)
    /// `__GFP_NOMEMALLOC` 0x80000: never use the emergency reserves; beats `__GFP_MEMALLOC`.
    public static let noMemalloc = GFPFlags(rawValue: 0x80000)
    /// `__GFP_HARDWALL` 0x100000: enforce the cpuset memory policy.
    public static let hardwall = GFPFlags(rawValue: 0x100000)
    /// `__GFP_THISNODE` 0x200000: only the requested node (the no-fallback zonelist).
    public static let thisNode = GFPFlags(rawValue: 0x200000)
    /// `__GFP_ACCOUNT` 0x400000: charge the allocation to the memory cgroup (kmemcg).
    public static let account = GFPFlags(rawValue: 0x400000)
    /// `__GFP_ZEROTAGS` 0x800000: zero memory tags together with the memory (arm64 MTE).
    public static let zeroTags = GFPFlags(rawValue: 0x800000)

    // MARK: Helper masks

    /// `__GFP_RECLAIM`: direct and kswapd reclaim.
    public static let reclaim: GFPFlags = [.directReclaim, .kswapdReclaim]
    /// `GFP_ZONEMASK`: the four zone modifier bits `gfp_zone()` looks at.
    public static let zoneMask: GFPFlags = [.dma, .highMem, .dma32, .movable]

    // MARK: Composites (gfp_types.h, "Useful GFP flag combinations")

    /// `GFP_ATOMIC` = `__GFP_HIGH|__GFP_KSWAPD_RECLAIM` (0x820).
    public static let atomic: GFPFlags = [.high, .kswapdReclaim]
    /// `GFP_KERNEL` = `__GFP_RECLAIM|__GFP_IO|__GFP_FS` (0xcc0).
    public static let kernel: GFPFlags = [.reclaim, .io, .fs]
    /// `GFP_KERNEL_ACCOUNT` = `GFP_KERNEL|__GFP_ACCOUNT` (0x400cc0).
    public static let kernelAccount: GFPFlags = [.kernel, .account]
    /// `GFP_NOWAIT` = `__GFP_KSWAPD_RECLAIM|__GFP_NOWARN` (0x2800).
    ///
    /// Checked against the kernel source: `__GFP_NOWARN` was added to `GFP_NOWAIT` by "gfp: include
    /// __GFP_NOWARN in GFP_NOWAIT" (commit 16f5dfbc851b, Matthew Wilcox), which predates the 6.10
    /// conversion of gfp_types.h to an enum of bit numbers; every later gfp_types.h, and so 6.12, reads
    /// `#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)`. Before that it was 0x800 alone.
    public static let noWait: GFPFlags = [.kswapdReclaim, .noWarn]
    /// `GFP_NOIO` = `__GFP_RECLAIM` (0xc00).
    public static let noIO: GFPFlags = [.reclaim]
    /// `GFP_NOFS` = `__GFP_RECLAIM|__GFP_IO` (0xc40).
    public static let noFS: GFPFlags = [.reclaim, .io]
    /// `GFP_USER` = `__GFP_RECLAIM|__GFP_IO|__GFP_FS|__GFP_HARDWALL` (0x100cc0).
    public static let user: GFPFlags = [.reclaim, .io, .fs, .hardwall]
    /// `GFP_DMA` = `__GFP_DMA` (0x1).
    public static let gfpDMA: GFPFlags = [.dma]
    /// `GFP_DMA32` = `__GFP_DMA32` (0x4).
    public static let gfpDMA32: GFPFlags = [.dma32]
    /// `GFP_HIGHUSER` = `GFP_USER|__GFP_HIGHMEM` (0x100cc2).
    public static let highUser: GFPFlags = [.user, .highMem]
    /// `GFP_HIGHUSER_MOVABLE` = `GFP_HIGHUSER|__GFP_MOVABLE|__GFP_SKIP_KASAN` (0x100cca; SKIP_KASAN is 0).
    public static let highUserMovable: GFPFlags = [.highUser, .movable]
    /// `GFP_TRANSHUGE_LIGHT` = `(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NOWARN) & ~__GFP_RECLAIM`
    /// (0x1c20ca): THP page faults, no reclaim and no kswapd.
    public static let transHugeLight = GFPFlags([.highUserMovable, .comp, .noMemalloc, .noWarn])
        .subtracting(.reclaim)
    /// `GFP_TRANSHUGE` = `GFP_TRANSHUGE_LIGHT|__GFP_DIRECT_RECLAIM` (0x1c24ca): khugepaged.
    public static let transHuge: GFPFlags = [.transHugeLight, .directReclaim]

    // MARK: Names

    /// One entry of the kernel's name table: a name and the bits it stands for.
    public struct KernelName: Sendable, Hashable {
        public let name: String
        public let flags: GFPFlags
    }

    /// The kernel's `__def_gfpflag_names` (include/trace/events/mmflags.h) as Linux 6.12 has it, in its
    /// order: composites first (most bits first), then the single bits. `%pGg` walks it greedily.
    ///
    /// The DMA and DMA32 bits appear only as `GFP_DMA` and `GFP_DMA32`; see `bitAliases`. (From 6.15 the
    /// single bits are generated in bit order from TRACE_GFP_FLAGS; 6.12 still lists them by hand.)
    public static let kernelNames: [KernelName] = [
        KernelName(name: "GFP_TRANSHUGE", flags: .transHuge),
        KernelName(name: "GFP_TRANSHUGE_LIGHT", flags: .transHugeLight),
        KernelName(name: "GFP_HIGHUSER_MOVABLE", flags: .highUserMovable),
        KernelName(name: "GFP_HIGHUSER", flags: .highUser),
        KernelName(name: "GFP_USER", flags: .user),
        KernelName(name: "GFP_KERNEL_ACCOUNT", flags: .kernelAccount),
        KernelName(name: "GFP_KERNEL", flags: .kernel),
        KernelName(name: "GFP_NOFS", flags: .noFS),
        KernelName(name: "GFP_ATOMIC", flags: .atomic),
        KernelName(name: "GFP_NOIO", flags: .noIO),
        KernelName(name: "GFP_NOWAIT", flags: .noWait),
        KernelName(name: "GFP_DMA", flags: .gfpDMA),
        KernelName(name: "__GFP_HIGHMEM", flags: .highMem),
        KernelName(name: "GFP_DMA32", flags: .gfpDMA32),
        KernelName(name: "__GFP_HIGH", flags: .high),
        KernelName(name: "__GFP_IO", flags: .io),
        KernelName(name: "__GFP_FS", flags: .fs),
        KernelName(name: "__GFP_NOWARN", flags: .noWarn),
        KernelName(name: "__GFP_RETRY_MAYFAIL", flags: .retryMayFail),
        KernelName(name: "__GFP_NOFAIL", flags: .noFail),
        KernelName(name: "__GFP_NORETRY", flags: .noRetry),
        KernelName(name: "__GFP_COMP", flags: .comp),
        KernelName(name: "__GFP_ZERO", flags: .zero),
        KernelName(name: "__GFP_NOMEMALLOC", flags: .noMemalloc),
        KernelName(name: "__GFP_MEMALLOC", flags: .memalloc),
        KernelName(name: "__GFP_HARDWALL", flags: .hardwall),
        KernelName(name: "__GFP_THISNODE", flags: .thisNode),
        KernelName(name: "__GFP_RECLAIMABLE", flags: .reclaimable),
        KernelName(name: "__GFP_MOVABLE", flags: .movable),
        KernelName(name: "__GFP_ACCOUNT", flags: .account),
        KernelName(name: "__GFP_WRITE", flags: .write),
        KernelName(name: "__GFP_RECLAIM", flags: .reclaim),
        KernelName(name: "__GFP_DIRECT_RECLAIM", flags: .directReclaim),
        KernelName(name: "__GFP_KSWAPD_RECLAIM", flags: .kswapdReclaim),
        KernelName(name: "__GFP_ZEROTAGS", flags: .zeroTags),
    ]

    /// The bit names gfp_types.h defines that `__def_gfpflag_names` spells as composites.
    public static let bitAliases: [KernelName] = [
        KernelName(name: "__GFP_DMA", flags: .dma),
        KernelName(name: "__GFP_DMA32", flags: .dma32),
    ]

    /// Every bit defined in a default 6.12 build (0xfffdff: bits 0 to 23 except the unused 0x200).
    public static let allBits = GFPFlags(kernelNames.map(\.flags) + bitAliases.map(\.flags))
}
