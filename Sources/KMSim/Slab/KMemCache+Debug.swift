extension KMemCache {
    /// `init_object()`: red zones set to `redValue` (0xbb free, 0xcc allocated), the object poisoned
    /// (0x6b..., last byte 0xa5) when `__OBJECT_POISON`. `fresh` also clears the tracks (`init_tracking`).
    func initDebugObject(_ object: UInt, redValue: UInt8, fresh: Bool) {
        let pointer = UnsafeMutableRawPointer(bitPattern: object).unsafelyUnwrapped
        if flags.contains(.redZone) {
            (pointer - geometry.redLeftPad).initializeMemory(as: UInt8.self, repeating: redValue, count: geometry.redLeftPad)
        }
        if geometry.objectPoison {
            pointer.initializeMemory(as: UInt8.self, repeating: SlabPoison.free, count: geometry.objectSize - 1)
            pointer.storeBytes(of: SlabPoison.end, toByteOffset: geometry.objectSize - 1, as: UInt8.self)
        }
        if flags.contains(.redZone) {
            (pointer + geometry.objectSize).initializeMemory(
                as: UInt8.self, repeating: redValue, count: geometry.inuse - geometry.objectSize)
        }
        if fresh && flags.contains(.storeUser) {
            (pointer + geometry.infoEnd).initializeMemory(as: UInt8.self, repeating: 0, count: 2 * SlabGeometry.trackSize)
        }
    }

    /// The slow path of a debug cache (`get_partial_node` → `alloc_single_from_partial`, else
    /// `new_slab` → `alloc_single_from_new_slab`): one object at a time under the node's list lock, with
    /// `alloc_debug_processing`'s checks; returns the object or 0.
    func debugSlowAlloc(gfp: GFPFlags, node requested: Int?, context: ExecutionContext, caller: StaticString,
                        origSize: Int) -> UInt {
        let home = requested ?? env.cpuNode[context.cpu]
        // The home node, then (unless a node was requested) every other node in ascending order, without
        // building a list per allocation.
        for step in 0..<(requested != nil ? 1 : nodes.count) {
            let index = step == 0 ? home : (step - 1 < home ? step - 1 : step)
            guard index >= 0 && index < nodes.count else { continue }
            let node = nodes[index]
            if node.nrPartial.load(ordering: .relaxed) == 0 { continue }
            node.listLock.lock(cpu: context.cpu)
            var current = node.partialHead
            while current >= 0 {
                let slab = self.slab(current)
                current = slab.next
                let object = allocSingle(from: slab, node: node, origSize: origSize)
                if object != 0 {
                    node.listLock.unlock(cpu: context.cpu)
                    stats.bump(.allocFromPartial, context)
                    setTrack(object, free: false, caller: caller, context: context)
                    return object
                }
            }
            node.listLock.unlock(cpu: context.cpu)
        }
        for _ in 0..<2 {
            guard let slab = allocateSlab(gfp: gfp, node: requested, context: context) else { return 0 }
            stats.bump(.allocSlab, context)
            let node = nodes[env.node(ofPFN: slab.pfn)]
            node.listLock.lock(cpu: context.cpu)
            addPartial(node, slab, toTail: false)
            let object = allocSingle(from: slab, node: node, origSize: origSize)
            node.listLock.unlock(cpu: context.cpu)
            if object != 0 {
                setTrack(object, free: false, caller: caller, context: context)
                return object
            }
        }
        return 0
    }

    /// `alloc_single_from_partial()`: takes the first free object of a slab on the node partial list,
    /// under the list lock, and runs `alloc_debug_processing`. A slab that fails its checks is marked
    /// full ("Marking all objects used") and leaves the list; so does a slab that becomes full.
    func allocSingle(from slab: Slab, node: KMemCacheNode, origSize: Int) -> UInt {
        let object = slab.freelist
        var counters = slab.counters
        guard object != 0 else {
            removePartial(node, slab)
            return 0
        }
        let valid = isValidPointer(object, in: slab)
        let next = valid ? freePointer(object) : 0
        counters.inuse += 1
        slab.set(freelist: next, counters: counters)
        if !allocDebugProcessing(slab, object: object, valid: valid, origSize: origSize) {
            slab.set(freelist: 0, counters: SlabCounters(inuse: counters.objects, objects: counters.objects, frozen: false))
            removePartial(node, slab)
            return 0
        }
        if counters.inuse == counters.objects { removePartial(node, slab) }
        return object
    }

    /// `alloc_debug_processing()`: with sanity checks, `alloc_consistency_checks` (the object must be a
    /// valid free object whose poison and red zones are intact: a write after free shows here); then
    /// the object gets its active red zones and `orig_size`.
    func allocDebugProcessing(_ slab: Slab, object: UInt, valid: Bool, origSize: Int) -> Bool {
        if flags.contains(.consistencyChecks) {
            var ok = true
            if !valid {
                report(.freelistCorrupt, objectError(slab, object: object, reason: "Freelist Pointer check fails"))
                ok = false
            } else if !checkObject(slab, object: object, redValue: SlabPoison.redInactive) {
                ok = false
            }
            if !ok {
                env.reporter.recordFix(cache: name, "Marking all objects used")
                return false
            }
        }
        if geometry.storesOrigSize {
            UnsafeMutableRawPointer(bitPattern: object + UInt(geometry.origSizeOffset)).unsafelyUnwrapped
                .storeBytes(of: UInt32(truncatingIfNeeded: origSize), as: UInt32.self)
        }
        initDebugObject(object, redValue: SlabPoison.redActive, fresh: false)
        return true
    }

    /// `free_to_partial_list()` with `free_debug_processing()`: under the node's list lock, check each
    /// object (valid pointer, not already free, red zones intact, right cache), record the free track,
    /// re-poison it, and link it into the slab; a slab that empties is discarded past `min_partial`.
    /// Objects that fail a check are not freed ("FIX <cache>: Object at 0x... not freed").
    func debugFree(_ slab: Slab, head: UInt, tail: UInt, count: Int, context: ExecutionContext,
                   caller: StaticString) {
        let node = nodes[env.node(ofPFN: slab.pfn)]
        var discard = false
        node.listLock.lock(cpu: context.cpu)
        if freeDebugProcessing(slab, head: head, tail: tail, count: count, context: context, caller: caller) {
            let prior = slab.freelist
            var counters = slab.counters
            counters.inuse -= count
            setFreePointer(tail, prior)
            slab.set(freelist: head, counters: counters)
            if counters.inuse == 0 && node.nrPartial.load(ordering: .relaxed) >= minPartial { discard = true }
            if prior == 0 {
                if !discard && !slab.onNodePartial {
                    addPartial(node, slab, toTail: true)
                    stats.bump(.freeAddPartial, context)
                }
            } else if discard && slab.onNodePartial {
                removePartial(node, slab)
                stats.bump(.freeRemovePartial, context)
            }
        }
        node.listLock.unlock(cpu: context.cpu)
        if discard { discardSlab(slab, context: context) }
    }

    func freeDebugProcessing(_ slab: Slab, head: UInt, tail: UInt, count: Int, context: ExecutionContext,
                             caller: StaticString) -> Bool {
        var object = head
        var done = 0
        var ok = true
        if flags.contains(.consistencyChecks) && !checkSlab(slab) { ok = false }
        if ok && slab.counters.inuse < count {
            report(.freelistCorrupt, slabError(slab, "Slab has \(slab.counters.inuse) allocated objects but \(count) are to be freed"))
            ok = false
        }
        while ok && done < count {
            done += 1
            if flags.contains(.consistencyChecks) && !freeConsistencyChecks(slab, object: object) {
                ok = false
                break
            }
            if flags.contains(.storeUser) { setTrack(object, free: true, caller: caller, context: context) }
            let next = object == tail ? 0 : freePointer(object)
            initDebugObject(object, redValue: SlabPoison.redInactive, fresh: false)
            if object == tail { break }
            setFreePointer(object, next)
            object = next
        }
        if !ok {
            env.reporter.recordFix(cache: name, "Object at \(SlabReporter.pointer(object)) not freed")
        }
        return ok
    }

    /// `free_consistency_checks()`.
    func freeConsistencyChecks(_ slab: Slab, object: UInt) -> Bool {
        if !isValidPointer(object, in: slab) {
            report(.invalidObjectPointer, slabError(slab, "Invalid object pointer \(SlabReporter.pointer(object))"))
            return false
        }
        if onFreelist(slab, search: object) {
            report(.doubleFree, objectError(slab, object: object, reason: "Object already free"))
            return false
        }
        if !checkObject(slab, object: object, redValue: SlabPoison.redActive) { return false }
        return true
    }

    /// `on_freelist()`: walks the slab freelist looking for `search`, repairing a corrupt chain and the
    /// object count as the kernel does.
    func onFreelist(_ slab: Slab, search: UInt) -> Bool {
        var fp = slab.freelist
        var object: UInt = 0
        var count = 0
        let objects = slab.counters.objects
        while fp != 0 && count <= objects {
            if fp == search { return true }
            if !isValidPointer(fp, in: slab) {
                if object != 0 {
                    report(.freelistCorrupt, objectError(slab, object: object, reason: "Freechain corrupt"))
                    setFreePointer(object, 0)
                } else {
                    report(.freelistCorrupt, slabError(slab, "Freepointer corrupt"))
                    slab.set(freelist: 0, counters: SlabCounters(inuse: objects, objects: objects, frozen: false))
                    env.reporter.recordFix(cache: name, "Freelist cleared")
                    return false
                }
                break
            }
            object = fp
            fp = freePointer(object)
            count += 1
        }
        let counters = slab.counters
        if counters.inuse != objects - count {
            report(.freelistCorrupt, slabError(slab, "Wrong object count. Counter is \(counters.inuse) but counted were \(objects - count)"))
            slab.set(freelist: slab.freelist, counters: SlabCounters(inuse: objects - count, objects: objects, frozen: counters.frozen))
            env.reporter.recordFix(cache: name, "Object count adjusted")
        }
        return search == 0
    }

    /// `check_slab()`: the page is a slab of this geometry; then `slab_pad_check()`.
    func checkSlab(_ slab: Slab) -> Bool {
        if slab.frame.pointee.flags & PageFlags.slab.rawValue == 0 {
            report(.freelistCorrupt, slabError(slab, "Not a valid slab page"))
            return false
        }
        let counters = slab.counters
        let maxObjects = (SlabGeometry.pageSize << slabOrder(objects: counters.objects)) / geometry.size
        if counters.objects > maxObjects {
            report(.freelistCorrupt, slabError(slab, "objects \(counters.objects) > max \(maxObjects)"))
            return false
        }
        if counters.inuse > counters.objects {
            report(.freelistCorrupt, slabError(slab, "inuse \(counters.inuse) > max \(counters.objects)"))
            return false
        }
        slabPadCheck(slab)
        return true
    }

    /// `slab_pad_check()`: with poisoning, the bytes after the last object must still be 0x5a.
    func slabPadCheck(_ slab: Slab) {
        guard flags.contains(.poison) else { return }
        let objects = slab.counters.objects
        let length = SlabGeometry.pageSize << slabOrder(objects: objects)
        let remainder = length % geometry.size
        guard remainder > 0 else { return }
        let base = slabBase(slab)
        let start = UnsafeMutableRawPointer(bitPattern: base + UInt(length - remainder)).unsafelyUnwrapped
        guard let fault = firstMismatch(start, SlabPoison.inUse, remainder) else { return }
        var end = remainder
        while end > fault && start.load(fromByteOffset: end - 1, as: UInt8.self) == SlabPoison.inUse { end -= 1 }
        var lines = slabError(slab, "Padding overwritten. \(SlabReporter.pointer(UInt(bitPattern: start + fault)))-\(SlabReporter.pointer(UInt(bitPattern: start + end - 1))) @offset=\(length - remainder + fault)")
        lines += SlabReporter.hexDump("Padding ", start + (end - 1) & ~15, length: min(64, remainder))
        lines.append(SlabReporter.fix(cache: name, "Restoring Padding \(SlabReporter.pointer(UInt(bitPattern: start + fault)))-\(SlabReporter.pointer(UInt(bitPattern: start + end - 1)))=0x5a"))
        (start + fault).initializeMemory(as: UInt8.self, repeating: SlabPoison.inUse, count: end - fault)
        env.reporter.record(.paddingOverwritten, lines)
    }

    /// `free_slab()`'s check of every object of a slab going back to the page allocator.
    func checkFreeSlab(_ slab: Slab) {
        slabPadCheck(slab)
        let base = slabBase(slab)
        for index in 0..<slab.counters.objects {
            _ = checkObject(slab, object: objectAddress(base: base, index: index), redValue: SlabPoison.redInactive)
        }
    }

    /// `check_object()` (6.12): red zones against `redValue`, alignment padding, poison of a free object,
    /// object padding, and (where it cannot be user data) the free pointer. Every check runs; each damaged
    /// area is reported and restored, and when any was, the object's trailer (`print_trailer()`) follows
    /// once, after the last report of this check, as the kernel prints it once per object since
    /// "slab: make check_object() more consistent". A corrupt free pointer is an `object_err()`, which
    /// prints the trailer with its own banner, so such an object's log shows it twice, as 6.12's does.
    /// Returns false if anything was damaged.
    func checkObject(_ slab: Slab, object: UInt, redValue: UInt8) -> Bool {
        let pointer = UnsafeMutableRawPointer(bitPattern: object).unsafelyUnwrapped
        var reports: [(kind: SlabBugKind, lines: [String])] = []
        let objectSize = geometry.objectSize
        func check(_ what: String, _ start: UnsafeMutableRawPointer, _ value: UInt8, _ count: Int, _ kind: SlabBugKind) {
            if let lines = checkBytes(slab, what: what, start, value, count) { reports.append((kind, lines)) }
        }
        if flags.contains(.redZone) {
            check("Left Redzone", pointer - geometry.redLeftPad, redValue, geometry.redLeftPad, .redzoneOverwritten)
            check("Right Redzone", pointer + objectSize, redValue, geometry.inuse - objectSize, .redzoneOverwritten)
        } else if flags.contains(.poison) && objectSize < geometry.inuse {
            check("Alignment padding", pointer + objectSize, SlabPoison.inUse, geometry.inuse - objectSize, .paddingOverwritten)
        }
        if flags.contains(.poison) {
            if redValue != SlabPoison.redActive && geometry.objectPoison {
                check("Poison", pointer, SlabPoison.free, objectSize - 1, .poisonOverwritten)
                check("End Poison", pointer + objectSize - 1, SlabPoison.end, 1, .poisonOverwritten)
            }
            let end = geometry.metadataEnd
            if geometry.sizeFromObject > end {
                check("Object padding", pointer + end, SlabPoison.inUse, geometry.sizeFromObject - end, .paddingOverwritten)
            }
        }
        if (geometry.freePointerOutsideObject || redValue != SlabPoison.redActive)
            && !isValidPointer(freePointer(object), in: slab) {
            reports.append((.freelistCorrupt, objectError(slab, object: object, reason: "Freepointer corrupt")))
            setFreePointer(object, 0)
        }
        guard let last = reports.indices.last else { return true }
        reports[last].lines += trailer(slab, object: object)
        for report in reports { self.report(report.kind, report.lines) }
        return false
    }

    /// `check_bytes_and_report()` (6.12): finds the first byte of `count` at `start` that is not `value`,
    /// and returns the "<what> overwritten" report (banner, the damaged range, and `restore_bytes()`'s
    /// FIX line) after restoring the range; nil when the bytes are intact. The trailer is the caller's
    /// (`check_object()` prints it once for all of an object's reports).
    func checkBytes(_ slab: Slab, what: String, _ start: UnsafeMutableRawPointer, _ value: UInt8, _ count: Int) -> [String]? {
        guard count > 0, let fault = firstMismatch(start, value, count) else { return nil }
        var end = count
        while end > fault && start.load(fromByteOffset: end - 1, as: UInt8.self) == value { end -= 1 }
        let base = slabBase(slab)
        let faultAddress = UInt(bitPattern: start + fault)
        let lastAddress = UInt(bitPattern: start + end - 1)
        let found = start.load(fromByteOffset: fault, as: UInt8.self)
        var lines = SlabReporter.banner(cache: name, "\(what) overwritten")
        lines.append("\(SlabReporter.pointer(faultAddress))-\(SlabReporter.pointer(lastAddress)) @offset=\(faultAddress - base). First byte 0x\(String(found, radix: 16)) instead of 0x\(String(value, radix: 16))")
        lines.append(SlabReporter.fix(cache: name, "Restoring \(what) \(SlabReporter.pointer(faultAddress))-\(SlabReporter.pointer(lastAddress))=0x\(String(value, radix: 16))"))
        (start + fault).initializeMemory(as: UInt8.self, repeating: value, count: end - fault)
        return lines
    }

    func firstMismatch(_ start: UnsafeRawPointer, _ value: UInt8, _ count: Int) -> Int? {
        for index in 0..<count where start.load(fromByteOffset: index, as: UInt8.self) != value { return index }
        return nil
    }

    func report(_ kind: SlabBugKind, _ lines: [String]) { env.reporter.record(kind, lines) }
}
