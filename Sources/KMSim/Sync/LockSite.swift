/// A call site as lock_stat records it: the kernel keeps instruction pointers (`_RET_IP_`) in
/// `contention_point[]` / `contending_point[]` and prints them with `%pS`. Swift has no cheap return
/// address, so kmsim records the caller's `#function` instead and packs the `StaticString` into one
/// word, so that a lock can publish "who holds me" with a single relaxed store, as the kernel stores
/// `lock->ip`.
///
/// Packing: the literal's address in the low 48 bits (user-space addresses on x86-64 and arm64 fit) and
/// its UTF-8 length in the high 16. A site that does not fit packs to 0, which means "unknown" and is
/// simply not recorded. String literals live for the whole process, so the name can be rebuilt later.
enum LockSite {
    static let addressBits: UInt64 = 48
    static let addressMask: UInt64 = (1 << addressBits) - 1

    /// The packed form of `site`, or 0 if it cannot be packed.
    @inline(__always)
    static func key(_ site: StaticString) -> UInt64 {
        guard site.hasPointerRepresentation else { return 0 }
        let address = UInt64(UInt(bitPattern: site.utf8Start))
        let length = UInt64(site.utf8CodeUnitCount)
        guard address & ~addressMask == 0, length < (1 << (64 - addressBits)) else { return 0 }
        return address | length << addressBits
    }

    /// The text of a site packed by `key(_:)`, or nil for 0.
    static func name(_ key: UInt64) -> String? {
        guard key != 0,
              let start = UnsafePointer<UInt8>(bitPattern: UInt(key & addressMask)) else { return nil }
        let bytes = UnsafeBufferPointer(start: start, count: Int(key >> addressBits))
        return String(decoding: bytes, as: UTF8.self)
    }
}
