/// Why a GFP expression such as `GFP_KERNEL|__GFP_ZERO` could not be read; `description` names the
/// offending token.
public enum GFPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing but white space.
    case emptyExpression
    /// Nothing between two `|` (or before the first, or after the last); `position` counts tokens from 1.
    case emptyToken(position: Int)
    /// A name the 6.12 kernel does not define; `suggestion` is the right spelling when only case differs.
    case unknownFlag(String, suggestion: String?)
    /// A flag the kernel used to have and removed; `note` says when and what replaced it.
    case removedFlag(String, note: String)
    /// A token that starts like a number but is not a valid 32-bit hex or decimal value.
    case invalidNumber(String)
    /// A numeric token with bits no 6.12 flag uses.
    case unknownBits(token: String, bits: UInt32)

    public var description: String {
        switch self {
        case .emptyExpression:
            return "empty GFP expression: give flag names joined by '|', e.g. GFP_KERNEL|__GFP_ZERO, or a value such as 0xcc0"
        case .emptyToken(let position):
            return "empty flag name at position \(position): nothing between '|' separators"
        case .unknownFlag(let token, let suggestion):
            if let suggestion {
                return "unknown GFP flag '\(token)': kernel names are case-sensitive, did you mean \(suggestion)?"
            }
            return "unknown GFP flag '\(token)' (not defined in Linux 6.12 include/linux/gfp_types.h)"
        case .removedFlag(let token, let note):
            return "GFP flag '\(token)' no longer exists: \(note)"
        case .invalidNumber(let token):
            return "invalid number '\(token)': expected a 32-bit hex (0x...) or decimal value"
        case .unknownBits(let token, let bits):
            let hex = "0x" + String(bits, radix: 16)
            if bits == GFPFlags.atomicBitRemoved {
                return "'\(token)' sets bit 0x200, which was __GFP_ATOMIC: removed in Linux 6.3 (\"mm: discard __GFP_ATOMIC\"); "
                    + "non-blocking callers now get the atomic reserves from the absence of __GFP_DIRECT_RECLAIM"
            }
            let atomicNote = bits & GFPFlags.atomicBitRemoved != 0 ? "; 0x200 was __GFP_ATOMIC, removed in Linux 6.3" : ""
            return "'\(token)' sets bits \(hex) that no GFP flag uses in a default Linux 6.12 build "
                + "(__GFP_SKIP_ZERO, __GFP_SKIP_KASAN, __GFP_NOLOCKDEP and __GFP_NO_OBJ_EXT are 0 there\(atomicNote))"
        }
    }
}

extension GFPFlags {
    /// Bit 0x200, `___GFP_ATOMIC` until 2023; unused ("0x200u unused") in 6.12.
    static let atomicBitRemoved: UInt32 = 0x200
}
