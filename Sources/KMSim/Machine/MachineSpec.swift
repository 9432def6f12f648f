/// The simulated machine a run boots: NUMA nodes, CPUs, memory and its zones, and the vm sysctls that
/// shape the page allocator.
///
/// This is the simulator's counterpart of what firmware and the kernel command line give Linux: the
/// node layout (ACPI SRAT/SLIT), the physical memory map that `zone_sizes_init()` cuts into zones, and
/// `vm.min_free_kbytes` / `vm.watermark_scale_factor`. Workload files and `kmsim stress` flags both build
/// one; `validate()` reports the first invalid field by name.
public struct MachineSpec: Sendable, Equatable, Codable {
    /// kmsim simulates x86-64's 4 KiB base pages.
    public static let pageSize = 4096
    public static let pageShift = 12
    /// `MAX_NUMNODES` bound kmsim accepts (`CONFIG_NODES_SHIFT` = 6).
    public static let maxNodes = 64
    /// Upper bound on simulated CPUs (`NR_CPUS`-like), so per-CPU tables stay reasonable.
    public static let maxCPUs = 1024
    /// ZONE_DMA covers the first 16 MiB on x86-64 (`MAX_DMA_PFN`).
    public static let dmaLimitBytes: UInt64 = 16 << 20
    /// ZONE_DMA32 ends at 4 GiB (`MAX_DMA32_PFN`).
    public static let dma32LimitBytes: UInt64 = 4 << 30

    public var nodes: Int
    public var cpusPerNode: Int
    public var memoryPerNode: UInt64
    /// Explicit zone sizes per node index; a node without an entry gets the x86-64 default layout. Zones
    /// not listed are empty except Normal, which takes what the listed zones leave.
    public var zoneSizes: [Int: [ZoneType: UInt64]]
    /// `vm.min_free_kbytes`; nil means the kernel's default, `int_sqrt(lowmem_kbytes * 16)` clamped.
    public var minFreeKbytes: Int?
    /// `vm.watermark_scale_factor`, in ten-thousandths of a zone (kernel default 10, range 1...3000).
    public var watermarkScaleFactor: Int
    /// The SLIT distance matrix; nil means 10 on the diagonal and 20 elsewhere.
    public var distances: [[Int]]?
    /// `vm.percpu_pagelist_high_fraction`, the pcp batch, `slub_min_objects=`/`slub_min_order=`/
    /// `slub_max_order=` and `cpu_partial`: the kernel's defaults unless a workload sets them.
    public var tunables = KernelTunables()

    public init(nodes: Int = 1, cpusPerNode: Int = 2, memoryPerNode: UInt64 = 1 << 30,
                zoneSizes: [Int: [ZoneType: UInt64]] = [:], minFreeKbytes: Int? = nil,
                watermarkScaleFactor: Int = 10, distances: [[Int]]? = nil) {
        self.nodes = nodes
        self.cpusPerNode = cpusPerNode
        self.memoryPerNode = memoryPerNode
        self.zoneSizes = zoneSizes
        self.minFreeKbytes = minFreeKbytes
        self.watermarkScaleFactor = watermarkScaleFactor
        self.distances = distances
    }

    public var cpuCount: Int { nodes * cpusPerNode }
    /// The kernel threads that run on host threads of their own and so count in per-CPU counter rows of
    /// their own (`PerCPUCounters.kernelThreadRow`): a kswapd per node, then a kcompactd per node.
    public var kernelThreadCount: Int { 2 * nodes }
    /// The CPU each of those kernel threads runs beside, in the order of their rows: its node's first
    /// CPU (0 for a node without CPUs).
    public var kernelThreadCPUs: [Int] { (0..<kernelThreadCount).map { cpus(ofNode: $0 % nodes).first ?? 0 } }
    public var pagesPerNode: Int { Int(memoryPerNode / UInt64(Self.pageSize)) }
    public var totalMemoryBytes: UInt64 { memoryPerNode * UInt64(nodes) }

    /// The simulated node a simulated CPU belongs to (CPUs are numbered node by node).
    public func node(ofCPU cpu: Int) -> Int { cpu / cpusPerNode }

    /// The simulated CPUs of a node.
    public func cpus(ofNode node: Int) -> Range<Int> { node * cpusPerNode ..< (node + 1) * cpusPerNode }

    /// `node_distance(a, b)`.
    public func distance(from a: Int, to b: Int) -> Int {
        if let distances { return distances[a][b] }
        return a == b ? 10 : 20
    }

    /// The first page frame number of a node: nodes sit one after another in physical memory.
    public func startPFN(ofNode node: Int) -> Int { node * pagesPerNode }
}
