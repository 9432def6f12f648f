/// Reading and writing kernel memory by kernel address: what a CPU's loads and stores do. Direct-map
/// addresses (kmalloc'd memory, `page_address()`) are arena pointers and resolve for free, as the
/// kernel's linear map does; vmalloc addresses go through the CPU's TLB and, on a miss, a four-level
/// page-table walk that fills the TLB. The difference is the cost the "kmalloc or vmalloc?" question
/// is about.
extension Vmalloc {
    /// Copies `buffer.count` bytes at `address` into `buffer` as CPU `context.cpu`. Returns false, after a
    /// "BUG: unable to handle page fault" report, when part of the range is not mapped.
    @discardableResult
    public func readKernel(address: KernelAddress, into buffer: UnsafeMutableRawBufferPointer,
                           context: ExecutionContext) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        return access(address: address, count: buffer.count, context: context, write: false) { host, offset, length in
            (base + offset).copyMemory(from: host, byteCount: length)
        }
    }

    /// Copies `buffer` to `address` as CPU `context.cpu`; false (with a report) on an unmapped page.
    @discardableResult
    public func writeKernel(address: KernelAddress, from buffer: UnsafeRawBufferPointer,
                            context: ExecutionContext) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        return access(address: address, count: buffer.count, context: context, write: true) { host, offset, length in
            host.copyMemory(from: base + offset, byteCount: length)
        }
    }

    /// Reads one `T` at `address` (the common small access: a `u8`, `u64`, a pointer).
    @inline(__always)
    public func load<T: BitwiseCopyable>(_: T.Type, at address: KernelAddress, context: ExecutionContext) -> T? {
        guard context.cpu >= 0 && context.cpu < cpuCount else { return nil }
        guard let host = translateForAccess(address, context: context) else {
            reportFault(address, context: context, write: false)
            return nil
        }
        if Int(truncatingIfNeeded: address & (VmallocLayout.pageSize - 1)) + MemoryLayout<T>.size <= Int(VmallocLayout.pageSize)
            || !isVmallocAddress(address) {
            return host.loadUnaligned(as: T.self)
        }
        var value: T? = nil
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { temp in
            if readKernel(address: address, into: UnsafeMutableRawBufferPointer(temp), context: context) {
                value = temp.baseAddress?.pointee
            }
        }
        return value
    }

    /// Writes one `T` at `address`; false (with a report) when unmapped.
    @discardableResult
    public func store<T: BitwiseCopyable>(_ value: T, at address: KernelAddress, context: ExecutionContext) -> Bool {
        withUnsafeBytes(of: value) { writeKernel(address: address, from: $0, context: context) }
    }

    /// The host address backing kernel address `address` for CPU `context.cpu`: the arena pointer for
    /// direct-map addresses, TLB or page walk for vmalloc ones; nil when unmapped.
    @inline(__always)
    func translateForAccess(_ address: KernelAddress, context: ExecutionContext) -> UnsafeMutableRawPointer? {
        guard isVmallocAddress(address) else {
            guard let pointer = UnsafeMutableRawPointer(bitPattern: UInt(address)),
                  pageAllocator.pfn(of: pointer) != nil else { return nil }
            return pointer
        }
        let cpu = context.cpu
        let offset = Int(truncatingIfNeeded: address & (VmallocLayout.pageSize - 1))
        if let pfn = tlb.lookup(address, cpu: cpu) {
            tlbStatistics.count(hit: true, context: context)
            return pageAllocator.pageAddress(pfn) + offset
        }
        tlbStatistics.count(hit: false, context: context)
        let generation = tlb.fillGeneration(cpu: cpu)
        guard let pfn = pageTable.translate(address) else { return nil }
        tlb.fill(address, pfn: pfn, cpu: cpu, generation: generation)
        return pageAllocator.pageAddress(pfn) + offset
    }

    /// Walks `[address, address + count)` page by page, handing each piece's host memory to `body`.
    private func access(address: KernelAddress, count: Int, context: ExecutionContext, write: Bool,
                        _ body: (UnsafeMutableRawPointer, Int, Int) -> Void) -> Bool {
        guard context.cpu >= 0 && context.cpu < cpuCount else { return false }
        guard isVmallocAddress(address) else {
            guard let host = translateForAccess(address, context: context) else {
                reportFault(address, context: context, write: write)
                return false
            }
            body(host, 0, count)
            return true
        }
        var done = 0
        while done < count {
            let current = address &+ UInt64(done)
            let inPage = Int(VmallocLayout.pageSize) - Int(truncatingIfNeeded: current & (VmallocLayout.pageSize - 1))
            let length = min(inPage, count - done)
            guard let host = translateForAccess(current, context: context) else {
                reportFault(current, context: context, write: write)
                return false
            }
            body(host, done, length)
            done += length
        }
        return true
    }

    /// x86's page-fault oops for a kernel address that is not mapped (the kernel would die here; kmsim
    /// reports and the access fails).
    func reportFault(_ address: KernelAddress, context: ExecutionContext, write: Bool) {
        bugReports.record(.pageFault, """
            BUG: unable to handle page fault for address: \(String(address, radix: 16))
            #PF: supervisor \(write ? "write" : "read") access in kernel mode
            #PF: error_code(0x000\(write ? 2 : 0)) - not-present page
            CPU: \(context.cpu) PID: \(context.pid)

            """)
    }
}
