/// `freelist_aba_t` (mm/slub.c): a CPU's `{c->freelist, c->tid}` in one 64-bit word, so that the fast
/// paths change both with a single 8-byte compare-and-swap.
///
/// The kernel pairs a full pointer with a full `unsigned long` tid and swaps them with `cmpxchg16b` on
/// 64-bit machines (`cmpxchg64` of two 32-bit halves on 32-bit ones). Its per-CPU form carries no `lock`
/// prefix: only an interrupt on the same CPU can come in between, and it arrives between instructions.
/// Here a CPU's process side and interrupt side are two host threads, so the swap must be a locked one,
/// and a locked `cmpxchg16b` costs this host 7.0 ns against 3.2 ns for a locked 8-byte `cmpxchg` (a C
/// loop, one thread, uncontended). Packing the pair into one word, as the 32-bit kernel does, keeps
/// SLUB's fast path at the kernel's cost relative to the rest of the allocator.
///
/// Layout: bits 0–43 hold `(object - (directMapBase - 8)) >> 3`, so 0 is the empty list and every
/// object of a direct map of up to 64 TiB (64 nodes × 1 TiB, the largest machine a spec accepts; objects
/// are word aligned, see `SlabGeometry`) fits; bits 44–63 hold the tid. Every successful swap adds one
/// to the tid, which wraps after 2^20 transactions. The kernel also puts the CPU number in the tid
/// (`init_tid()`, `TID_STEP`) to notice a task that migrated between reading `c` and swapping; a kmsim
/// context never changes CPU, and each CPU's word is its own, so the whole field counts transactions.
/// A stale swap would need one side stopped between its load and its swap while the other side made an
/// exact multiple of 2^20 transactions and left the same object at the head.
struct FreelistTid {
    /// Bits of the packed object field.
    static let objectBits = 44
    static let objectMask: UInt64 = (1 << UInt64(objectBits)) - 1
    /// One transaction in the tid field.
    static let tidUnit: UInt64 = 1 << UInt64(objectBits)

    /// The direct map's base minus one word: field 0 stays free for "no object".
    let origin: UInt

    init(directMapBase: UInt) {
        origin = directMapBase &- 8
    }

    /// `c->freelist` of a packed word: the object's address, or 0.
    @inline(__always)
    func object(in word: UInt64) -> UInt {
        let field = UInt(truncatingIfNeeded: word & Self.objectMask)
        return field == 0 ? 0 : origin &+ field &<< 3
    }

    /// `c->tid` of a packed word.
    @inline(__always)
    static func tid(in word: UInt64) -> UInt64 { word >> UInt64(objectBits) }

    /// The word after a transaction on `word`: `object` (an address in the direct map, or 0) at the head
    /// and the tid advanced by one (`next_tid()`).
    @inline(__always)
    func word(after word: UInt64, object: UInt) -> UInt64 {
        let field = object == 0 ? 0 : UInt64(truncatingIfNeeded: (object &- origin) &>> 3)
        return ((word & ~Self.objectMask) &+ Self.tidUnit) | field
    }
}
