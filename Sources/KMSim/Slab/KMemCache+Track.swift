extension KMemCache {
    /// `set_track()`: records who allocated (`free` false) or freed an object: the caller's function
    /// name (kept as the address and length of its static string, as the kernel keeps a return address),
    /// CPU, pid and `jiffies`. Layout of one 32-byte `struct track`: addr 8, name length 4 (the kernel's
    /// stack depot handle), cpu 4, pid 4, padding 4, when 8.
    func setTrack(_ object: UInt, free: Bool, caller: StaticString, context: ExecutionContext) {
        guard flags.contains(.storeUser) else { return }
        let track = UnsafeMutableRawPointer(bitPattern: object + UInt(geometry.infoEnd + (free ? SlabGeometry.trackSize : 0)))
            .unsafelyUnwrapped
        let address = caller.hasPointerRepresentation ? UInt(bitPattern: caller.utf8Start) : 0
        track.storeBytes(of: UInt64(address), toByteOffset: 0, as: UInt64.self)
        track.storeBytes(of: UInt32(caller.hasPointerRepresentation ? caller.utf8CodeUnitCount : 0), toByteOffset: 8, as: UInt32.self)
        track.storeBytes(of: UInt32(truncatingIfNeeded: context.cpu), toByteOffset: 12, as: UInt32.self)
        track.storeBytes(of: context.pid, toByteOffset: 16, as: Int32.self)
        track.storeBytes(of: env.jiffies, toByteOffset: 24, as: UInt64.self)
    }

    /// `print_track()`: `<Allocated|Freed> in <fn> age=<jiffies> cpu=<cpu> pid=<pid>`, nothing if unset.
    func trackLine(_ object: UInt, free: Bool) -> String? {
        guard flags.contains(.storeUser) else { return nil }
        let track = UnsafeRawPointer(bitPattern: object + UInt(geometry.infoEnd + (free ? SlabGeometry.trackSize : 0)))
            .unsafelyUnwrapped
        let address = track.load(fromByteOffset: 0, as: UInt64.self)
        guard address != 0 else { return nil }
        let length = Int(track.load(fromByteOffset: 8, as: UInt32.self))
        let function = UnsafeRawPointer(bitPattern: UInt(address)).map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self)
        } ?? "?"
        let cpu = track.load(fromByteOffset: 12, as: UInt32.self)
        let pid = track.load(fromByteOffset: 16, as: Int32.self)
        let when = track.load(fromByteOffset: 24, as: UInt64.self)
        let now = env.jiffies
        return "\(free ? "Freed" : "Allocated") in \(function) age=\(now >= when ? now - when : 0) cpu=\(cpu) pid=\(pid)"
    }

    /// `print_tracking()`.
    func trackingLines(_ object: UInt) -> [String] {
        [trackLine(object, free: false), trackLine(object, free: true)].compactMap { $0 }
    }

    /// `print_slab_info()`: `Slab 0x... objects=%u used=%u fp=0x... flags=%pGp`.
    func slabInfoLine(_ slab: Slab) -> String {
        let counters = slab.counters
        let pageFlags = UInt(slab.frame.pointee.flags)
        var names: [String] = []
        if pageFlags & UInt(PageFlags.head.rawValue) != 0 { names.append("head") }
        if pageFlags & UInt(PageFlags.slab.rawValue) != 0 { names.append("slab") }
        names.append("node=\(env.node(ofPFN: slab.pfn))")
        names.append("zone=\(slab.frame.pointee.zoneIndex)")
        return "Slab \(SlabReporter.pointer(UInt(bitPattern: slab.frame))) objects=\(counters.objects) used=\(counters.inuse) "
            + "fp=\(SlabReporter.pointer(slab.freelist)) flags=\(SlabReporter.hex(pageFlags, width: 0))(\(names.joined(separator: "|")))"
    }

    /// `print_trailer()`: tracking, slab info, the object line, and hex dumps of the red zones, the object
    /// and the padding.
    func trailer(_ slab: Slab, object: UInt) -> [String] {
        let base = slabBase(slab)
        let pointer = UnsafeRawPointer(bitPattern: object).unsafelyUnwrapped
        var lines = trackingLines(object)
        lines.append(slabInfoLine(slab))
        lines.append("Object \(SlabReporter.pointer(object)) @offset=\(object - base) fp=\(SlabReporter.pointer(freePointer(object)))")
        lines.append("")
        if flags.contains(.redZone) {
            lines += SlabReporter.hexDump("Redzone  ", pointer - geometry.redLeftPad, length: geometry.redLeftPad)
        } else if object > base + 16 {
            lines += SlabReporter.hexDump("Bytes b4 ", pointer - 16, length: 16)
        }
        lines += SlabReporter.hexDump("Object   ", pointer, length: min(geometry.objectSize, SlabGeometry.pageSize))
        if flags.contains(.redZone) {
            lines += SlabReporter.hexDump("Redzone  ", pointer + geometry.objectSize, length: geometry.inuse - geometry.objectSize)
        }
        let end = geometry.metadataEnd
        if end != geometry.sizeFromObject {
            lines += SlabReporter.hexDump("Padding  ", pointer + end, length: geometry.sizeFromObject - end)
        }
        return lines
    }

    /// `object_err()`: banner with `reason`, then the trailer.
    func objectError(_ slab: Slab, object: UInt, reason: String) -> [String] {
        SlabReporter.banner(cache: name, reason) + trailer(slab, object: object)
    }

    /// `slab_err()`: banner with the message, then the slab info.
    func slabError(_ slab: Slab, _ message: String) -> [String] {
        SlabReporter.banner(cache: name, message) + [slabInfoLine(slab)]
    }
}
