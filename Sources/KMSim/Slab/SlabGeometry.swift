/// Where everything sits in a cache's objects and slabs: `calculate_sizes()` and `calculate_order()` of
/// mm/slub.c (Linux 6.12), kept as a value so it can be computed and tested without a machine.
///
/// One object slot of `size` bytes, from its start:
/// `[left red zone: redLeftPad][object: objectSize][right red zone / alignment: inuse - objectSize]`
/// `[free pointer when it lives outside the object][alloc track][free track][orig_size][padding]`.
/// The object pointer handed out is `slot + redLeftPad` (`fixup_red_left`). Without debugging the slot is
/// just the object rounded up to the alignment, and the free pointer sits in the middle of the object.
public struct SlabGeometry: Sendable, Equatable {
    /// `s->object_size`: what the caller asked for.
    public let objectSize: Int
    /// `s->size`: the stride from one object slot to the next.
    public let size: Int
    /// `s->inuse`: offset of the metadata after the object (object plus right red zone, word aligned).
    public let inuse: Int
    /// `s->offset`: where the free pointer lives, counted from the object pointer.
    public let offset: Int
    /// `s->align`.
    public let align: Int
    /// `s->red_left_pad`: bytes of left red zone before each object (0 without SLAB_RED_ZONE).
    public let redLeftPad: Int
    /// `oo_order(s->oo)`: the slab order chosen by `calculate_order`.
    public let order: Int
    /// `oo_objects(s->oo)`: objects in a slab of `order`.
    public let objectsPerSlab: Int
    /// `oo_order(s->min)`: the smallest order that holds one object (the ORDER_FALLBACK order).
    public let minOrder: Int
    /// `oo_objects(s->min)`.
    public let minObjectsPerSlab: Int
    /// Whether `__OBJECT_POISON` is set (poisoning asked for and no constructor).
    public let objectPoison: Bool
    /// Whether the cache stores `orig_size` (SLAB_STORE_USER on a kmalloc cache).
    public let storesOrigSize: Bool
    let flags: SlabFlags

    /// Page size of the simulated x86-64 machine.
    public static let pageSize = 4096
    /// `slub_max_order`'s default, PAGE_ALLOC_COSTLY_ORDER (the workload's `slubMaxOrder` overrides it).
    public static let maxOrder = 3
    /// `MAX_PAGE_ORDER`.
    static let maxPageOrder = 10
    /// `MAX_OBJS_PER_PAGE`: `slab->objects` is a 15-bit field.
    public static let maxObjectsPerSlab = 32767
    /// `sizeof(void *)`.
    static let wordSize = 8
    /// `sizeof(struct track)`: addr, stack handle, cpu, pid, when (with CONFIG_STACKDEPOT).
    public static let trackSize = 32
    /// x86-64 `cache_line_size()`.
    static let cacheLineSize = 64

    /// `calculate_sizes()`: lays out an object of `objectSize` bytes with at least `align` alignment for
    /// the given flags. Returns nil when no slab of order ≤ MAX_PAGE_ORDER holds one object (the kernel's
    /// kmem_cache_open failing), or when the size or alignment is not usable.
    public init?(objectSize: Int, align requestedAlign: Int, flags: SlabFlags, hasConstructor: Bool,
                 cpuCount: Int, tunables: KernelTunables = KernelTunables()) {
        guard objectSize > 0, objectSize <= Self.pageSize << Self.maxPageOrder,
              requestedAlign >= 0, requestedAlign <= Self.pageSize << Self.maxOrder,
              requestedAlign == 0 || requestedAlign & (requestedAlign - 1) == 0, cpuCount > 0
        else { return nil }
        let word = Self.wordSize
        let align = Self.calculateAlignment(flags: flags, align: requestedAlign, size: objectSize)
        let poison = flags.contains(.poison) && !hasConstructor
        let origSize = flags.contains(.storeUser) && flags.contains(.kmalloc)

        var size = Self.alignUp(objectSize, word)
        if flags.contains(.redZone) && size == objectSize {
            size += word
        }
        let inuse = size
        let offset: Int
        if flags.contains(.poison) || hasConstructor
            || (flags.contains(.redZone) && (objectSize < word || origSize)) {
            offset = size
            size += word
        } else {
            offset = objectSize / 2 / word * word
        }
        if flags.contains(.storeUser) {
            size += 2 * Self.trackSize
            if flags.contains(.kmalloc) { size += 4 }
        }
        var redLeftPad = 0
        if flags.contains(.redZone) {
            size += word
            redLeftPad = Self.alignUp(word, align)
            size += redLeftPad
        }
        size = Self.alignUp(size, align)

        let order = Self.calculateOrder(size: size, cpuCount: cpuCount, tunables: tunables)
        guard order >= 0 else { return nil }
        let minOrder = Self.getOrder(size)
        self.objectSize = objectSize
        self.size = size
        self.inuse = inuse
        self.offset = offset
        self.align = align
        self.redLeftPad = redLeftPad
        self.order = order
        self.objectsPerSlab = Self.orderObjects(order: order, size: size)
        self.minOrder = minOrder
        self.minObjectsPerSlab = Self.orderObjects(order: minOrder, size: size)
        self.objectPoison = poison
        self.storesOrigSize = origSize
        self.flags = flags
        guard objectsPerSlab > 0 else { return nil }
    }

    /// Whether the free pointer lies outside the object (`freeptr_outside_object`).
    public var freePointerOutsideObject: Bool { offset >= inuse }
    /// `get_info_end()`: where the tracking data starts, from the object pointer.
    public var infoEnd: Int { freePointerOutsideObject ? inuse + Self.wordSize : inuse }
    /// Where `orig_size` lives, from the object pointer.
    var origSizeOffset: Int { infoEnd + 2 * Self.trackSize }
    /// `size_from_object()`: the slot measured from the object pointer.
    public var sizeFromObject: Int { size - redLeftPad }
    /// The end of the metadata: the start of the object padding checked against POISON_INUSE.
    var metadataEnd: Int {
        var end = infoEnd
        if flags.contains(.storeUser) {
            end += 2 * Self.trackSize
            if flags.contains(.kmalloc) { end += 4 }
        }
        return end
    }
    /// Bytes of one slab of `order`.
    public var slabBytes: Int { Self.pageSize << order }

    /// `calculate_alignment()`: SLAB_HWCACHE_ALIGN halves the cache line while the object fits twice;
    /// the result is at least a word.
    static func calculateAlignment(flags: SlabFlags, align: Int, size: Int) -> Int {
        var align = align
        if flags.contains(.hwcacheAlign) {
            var lineAlign = cacheLineSize
            while size <= lineAlign / 2 { lineAlign /= 2 }
            align = max(align, lineAlign)
        }
        align = max(align, wordSize)
        return alignUp(align, wordSize)
    }

    /// `calculate_order()`: min_objects = `slub_min_objects`, or 4 × (fls(nr_cpus) + 1) when that is 0,
    /// capped by what fits in a slab of `slub_max_order`; the smallest order from max(`slub_min_order`,
    /// that) up to `slub_max_order` whose leftover is at most 1/16, then 1/8, 1/4 and 1/2 of the slab;
    /// else `get_order(size)`. Returns -1 for the kernel's -ENOSYS.
    public static func calculateOrder(size: Int, cpuCount: Int, tunables: KernelTunables = KernelTunables()) -> Int {
        let maxOrder = tunables.slubMaxOrder
        var minObjects = tunables.slubMinObjects > 0 ? tunables.slubMinObjects : 4 * (fls(cpuCount) + 1)
        let maxObjects = max(orderObjects(order: maxOrder, size: size), 1)
        minObjects = min(minObjects, maxObjects)
        let minOrder = max(tunables.slubMinOrder, getOrder(minObjects * size))
        if orderObjects(order: minOrder, size: size) > maxObjectsPerSlab {
            return getOrder(size * maxObjectsPerSlab) - 1
        }
        var fraction = 16
        while fraction > 1 {
            let order = calcSlabOrder(size: size, minOrder: minOrder, maxOrder: maxOrder, fraction: fraction)
            if order <= maxOrder { return order }
            fraction /= 2
        }
        let order = getOrder(size)
        return order <= maxPageOrder ? order : -1
    }

    /// `calc_slab_order()`: the first order in `minOrder...maxOrder` whose leftover is at most
    /// slab_size / fraction, or maxOrder + 1.
    static func calcSlabOrder(size: Int, minOrder: Int, maxOrder: Int, fraction: Int) -> Int {
        var order = minOrder
        while order <= maxOrder {
            let slabSize = pageSize << order
            if slabSize % size <= slabSize / fraction { break }
            order += 1
        }
        return order
    }

    /// `order_objects()`.
    static func orderObjects(order: Int, size: Int) -> Int { (pageSize << order) / size }

    /// `get_order()`: the smallest order whose block holds `size` bytes.
    public static func getOrder(_ size: Int) -> Int {
        var order = 0
        while (pageSize << order) < size { order += 1 }
        return order
    }

    /// `fls()`: 1-based index of the most significant set bit, 0 for 0.
    static func fls(_ value: Int) -> Int { value <= 0 ? 0 : Int.bitWidth - value.leadingZeroBitCount }

    static func alignUp(_ value: Int, _ align: Int) -> Int { (value + align - 1) / align * align }
}
