extension GFPFlags {
    /// The mask as the kernel's `%pGg` prints it (`format_flags()` in lib/vsprintf.c over `gfpflag_names`).
    ///
    /// `format_flags` walks the table in order; every entry whose bits are all still present is printed and
    /// its bits removed, names joined by `|`. Bits no entry covers are printed last as `%#lx`, i.e.
    /// `0x...` in lower case. For a mask of 0 the loop never runs and nothing is printed, so this is the
    /// empty string (a failure report would read `mode:0()`; tracepoints, which use `show_gfp_flags`,
    /// print `none` instead). Example: 0xdc0 prints `GFP_KERNEL|__GFP_ZERO`.
    public var description: String {
        var remaining = rawValue
        var parts: [String] = []
        for entry in Self.kernelNames where remaining != 0 {
            let mask = entry.flags.rawValue
            if remaining & mask == mask {
                parts.append(entry.name)
                remaining &= ~mask
            }
        }
        if remaining != 0 {
            parts.append("0x" + String(remaining, radix: 16))
        }
        return parts.joined(separator: "|")
    }

    /// The mask in hex with a `0x` prefix, like the kernel's `mode:%#x`, except that 0 reads `0x0`
    /// where C's `%#x` prints `0`, so the value is always recognisably hex.
    public var hexString: String { "0x" + String(rawValue, radix: 16) }

    /// The names of the single bits set, lowest bit first, spelled as gfp_types.h defines them
    /// (`__GFP_DMA`, not `GFP_DMA`); a bit with no name shows as hex.
    public var bitNames: [String] {
        let singles = Self.bitAliases + Self.kernelNames.filter { $0.flags.rawValue.nonzeroBitCount == 1 }
        return (0..<UInt32.bitWidth).compactMap { shift -> String? in
            let bit = UInt32(1) << shift
            guard rawValue & bit != 0 else { return nil }
            return singles.first { $0.flags.rawValue == bit }?.name ?? "0x" + String(bit, radix: 16)
        }
    }
}
