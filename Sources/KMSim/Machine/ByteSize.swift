/// Byte counts as users write them: `4096`, `16M`, `512MiB`, `4GiB`, `64k`.
///
/// Like the kernel's `memparse()`, every suffix is binary (K = 1024); `KB`, `KiB` and `K` all mean the
/// same. Parsing never traps: an unknown suffix, a missing number or an overflow is an error that
/// names what was written.
public enum ByteSize {
    /// The binary multipliers, longest spelling first so `MiB` wins over `M`.
    private static let suffixes: [(String, UInt64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
        ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
    ]

    /// Parses a size; returns nil for anything that is not a non-negative integer with an optional suffix.
    public static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingSpaces()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = UInt64(digits) else { return nil }
        let suffix = trimmed.dropFirst(digits.count).trimmingSpaces()
        if suffix.isEmpty { return value }
        guard let multiplier = suffixes.first(where: { $0.0.caseInsensitiveEquals(suffix) })?.1 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// Formats a byte count with the largest binary unit that divides it exactly (`16MiB`, `4GiB`, `1000`).
    public static func format(_ bytes: UInt64) -> String {
        for (name, unit) in [("TiB", UInt64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= unit && bytes % unit == 0 {
            return "\(bytes / unit)\(name)"
        }
        return "\(bytes)"
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        lowercased() == other.lowercased()
    }
}
