/// The page allocator's internal `ALLOC_*` flags (mm/internal.h), derived from the GFP mask by
/// `gfp_to_alloc_flags()` and consulted by `__zone_watermark_ok()`.
///
/// The low two bits select the watermark (`ALLOC_WMARK_MASK`); the rest are independent bits.
public struct AllocFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let wmarkMin = AllocFlags([])
    public static let wmarkLow = AllocFlags(rawValue: 0x01)
    public static let wmarkHigh = AllocFlags(rawValue: 0x02)
    public static let noWatermarks = AllocFlags(rawValue: 0x04)
    public static let oom = AllocFlags(rawValue: 0x08)
    public static let nonBlock = AllocFlags(rawValue: 0x10)
    public static let minReserve = AllocFlags(rawValue: 0x20)
    public static let cpuset = AllocFlags(rawValue: 0x40)
    public static let cma = AllocFlags(rawValue: 0x80)
    public static let noFragment = AllocFlags(rawValue: 0x100)
    public static let highAtomic = AllocFlags(rawValue: 0x200)
    public static let kswapd = AllocFlags(rawValue: 0x800)

    /// `ALLOC_WMARK_MASK`.
    public static let wmarkMask: UInt32 = 0x03
    /// `ALLOC_RESERVES`: any flag that lets an allocation dig below the plain watermark.
    public static let reserves: AllocFlags = [.nonBlock, .minReserve, .highAtomic, .oom]

    /// Which watermark the low bits select: 0 min, 1 low, 2 high.
    public var watermarkIndex: Int { Int(rawValue & Self.wmarkMask) }
}
