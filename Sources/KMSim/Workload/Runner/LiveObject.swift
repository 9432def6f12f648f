/// One allocation the runner holds until its lifetime ends: a slab object's address, or the first PFN
/// of an `alloc_pages` block, with what is needed to free it. 24 bytes, stored in flat per-task arrays
/// (`LiveObjectSet`) and remote-free rings, never as a class instance per object.
struct LiveObject {
    /// The object's address (`UInt(bitPattern:)`), or the PFN for `alloc_pages`; 0 marks an empty slot.
    var address: UInt
    /// When the object is due: a monotonic nanosecond time for `Lifetime.time`, unused otherwise.
    var due: UInt64
    /// Bytes for the slab APIs, the order for `alloc_pages`.
    var size: UInt32
    /// Index of the operation (API, cache) in `RunPlan.operations` that allocated it.
    var operation: UInt16
    /// For an interrupt handler's object passed to a task: the index of its handler allocation in
    /// `RunPlan.handlerAllocations`, whose lifetime the receiving CPU applies; -1 frees on arrival.
    var deferral: Int16

    static let empty = LiveObject(address: 0, due: 0, size: 0, operation: 0, deferral: -1)

    var isEmpty: Bool { address == 0 }
}
