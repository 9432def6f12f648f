/// What a slab bug report is about, counted per kind for the run report.
public enum SlabBugKind: String, Sendable, CaseIterable, Codable {
    /// "Object already free" (double free found on the slab freelist, or the hardened freelist's
    /// object == fp check).
    case doubleFree
    /// "Left Redzone overwritten" / "Right Redzone overwritten".
    case redzoneOverwritten
    /// "Poison overwritten" / "End Poison overwritten": a write after free, found at the next allocation.
    case poisonOverwritten
    /// "Object padding overwritten", "Alignment padding overwritten", "Padding overwritten".
    case paddingOverwritten
    /// "Freepointer corrupt", "Freechain corrupt", "Freelist Pointer check fails", wrong counts.
    case freelistCorrupt
    /// "Invalid object pointer 0x...": a free of an address inside a slab that is no object start.
    case invalidObjectPointer
    /// "Wrong slab cache. %s but object is from %s".
    case wrongCache
    /// A free of memory that is no slab object and no kmalloc_large allocation.
    case invalidFree
    /// "Objects remaining in %s on __kmem_cache_shutdown()".
    case objectsRemaining
    /// "kmem_cache_destroy <name>: Slab cache still has objects".
    case cacheStillHasObjects
    /// A kmalloc larger than KMALLOC_MAX_SIZE (the page allocator's order > MAX_PAGE_ORDER warning).
    case allocationTooLarge
    /// "SLUB: Unable to allocate memory on node ...": no slab could be had (`slab_out_of_memory`).
    case outOfMemory
    /// A call naming a CPU the machine does not have.
    case invalidContext
}

extension SlabBugKind {
    /// The machine-wide `BugKind` of this slab report: `slab_` + the case name.
    public var bugKind: BugKind { BugKind("slab_" + rawValue) }
    /// The kind of a `slab_fix()` line printed after a report already recorded.
    public static let fixBugKind = BugKind("slab_fix")
}

/// Prints slab reports the way mm/slub.c does (`slab_bug`, `slab_fix`, `print_trailer`, `slab_err`,
/// `object_err`) and hands each finished report to the machine's `BugReports` log, which counts them by
/// kind. Stateless apart from that log, which is thread-safe.
final class SlabReporter: Sendable {
    let bugReports: BugReports

    init(bugReports: BugReports) {
        self.bugReports = bugReports
    }

    /// Records one finished report (its lines, each ending in a newline as the kernel log's).
    func record(_ kind: SlabBugKind, _ lines: [String]) {
        bugReports.record(kind.bugKind, lines.map { $0 + "\n" }.joined())
    }

    /// A `slab_fix()` line that follows a report already recorded.
    func recordFix(cache: String, _ message: String) {
        bugReports.record(SlabBugKind.fixBugKind, Self.fix(cache: cache, message) + "\n")
    }

    /// `slab_bug()`: the banner that opens every report.
    static func banner(cache: String, _ reason: String) -> [String] {
        [String(repeating: "=", count: 77),
         "BUG \(cache) (Not tainted): \(reason)",
         String(repeating: "-", count: 77),
         ""]
    }

    /// `slab_fix()`.
    static func fix(cache: String, _ message: String) -> String { "FIX \(cache): \(message)" }

    /// `%p` as kmsim prints it: the real (unhashed) address, as with `no_hash_pointers`.
    static func pointer(_ address: UInt) -> String { hex(address, width: 16) }

    static func hex(_ value: UInt, width: Int) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `print_hex_dump(KERN_ERR, text, DUMP_PREFIX_ADDRESS, 16, 1, addr, length, 1)`: 16 bytes a line,
    /// `<text><address>: xx xx ...  <ascii>`.
    static func hexDump(_ text: String, _ start: UnsafeRawPointer, length: Int) -> [String] {
        var lines: [String] = []
        var offset = 0
        while offset < length {
            let count = min(16, length - offset)
            var hexPart = ""
            var ascii = ""
            for index in 0..<count {
                let byte = start.load(fromByteOffset: offset + index, as: UInt8.self)
                if index > 0 { hexPart += " " }
                let digits = String(byte, radix: 16)
                hexPart += (digits.count == 1 ? "0" : "") + digits
                ascii.append(byte >= 0x20 && byte < 0x7f ? Character(UnicodeScalar(byte)) : ".")
            }
            let padded = hexPart + String(repeating: " ", count: 49 - hexPart.count)
            let address = String(UInt(bitPattern: start + offset), radix: 16)
            lines.append("\(text)\(address): \(padded)\(ascii)")
            offset += count
        }
        return lines
    }
}
