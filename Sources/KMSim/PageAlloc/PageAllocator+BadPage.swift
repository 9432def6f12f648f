/// `bad_page()` and `dump_page()` (mm/page_alloc.c, mm/debug.c, 6.12): the report a bad free produces.
extension PageAllocator {
    /// Logs "BUG: Bad page state in process <comm>  pfn:<pfn>" with the frame dump, counts it under
    /// `BugKind.badPageState`, and returns: kmsim never crashes on a bad free. `frame` is the frame as
    /// it was under the lock the free took (nil when the PFN is outside every zone).
    func reportBadFree(_ pfn: PFN, order: Int, context: ExecutionContext, reason: String, frame: PageFrame?, zone: Zone?) {
        var text = "BUG: Bad page state in process \(Self.comm(context))  pfn:\(Self.hex(pfn, width: 5))\n"
        if let frame {
            let refcount = frame.flags & PageFlags.allocated.rawValue != 0 ? 1 : 0
            text += "page: refcount:\(refcount) mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x\(Self.hex(pfn, width: 1))\n"
            if frame.flags & PageFlags.head.rawValue != 0 {
                text += "head: order:\(frame.order) mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0\n"
            }
            text += "flags: 0x\(Self.hex(Int(frame.flags), width: 1))(\(Self.flagNames(frame.flags, node: zone?.node ?? 0, zone: zone?.type.rawValue ?? 0)))\n"
            text += "raw: " + Self.rawWords(frame).map { Self.hex(Int(bitPattern: UInt(truncatingIfNeeded: $0)), width: 16) }.joined(separator: " ") + "\n"
        }
        text += "page dumped because: \(reason)\n"
        text += "CPU: \(context.cpu) PID: \(context.pid) Comm: \(Self.comm(context)) Tainted: G    B\n"
        text += "Call Trace:\n <TASK>\n \(order <= Self.costlyOrder ? "free_unref_page" : "__free_pages_ok")+0x0/0x0\n __free_pages+0x0/0x0\n </TASK>\n"
        bugReports.record(.badPageState, text)
    }

    /// `%pGp`: the set flag names, then the node and zone fields the kernel keeps in `page->flags`.
    static func flagNames(_ flags: UInt16, node: Int, zone: Int) -> String {
        let names: [(PageFlags, String)] = [
            (.buddy, "buddy"), (.pcp, "pcp"), (.head, "head"), (.tail, "tail"), (.slab, "slab"), (.lru, "lru"),
            (.active, "active"), (.dirty, "dirty"), (.swapBacked, "swapbacked"), (.reserved, "reserved"),
            (.pageTable, "table"), (.vmalloc, "vmalloc"),
        ]
        let set = names.filter { flags & $0.0.rawValue != 0 }.map(\.1)
        return (set + ["node=\(node)", "zone=\(zone)"]).joined(separator: "|")
    }

    /// The frame as four 64-bit words, as `dump_page()`'s "raw:" lines print `struct page`.
    static func rawWords(_ frame: PageFrame) -> [UInt64] {
        withUnsafeBytes(of: frame) { bytes in
            (0..<MemoryLayout<PageFrame>.size / 8).map { bytes.load(fromByteOffset: $0 * 8, as: UInt64.self) }
        }
    }

    static func hex(_ value: Int, width: Int) -> String {
        let digits = String(UInt(bitPattern: value), radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
