/// A GFP mask whose zone modifiers `gfp_zone()` rejects (a `GFP_ZONE_BAD` combination, include/linux/gfp.h).
///
/// In the kernel this trips `VM_BUG_ON` under CONFIG_DEBUG_VM and otherwise silently picks a table entry;
/// kmsim refuses the request instead.
public enum GFPZoneError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The zone bits set, e.g. `[.dma, .highMem]`.
    case invalidZoneModifiers(GFPFlags)

    /// The zone modifier bits in gfp_types.h order with their kernel names.
    static let modifierNames: [(flag: GFPFlags, name: String)] = [
        (.dma, "__GFP_DMA"), (.highMem, "__GFP_HIGHMEM"), (.dma32, "__GFP_DMA32"), (.movable, "__GFP_MOVABLE"),
    ]

    /// The offending zone bits, joined by `|` (`__GFP_DMA|__GFP_HIGHMEM`).
    public var conflictingFlags: String {
        switch self {
        case .invalidZoneModifiers(let bits):
            return Self.modifierNames.filter { bits.contains($0.flag) }.map(\.name).joined(separator: "|")
        }
    }

    public var description: String {
        "invalid zone modifiers \(conflictingFlags): at most one of __GFP_DMA, __GFP_DMA32 and __GFP_HIGHMEM "
            + "may be set (GFP_ZONE_BAD; gfp_zone() hits VM_BUG_ON in the kernel)"
    }
}
