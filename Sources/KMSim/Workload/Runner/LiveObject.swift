/// One allocation the runner holds until its lifetime ends, packed in 8 bytes: a slab object's address,
/// a vmalloc address, the PFN + 1 of an `alloc_pages` block, or the `MovablePages` handle + 1 of an
/// order-0 `__GFP_MOVABLE` page (the handle names the page wherever compaction moves it) in the low 48
/// bits (host pointers on x86-64 fit in 47, and kernel addresses such as vmalloc's are their low 48 bits
/// sign-extended from bit 47), the index of the operation that allocated it (12 bits) and the page
/// order (4 bits).
///
/// Stored in flat per-task arrays (`LiveObjectSet`), never as a class instance per object. The size
/// matters: larson's 5000 slots per task are touched at random, so every byte is cache footprint, and
/// 8 bytes is what a bare benchmark keeps (one pointer).
struct LiveObject: Equatable {
    private var bits: UInt64

    /// Operations a plan may have (`RunPlan.maximumOperations`).
    static let operationLimit = 1 << 12

    init(address: UInt, operation: Int, order: Int = 0) {
        bits = UInt64(address) & Self.addressMask | UInt64(operation & 0xFFF) << 48 | UInt64(order & 0xF) << 60
    }

    private static let addressMask: UInt64 = (1 << 48) - 1

    /// The address, sign-extended from bit 47 (canonical form) so vmalloc addresses come back whole.
    var address: UInt { UInt(bitPattern: Int(Int64(bitPattern: bits << 16) >> 16)) }
    var operation: Int { Int((bits >> 48) & 0xFFF) }
    var order: Int { Int(bits >> 60) }

    static let empty = LiveObject(address: 0, operation: 0)

    var isEmpty: Bool { address == 0 }
}

/// An object on its way to another CPU: the object, and for an interrupt handler's object the index of
/// its handler allocation in `RunPlan.handlerAllocations`, whose lifetime the receiving CPU applies (-1:
/// freed on arrival).
struct RemoteObject {
    var object: LiveObject
    var deferral: Int
}
