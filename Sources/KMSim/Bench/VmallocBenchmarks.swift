import Synchronization

/// vmalloc's microbenchmarks, answering the article's question "which is faster, kmalloc or vmalloc, and
/// why" with kmsim's own numbers. Unlike the page allocator's, their baselines are not glibc: each
/// vmalloc benchmark is measured beside kmalloc doing the same job in the same simulator (simulator vs
/// simulator), so the ratio is what vmalloc's design costs over kmalloc's, not a claim about hardware.
///
/// - `vmalloc.4k`, `vmalloc.64k`, `vmalloc.1m`: vmalloc + one store + vfree, against kmalloc (a slab
///   object for 4 KiB, kmalloc_large's compound pages above 8 KiB) + one store + kfree. vmalloc pays for
///   an address-space search, one page allocation per 4 KiB, page-table writes and, every
///   lazy_max_pages, a TLB shootdown; kmalloc pays for one slab object or one buddy block.
/// - `vmalloc.access.seq`, `vmalloc.access.random`: 8-byte loads from a 4 MiB vmalloc'd buffer through
///   the CPU's TLB (512 entries, so 1024 pages do not fit) and page-table walks, against the same loads
///   from a 4 MiB kmalloc'd buffer through the direct map. The measured TLB hit rate is recorded in
///   `BenchmarkNotes` and printed under the result.
public enum VmallocBenchmarks {
    public static var all: [Benchmark] {
        [
            Benchmark(name: "vmalloc.4k", summary: "vmalloc(4 KiB) + vfree vs kmalloc(4 KiB) + kfree (baseline is kmsim's kmalloc, not glibc)",
                      subject: { try vmallocPair(size: 4 << 10) }, baseline: { try kmallocPair(size: 4 << 10) }),
            Benchmark(name: "vmalloc.64k", summary: "vmalloc(64 KiB) + vfree vs kmalloc_large(64 KiB) + kfree (baseline is kmsim's kmalloc, not glibc)",
                      subject: { try vmallocPair(size: 64 << 10) }, baseline: { try kmallocPair(size: 64 << 10) }),
            Benchmark(name: "vmalloc.1m", summary: "vmalloc(1 MiB) + vfree vs kmalloc_large(1 MiB) + kfree (baseline is kmsim's kmalloc, not glibc; use --iterations 20000)",
                      subject: { try vmallocPair(size: 1 << 20) }, baseline: { try kmallocPair(size: 1 << 20) }),
            Benchmark(name: "vmalloc.access.seq", summary: "sequential 8-byte loads over 4 MiB of vmalloc'd memory (TLB, page walks) vs the same loads of kmalloc'd memory (direct map)",
                      subject: { try accessLoop(vmalloced: true, random: false) }, baseline: { try accessLoop(vmalloced: false, random: false) }),
            Benchmark(name: "vmalloc.access.random", summary: "random 8-byte loads over 4 MiB of vmalloc'd memory (TLB, page walks) vs the same loads of kmalloc'd memory (direct map)",
                      subject: { try accessLoop(vmalloced: true, random: true) }, baseline: { try accessLoop(vmalloced: false, random: true) }),
        ]
    }

    /// A machine with vmalloc and SLUB booted, lock_stat hold timing off as in the page allocator's
    /// benchmarks.
    static func benchSetup() throws -> (Machine, Vmalloc, SlabAllocator) {
        let machine = try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 512 << 20))
        machine.lockStat.collectHoldTimes = false
        let vmalloc = try Vmalloc(machine: machine)
        let slab = SlabAllocator(pageAllocator: machine.pageAllocator, cpuNodes: [0, 0], nodeCount: 1,
                                 lockStat: machine.lockStat, bugReports: machine.bugReports)
        return (machine, vmalloc, slab)
    }

    static func vmallocPair(size: Int) throws -> BenchmarkLoop {
        let (_, vmalloc, _) = try benchSetup()
        return BenchmarkLoop { thread, iterations in
            let context = ExecutionContext.task(cpu: thread, pid: Int32(100 + thread))
            for index in 0..<iterations {
                guard let address = vmalloc.vmalloc(size, context: context) else { continue }
                vmalloc.store(UInt8(truncatingIfNeeded: index), at: address, context: context)
                vmalloc.vfree(address, context: context)
            }
        }
    }

    static func kmallocPair(size: Int) throws -> BenchmarkLoop {
        let (_, _, slab) = try benchSetup()
        BenchmarkNotes.record("vmalloc.\(size >= 1 << 20 ? "\(size >> 20)m" : "\(size >> 10)k")",
                              "baseline: kmsim's kmalloc(\(size >> 10) KiB)\(size > 8192 ? " = kmalloc_large, one order-\(Int.bitWidth - (size / 4096 - 1).leadingZeroBitCount) block" : ", a kmalloc-4k slab object") + kfree, simulator vs simulator (not glibc)")
        return BenchmarkLoop { thread, iterations in
            let context = ExecutionContext.task(cpu: thread, pid: Int32(100 + thread))
            for index in 0..<iterations {
                guard let pointer = slab.kmalloc(size, gfp: .kernel, context: context) else { continue }
                pointer.storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                slab.kfree(pointer, context: context)
            }
        }
    }

    /// Size of the buffer the access benchmarks read: 1024 pages, twice the TLB's reach.
    static let accessBytes = 4 << 20

    /// `iterations` 8-byte loads from a 4 MiB buffer, sequential (wrapping) or at pseudo-random 8-byte
    /// offsets (a 64-bit LCG, the same sequence for both buffers), through `Vmalloc.load`, which resolves
    /// direct-map addresses directly and vmalloc addresses through the TLB.
    static func accessLoop(vmalloced: Bool, random: Bool) throws -> BenchmarkLoop {
        let (_, vmalloc, slab) = try benchSetup()
        let setup = ExecutionContext.task(cpu: 0, pid: 100)
        let base: KernelAddress
        if vmalloced {
            guard let address = vmalloc.vzalloc(accessBytes, context: setup) else { throw VmallocError(message: "vzalloc(4 MiB) failed") }
            base = address
        } else {
            guard let pointer = slab.kmalloc(accessBytes, gfp: GFPFlags.kernel.union(.zero), context: setup) else {
                throw VmallocError(message: "kmalloc(4 MiB) failed")
            }
            base = UInt64(UInt(bitPattern: pointer))
        }
        let name = random ? "vmalloc.access.random" : "vmalloc.access.seq"
        return BenchmarkLoop { thread, iterations in
            let context = ExecutionContext.task(cpu: thread, pid: Int32(100 + thread))
            let hitsBefore = vmalloc.tlbStatistics.hits, missesBefore = vmalloc.tlbStatistics.misses
            let words = UInt64(accessBytes / 8)
            var state = UInt64(0x9e37_79b9_7f4a_7c15) &+ UInt64(thread)
            var sum: UInt64 = 0
            for index in 0..<iterations {
                let word: UInt64
                if random {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    word = (state >> 33) % words
                } else {
                    word = UInt64(index) % words
                }
                sum &+= vmalloc.load(UInt64.self, at: base + word * 8, context: context) ?? 0
            }
            BenchmarkNotes.blackHole(sum)
            if vmalloced {
                let hits = vmalloc.tlbStatistics.hits - hitsBefore, misses = vmalloc.tlbStatistics.misses - missesBefore
                if hits + misses > 0 {
                    BenchmarkNotes.record(name, String(format: "TLB hit rate %.2f%% (%d hits, %d misses/page walks)",
                                                       Double(hits) * 100 / Double(hits + misses), hits, misses))
                }
            }
        }
    }
}

/// Notes a benchmark records about its last round (the TLB hit rate of the access benchmarks), printed
/// by `kmsim bench` under the result line. Thread-safe through a `Mutex`.
public enum BenchmarkNotes {
    private static let notes = OrderedMutex<[String: String]>([:])
    private static let sink = Atomic<UInt64>(0)

    /// Records `note` for the benchmark `name`, replacing an earlier one.
    public static func record(_ name: String, _ note: String) { notes.withLock { $0[name] = note } }

    /// The last note recorded for `name`.
    public static func note(for name: String) -> String? { notes.withLock { $0[name] } }

    /// Keeps a computed value alive past the optimiser.
    @inline(never)
    static func blackHole(_ value: UInt64) { sink.store(value, ordering: .relaxed) }
}
