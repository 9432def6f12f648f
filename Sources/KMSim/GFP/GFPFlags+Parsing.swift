/// What `GFPFlags.parse` read: the mask and any warnings about old names it accepted.
public struct GFPParseResult: Equatable, Sendable {
    public let flags: GFPFlags
    public let warnings: [String]

    public init(flags: GFPFlags, warnings: [String] = []) {
        self.flags = flags
        self.warnings = warnings
    }
}

extension GFPFlags {
    /// Reads a GFP expression as C source writes it: kernel names (case-sensitive) and numbers joined by
    /// `|`, with optional spaces, e.g. `GFP_KERNEL | __GFP_ZERO`, `0xcc0`, `3264`.
    ///
    /// Old names are accepted with a warning: `__GFP_WAIT` (renamed `__GFP_RECLAIM` in 4.4) and
    /// `__GFP_HIGHIO` (long gone; adds nothing). `__GFP_ATOMIC` and bit 0x200 are rejected: the flag
    /// was removed in 6.3 and its meaning did not survive. Zone validity is checked separately by `zone()`.
    public static func parse(_ expression: String) throws(GFPParseError) -> GFPParseResult {
        if expression.allSatisfy(\.isWhitespace) {
            throw .emptyExpression
        }
        var flags: GFPFlags = []
        var warnings: [String] = []
        let tokens = expression.split(separator: "|", omittingEmptySubsequences: false)
        for (index, rawToken) in tokens.enumerated() {
            let token = rawToken.trimmingWhitespace()
            if token.isEmpty {
                throw .emptyToken(position: index + 1)
            }
            let parsed = try parseToken(token)
            flags.formUnion(parsed.flags)
            warnings.append(contentsOf: parsed.warnings)
        }
        return GFPParseResult(flags: flags, warnings: warnings)
    }

    /// All names `parse` accepts for current flags: the `%pGg` table plus `__GFP_DMA` and `__GFP_DMA32`.
    static let namesForParsing: [String: GFPFlags] = Dictionary(
        (kernelNames + bitAliases).map { ($0.name, $0.flags) },
        uniquingKeysWith: { first, _ in first }
    )

    private static func parseToken(_ token: String) throws(GFPParseError) -> GFPParseResult {
        if let first = token.first, first.isASCII, first.isNumber {
            return GFPParseResult(flags: try parseNumber(token))
        }
        if let flags = namesForParsing[token] {
            return GFPParseResult(flags: flags)
        }
        switch token {
        case "__GFP_WAIT":
            return GFPParseResult(
                flags: .reclaim,
                warnings: ["__GFP_WAIT was renamed __GFP_RECLAIM (__GFP_DIRECT_RECLAIM|__GFP_KSWAPD_RECLAIM) in Linux 4.4; read as __GFP_RECLAIM"]
            )
        case "__GFP_HIGHIO":
            return GFPParseResult(
                flags: [],
                warnings: ["__GFP_HIGHIO no longer exists (a 2.4/2.6-era flag) and does nothing; ignored"]
            )
        case "__GFP_ATOMIC":
            throw .removedFlag(
                token,
                note: "removed in Linux 6.3 (\"mm: discard __GFP_ATOMIC\"); GFP_ATOMIC is now __GFP_HIGH|__GFP_KSWAPD_RECLAIM "
                    + "and the atomic reserves go to callers without __GFP_DIRECT_RECLAIM"
            )
        default:
            let suggestion = namesForParsing.keys.first { $0 == token.uppercased() }
            throw .unknownFlag(token, suggestion: suggestion)
        }
    }

    /// A hex (`0x...`) or decimal value; it must use only bits some 6.12 flag defines.
    private static func parseNumber(_ token: String) throws(GFPParseError) -> GFPFlags {
        let value: UInt32?
        if token.hasPrefix("0x") || token.hasPrefix("0X") {
            value = UInt32(token.dropFirst(2), radix: 16)
        } else {
            value = UInt32(token, radix: 10)
        }
        guard let value else {
            throw .invalidNumber(token)
        }
        let unknown = value & ~allBits.rawValue
        if unknown != 0 {
            throw .unknownBits(token: token, bits: unknown)
        }
        return GFPFlags(rawValue: value)
    }
}

extension Substring {
    /// The substring without leading and trailing white space (Foundation-free `trimmingCharacters`).
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
