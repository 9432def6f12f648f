/// Why the page allocator could not boot.
public struct PageAllocatorError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The buddy page allocator of one simulated machine (mm/page_alloc.c): every node's physical memory
/// and zones, the zonelists, and the allocation and free paths (`PageAllocator+Alloc.swift`,
/// `+Free.swift`, `+SlowPath.swift`).
///
/// Synchronisation: everything mutable lives in the zones (see `Zone`) and the per-CPU counters; the
/// allocator's own properties are immutable after `init`, hence `@unchecked Sendable` (the zones and
/// nodes it holds are themselves thread-safe as documented there).
public final class PageAllocator: @unchecked Sendable {
    /// `MAX_PAGE_ORDER`: orders 0...10.
    public static let maxOrder = 10
    /// `pageblock_order` on x86-64 (HPAGE_PMD_ORDER).
    public static let pageblockOrder = 9
    /// `pageblock_nr_pages`.
    public static let pageblockPages = 1 << pageblockOrder
    /// `PAGE_ALLOC_COSTLY_ORDER`: orders above it are never on the per-CPU lists.
    public static let costlyOrder = 3
    /// Zones per node (`MAX_NR_ZONES`).
    static let zonesPerNode = ZoneType.allCases.count

    public let spec: MachineSpec
    /// Each node's physical memory (`NODE_DATA(nid)`'s memory map and arena).
    public let nodes: [PhysicalMemory]
    /// Every zone of every node, populated or not: index `node * 5 + zoneType.rawValue`.
    public let zones: [Zone]
    /// `vm.min_free_kbytes` in effect.
    public let minFreeKbytes: Int
    /// Global per-CPU vmstat counters (pgalloc_*, pgfree, and what later subsystems count).
    public let vmstat: VMStat
    let bugReports: BugReports
    /// The slow path's way to reclaim and its failure-report rate limit.
    public let reclaimLink = ReclaimLink()
    let zonelists: Zonelists
    let pagesPerNode: Int
    let cpuCount: Int
    let nodeOfCPU: [Int]

    /// Boots the allocator: maps every node's memory, builds the zones with their watermarks and
    /// per-CPU lists, frees all memory into the buddy lists, and builds the zonelists.
    ///
    /// `managedPages` overrides zones' managed page counts (what memblock reservations leave in a real
    /// boot), keyed by node then zone; tests use it to reproduce a real kernel's figures.
    public init(spec: MachineSpec, host: HostTopology, lockStat: LockStatRegistry, vmstat: VMStat,
                bugReports: BugReports, managedPages: [Int: [ZoneType: Int]] = [:]) throws {
        try spec.validate()
        let totalPages = spec.pagesPerNode * spec.nodes
        guard totalPages < Int(UInt32.max) else {
            throw PageAllocatorError(message: "\(ByteSize.format(spec.totalMemoryBytes)) is more than the 16TiB kmsim's 32-bit PFN links can address")
        }
        self.spec = spec
        self.vmstat = vmstat
        self.bugReports = bugReports
        pagesPerNode = spec.pagesPerNode
        cpuCount = spec.cpuCount
        nodeOfCPU = (0..<spec.cpuCount).map { spec.node(ofCPU: $0) }
        let placement = spec.placement(on: host)
        var nodes: [PhysicalMemory] = []
        for node in 0..<spec.nodes {
            nodes.append(try PhysicalMemory(node: node, startPFN: spec.startPFN(ofNode: node),
                                            pageCount: spec.pagesPerNode, hostNode: placement[node].hostNode))
        }
        self.nodes = nodes
        let zoneLock = lockStat.lockClass(named: "&zone->lock")
        let pcpLock = lockStat.lockClass(named: "&pcp->lock")
        var zones: [Zone] = []
        for node in 0..<spec.nodes {
            let spans = spec.zoneSpans(ofNode: node)
            for type in ZoneType.allCases {
                zones.append(Zone(type: type, node: node, span: spans.first { $0.type == type },
                                  managedPages: managedPages[node]?[type], memory: nodes[node],
                                  cpuCount: spec.cpuCount, zoneLockClass: zoneLock, pcpLockClass: pcpLock))
            }
        }
        self.zones = zones
        let inputs = zones.map { Watermarks.ZoneInput(node: $0.node, type: $0.type, managedPages: $0.managedPages) }
        minFreeKbytes = spec.minFreeKbytes ?? Watermarks.defaultMinFreeKbytes(zones: inputs)
        let marks = Watermarks.compute(zones: inputs, minFreeKbytes: minFreeKbytes,
                                       watermarkScaleFactor: spec.watermarkScaleFactor)
        for (zone, mark) in zip(zones, marks) {
            zone.install(mark)
            zone.setupPageset(cpusOfNode: spec.cpusPerNode, onlineCPUs: spec.cpuCount)
            zone.freeSpanAtBoot(managed: zone.managedPages)
        }
        zonelists = Zonelists(spec: spec, zones: zones)
    }

    // MARK: Lookups

    /// The simulated node of a CPU (`cpu_to_node`).
    @inline(__always)
    public func node(ofCPU cpu: Int) -> Int { nodeOfCPU[cpu] }

    /// The zone of `type` on `node` (`NODE_DATA(node)->node_zones[type]`).
    public func zone(node: Int, type: ZoneType) -> Zone { zones[node * Self.zonesPerNode + type.rawValue] }

    /// The populated zones, node by node, lowest first (`for_each_populated_zone`).
    public var populatedZones: [Zone] { zones.filter(\.isPopulated) }

    /// The node memory holding `pfn`, nil if the PFN is outside the machine.
    @inline(__always)
    func memory(of pfn: PFN) -> PhysicalMemory? {
        guard pfn >= 0 else { return nil }
        let node = pfn / pagesPerNode
        return node < nodes.count ? nodes[node] : nil
    }

    /// `page_zone()`: the zone a PFN belongs to, nil outside every zone.
    @inline(__always)
    public func zone(of pfn: PFN) -> Zone? {
        guard pfn >= 0 else { return nil }
        let node = pfn / pagesPerNode
        guard node < nodes.count else { return nil }
        let base = node &* Self.zonesPerNode
        for index in base..<(base + Self.zonesPerNode) where zones[index].spans(pfn) {
            return zones[index]
        }
        return nil
    }

    /// `pfn_to_page()`: the frame of a PFN this allocator handed out. The PFN must lie inside the machine.
    @inline(__always)
    public func frame(_ pfn: PFN) -> UnsafeMutablePointer<PageFrame> {
        nodes[pfn / pagesPerNode].frame(pfn)
    }

    /// `page_address()`: the page's real memory in its node's arena. The PFN must lie inside the machine.
    @inline(__always)
    public func pageAddress(_ pfn: PFN) -> UnsafeMutableRawPointer {
        nodes[pfn / pagesPerNode].address(pfn)
    }

    /// `virt_to_page()`/`virt_to_pfn()`: the PFN of an address inside some node's arena, nil otherwise.
    public func pfn(of address: UnsafeRawPointer) -> PFN? {
        for memory in nodes {
            if let pfn = memory.pfn(of: address) { return pfn }
        }
        return nil
    }

    /// `page_to_nid()`.
    @inline(__always)
    public func node(of pfn: PFN) -> Int { pfn / pagesPerNode }
}
