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
    /// Every node's page contents in one linear mapping (`DirectMap`), so an address's PFN is arithmetic.
    public let directMap: DirectMap
    /// Every zone of every node, populated or not: index `node * 5 + zoneType.rawValue`.
    public let zones: [Zone]
    /// `vm.min_free_kbytes` in effect.
    public let minFreeKbytes: Int
    /// Global per-CPU vmstat counters (pgalloc_*, pgfree, and what later subsystems count).
    public let vmstat: VMStat
    let bugReports: BugReports
    /// `fail_page_alloc`'s hook (`should_fail_alloc_page()`), nil without fault injection: fixed at
    /// boot, so the allocation path tests it with one predictable branch.
    let faultInjection: FaultInjection?
    /// The slow path's way to reclaim and its failure-report rate limit.
    public let reclaimLink = ReclaimLink()
    /// Where each context's latest allocations were served (`PageAllocator+Outcome.swift`).
    let outcomes: AllocationOutcomeCells
    /// `--trace`'s event log (off unless a runner starts it); reclaim and the runner record into it too.
    public let eventLog: TraceEventLog
    let zonelists: Zonelists
    /// PFN → node (`pfn_to_nid`).
    let nodeLayout: NodePFNLayout
    let cpuCount: Int
    let nodeOfCPU: [Int]
    /// Unretained fast-path tables, immutable after `init` (`zones` and `zonelists` keep the objects):
    /// every zone by id, each node's zonelists (index `node * 2`, `+ 1` for __GFP_THISNODE), and
    /// each CPU's node.
    let zoneTable: UnsafeMutablePointer<Unmanaged<Zone>>
    let zonelistTable: UnsafeMutablePointer<UnsafeMutableBufferPointer<Int32>>
    let cpuNodeTable: UnsafeMutablePointer<Int32>
    /// Each node's memory, unretained (`nodes` keeps it alive).
    let memoryTable: UnsafeMutablePointer<Unmanaged<PhysicalMemory>>
    /// `first_zones_zonelist()` precomputed: the preferred zone for zonelist slot `node * 2 (+1)` and
    /// highest zone index `z`, at `slot * 5 + z`.
    let preferredZoneTable: UnsafeMutablePointer<PreferredZone>
    /// `page_zone()` for every pageblock inside one zone.
    let pageblockZones: PageblockZoneTable

    /// Boots the allocator: maps every node's memory, builds the zones with their watermarks and
    /// per-CPU lists, frees all memory into the buddy lists, and builds the zonelists.
    ///
    /// `managedPages` overrides zones' managed page counts (what memblock reservations leave in a real
    /// boot), keyed by node then zone; tests use it to reproduce a real kernel's figures.
    /// `faultInjection` installs `fail_page_alloc`'s hook when it has one.
    public init(spec: MachineSpec, host: HostTopology, lockStat: LockStatRegistry, vmstat: VMStat,
                bugReports: BugReports, managedPages: [Int: [ZoneType: Int]] = [:],
                faultInjection: FaultInjection? = nil) throws {
        try spec.validate()
        let totalPages = spec.pagesPerNode * spec.nodes
        guard totalPages < Int(UInt32.max) else {
            throw PageAllocatorError(message: "\(ByteSize.format(spec.totalMemoryBytes)) is more than the 16TiB kmsim's 32-bit PFN links can address")
        }
        self.spec = spec
        self.vmstat = vmstat
        self.bugReports = bugReports
        eventLog = TraceEventLog(cpuCount: spec.cpuCount, nodeCount: spec.nodes, virtualClock: VirtualClock.booting)
        self.faultInjection = faultInjection?.hooksPages == true ? faultInjection : nil
        outcomes = AllocationOutcomeCells(rows: PerCPUCounters.rows(cpuCount: spec.cpuCount, kernelThreads: spec.kernelThreadCount))
        nodeLayout = NodePFNLayout(pagesPerNode: spec.pagesPerNode)
        cpuCount = spec.cpuCount
        nodeOfCPU = (0..<spec.cpuCount).map { spec.node(ofCPU: $0) }
        cpuNodeTable = .allocate(capacity: cpuCount)
        cpuNodeTable.initialize(from: nodeOfCPU.map { Int32($0) }, count: cpuCount)
        let placement = spec.placement(on: host)
        let directMap = try DirectMap(bytes: totalPages * MachineSpec.pageSize, node: 0)
        var nodes: [PhysicalMemory] = []
        for node in 0..<spec.nodes {
            nodes.append(try PhysicalMemory(node: node, startPFN: spec.startPFN(ofNode: node), pageCount: spec.pagesPerNode,
                                            hostNode: placement[node].hostNode, directMap: directMap))
        }
        self.nodes = nodes
        self.directMap = directMap
        let zoneLock = lockStat.lockClass(named: "&zone->lock")
        let pcpLock = lockStat.lockClass(named: "&pcp->lock")
        var zones: [Zone] = []
        for node in 0..<spec.nodes {
            let spans = spec.zoneSpans(ofNode: node)
            for type in ZoneType.allCases {
                zones.append(Zone(type: type, node: node, span: spans.first { $0.type == type },
                                  managedPages: managedPages[node]?[type], memory: nodes[node],
                                  cpuCount: spec.cpuCount, kernelThreads: spec.kernelThreadCount, zoneLockClass: zoneLock, pcpLockClass: pcpLock,
                                  watermarkBoostFactor: spec.tunables.watermarkBoostFactor))
            }
        }
        self.zones = zones
        let inputs = zones.map { Watermarks.ZoneInput(node: $0.node, type: $0.type, managedPages: $0.managedPages) }
        minFreeKbytes = spec.minFreeKbytes ?? Watermarks.defaultMinFreeKbytes(zones: inputs)
        let marks = Watermarks.compute(zones: inputs, minFreeKbytes: minFreeKbytes,
                                       watermarkScaleFactor: spec.watermarkScaleFactor)
        for (zone, mark) in zip(zones, marks) {
            zone.install(mark)
            zone.setupPageset(cpusOfNode: spec.cpusPerNode, onlineCPUs: spec.cpuCount,
                              highFraction: spec.tunables.percpuPagelistHighFraction, batchOverride: spec.tunables.pcpBatch)
            zone.freeSpanAtBoot(managed: zone.managedPages)
        }
        let zonelists = Zonelists(spec: spec, zones: zones)
        self.zonelists = zonelists
        pageblockZones = PageblockZoneTable(totalPages: totalPages,
                                            zones: zones.enumerated().map { ($0, $1.startPFN, $1.spannedPages) })
        zoneTable = .allocate(capacity: zones.count)
        zoneTable.initialize(from: zones.map { Unmanaged.passUnretained($0) }, count: zones.count)
        memoryTable = .allocate(capacity: nodes.count)
        memoryTable.initialize(from: nodes.map { Unmanaged.passUnretained($0) }, count: nodes.count)
        preferredZoneTable = .allocate(capacity: spec.nodes * 2 * Self.zonesPerNode)
        zonelistTable = .allocate(capacity: spec.nodes * 2)
        for node in 0..<spec.nodes {
            for (slot, list) in [zonelists.fallback[node], zonelists.thisNode[node]].enumerated() {
                let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(list.count, 1))
                _ = buffer.initialize(from: list.map { Int32($0) })
                zonelistTable[node * 2 + slot] = UnsafeMutableBufferPointer(rebasing: buffer[0..<list.count])
                for highest in ZoneType.allCases {
                    let entry = list.first { zones[$0].type <= highest }.map { id in
                        PreferredZone(id: Int32(id), node: Int16(zones[id].node),
                                      noFragment: Self.allocFlagsNoFragment(preferred: zones[id], zones: zones,
                                                                            nodeCount: spec.nodes))
                    }
                    preferredZoneTable[(node * 2 + slot) * Self.zonesPerNode + highest.rawValue] = entry ?? .none
                }
            }
        }
    }

    deinit {
        for slot in 0..<(nodes.count * 2) { zonelistTable[slot].baseAddress?.deallocate() }
        zonelistTable.deallocate()
        zoneTable.deallocate()
        cpuNodeTable.deallocate()
        memoryTable.deallocate()
        preferredZoneTable.deallocate()
        pageblockZones.deallocate()
        outcomes.deallocate()
    }

    /// The zone with id `id`, unretained (the allocator keeps every zone alive).
    @inline(__always)
    func zone(id: Int) -> Unmanaged<Zone> { zoneTable[id] }

    /// `pfn_to_nid()`; the PFN must be inside the machine.
    @inline(__always)
    func nodeIndex(of pfn: PFN) -> Int { nodeLayout.node(of: pfn) }

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
        let node = nodeLayout.node(of: pfn)
        return node < nodes.count ? nodes[node] : nil
    }

    /// `page_zone()`: the zone a PFN belongs to, nil outside every zone.
    public func zone(of pfn: PFN) -> Zone? {
        zoneUnretained(of: pfn)?.takeUnretainedValue()
    }

    /// `page_zone()` without retaining the zone: one table load for a PFN whose pageblock lies inside
    /// one zone, a walk of the node's zones for the others.
    @inline(__always)
    func zoneUnretained(of pfn: PFN) -> Unmanaged<Zone>? {
        let id = pageblockZones.zoneID(of: pfn)
        if id >= 0 { return zoneTable[id] }
        return zoneUnretainedStraddling(pfn)
    }

    /// `zoneUnretained(of:)` for a PFN whose pageblock straddles a zone or node boundary, or lies
    /// outside the machine.
    @inline(never)
    func zoneUnretainedStraddling(_ pfn: PFN) -> Unmanaged<Zone>? {
        guard pfn >= 0 else { return nil }
        let node = nodeIndex(of: pfn)
        guard node < nodes.count else { return nil }
        let base = node &* Self.zonesPerNode
        for index in base..<(base &+ Self.zonesPerNode) {
            let zone = zoneTable[index]
            if zone._withUnsafeGuaranteedRef({ $0.spans(pfn) }) { return zone }
        }
        return nil
    }

    /// `pfn_to_page()`: the frame of a PFN this allocator handed out. The PFN must lie inside the machine.
    @inline(__always)
    public func frame(_ pfn: PFN) -> UnsafeMutablePointer<PageFrame> {
        memoryTable[nodeIndex(of: pfn)]._withUnsafeGuaranteedRef { $0.frame(pfn) }
    }

    /// `page_address()`: the page's real memory in its node's arena. The PFN must lie inside the machine.
    @inline(__always)
    public func pageAddress(_ pfn: PFN) -> UnsafeMutableRawPointer {
        memoryTable[nodeIndex(of: pfn)]._withUnsafeGuaranteedRef { $0.address(pfn) }
    }

    /// `virt_to_page()`/`virt_to_pfn()`: the PFN of an address inside some node's arena (the direct
    /// map), nil otherwise.
    public func pfn(of address: UnsafeRawPointer) -> PFN? { directMap.pfn(of: address) }

    /// `page_to_nid()`.
    @inline(__always)
    public func node(of pfn: PFN) -> Int { nodeIndex(of: pfn) }
}
