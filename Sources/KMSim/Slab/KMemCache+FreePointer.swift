import Atomics

extension KMemCache {
    /// `freelist_ptr_encode()` / `freelist_ptr_decode()` with CONFIG_SLAB_FREELIST_HARDENED: the stored
    /// value is `ptr ^ s->random ^ swab(address of the field)`, so a leaked or overwritten free pointer
    /// does not name a usable address. The same XOR decodes.
    @inline(__always)
    func freePointerCode(_ value: UInt, at fieldAddress: UInt) -> UInt {
        value ^ random ^ fieldAddress.byteSwapped
    }

    @inline(__always)
    func freePointerCell(_ object: UInt) -> UnsafeAtomic<UInt> {
        UnsafeAtomic(at: UnsafeMutableRawPointer(bitPattern: object + UInt(geometry.offset)).unsafelyUnwrapped
            .assumingMemoryBound(to: UInt.AtomicRepresentation.self))
    }

    /// `get_freepointer()` / `get_freepointer_safe()`: the next free object after `object` (0 for none).
    /// A relaxed atomic load: on the fast path the object may just have been taken by the other side of
    /// the CPU, and the {freelist, tid} compare-and-swap then rejects whatever was read (the kernel's
    /// `data_race()` read).
    @inline(__always)
    func freePointer(_ object: UInt) -> UInt {
        let field = object + UInt(geometry.offset)
        return freePointerCode(freePointerCell(object).load(ordering: .relaxed), at: field)
    }

    /// `set_freepointer()`: stores the encoded next pointer into a free object the caller owns.
    @inline(__always)
    func setFreePointer(_ object: UInt, _ next: UInt) {
        let field = object + UInt(geometry.offset)
        freePointerCell(object).store(freePointerCode(next, at: field), ordering: .relaxed)
    }

    /// `check_valid_pointer()` on the free path, with the slab's first address already known: a mask for
    /// power-of-two strides (every kmalloc cache but 96 and 192), a division otherwise.
    @inline(__always)
    func isObjectStart(_ object: UInt, base: UInt, in slab: Slab) -> Bool {
        let offset = object &- base &- UInt(geometry.redLeftPad)
        guard offset < UInt(slab.counters.objects &* geometry.size) else { return false }
        return sizeMask != 0 ? offset & sizeMask == 0 : offset % UInt(geometry.size) == 0
    }

    /// `check_valid_pointer()`: 0 or the start of one of the slab's objects.
    func isValidPointer(_ object: UInt, in slab: Slab) -> Bool {
        if object == 0 { return true }
        let base = slabBase(slab)
        let slot = object &- UInt(geometry.redLeftPad)
        let objects = slab.counters.objects
        guard slot >= base, slot < base + UInt(objects * geometry.size) else { return false }
        return (slot - base) % UInt(geometry.size) == 0
    }
}
