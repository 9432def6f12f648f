import Atomics
import CNuma
import Glibc

/// Why a node's physical memory could not be set up.
public struct PhysicalMemoryError: Error, Equatable, CustomStringConvertible {
    public var node: Int
    public var message: String

    public var description: String { "node \(node): \(message)" }
}

/// One simulated node's physical memory: the page contents (a real host arena) and the PFN-indexed
/// page-frame table (the node's `mem_map`, i.e. its `struct page` array), plus the per-pageblock
/// migratetype bytes (`pageblock_flags` of `struct mem_section_usage`).
///
/// The arena is the node's slice of the machine's `DirectMap`. All three are anonymous
/// `mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE)` mappings, so the host commits
/// a page only when it is first touched: a 64 GiB simulated machine boots on a smaller host and costs the
/// pages it uses, like the kernel's deferred struct-page initialisation. The arena is bound to the host
/// node that runs the simulated node (`numa_tonode_memory`, an `mbind(MPOL_BIND)`), so simulated remote
/// accesses are remote on the host when it has several nodes.
///
/// Synchronisation: the pointers are immutable after `init`. The frames are typed storage whose fields
/// are guarded as `PageFrame+Ownership.swift` documents (the zone lock, a per-CPU list lock, or the page's
/// owner); the pageblock bytes are only accessed atomically. The mappings are released in `deinit`.
public final class PhysicalMemory: @unchecked Sendable {
    /// The simulated node.
    public let node: Int
    /// The host node the arena is bound to.
    public let hostNode: Int
    /// The node's first page frame number.
    public let startPFN: PFN
    /// Pages in the node.
    public let pageCount: Int
    /// The page contents: `pageCount * 4096` bytes of `directMap`.
    public let arena: UnsafeMutableRawPointer
    /// The machine's direct map the arena lies in (kept alive here).
    public let directMap: DirectMap
    /// The node's page frames, index `pfn - startPFN`.
    public let frames: UnsafeMutablePointer<PageFrame>
    /// One migratetype byte per pageblock (order 9), accessed through `UnsafeAtomic`.
    let pageblockTypes: UnsafeMutablePointer<UnsafeAtomic<UInt8>.Storage>

    private let arenaBytes: Int
    private let frameBytes: Int
    private let pageblockBytes: Int

    /// Sets up a node of `pageCount` pages starting at `startPFN` whose contents are the slice of
    /// `directMap` at `startPFN` (nil: a map of this node alone, the arena at its start), binding the
    /// arena to `hostNode` where the host has NUMA. Every pageblock starts MIGRATE_MOVABLE, as
    /// `memmap_init_range()` leaves them.
    public init(node: Int, startPFN: PFN, pageCount: Int, hostNode: Int, directMap: DirectMap? = nil) throws(PhysicalMemoryError) {
        self.node = node
        self.hostNode = hostNode
        self.startPFN = startPFN
        self.pageCount = pageCount
        arenaBytes = pageCount * MachineSpec.pageSize
        frameBytes = pageCount * MemoryLayout<PageFrame>.stride
        let blocks = (pageCount + PageAllocator.pageblockPages - 1) / PageAllocator.pageblockPages
        pageblockBytes = blocks
        let map: DirectMap
        if let directMap { map = directMap } else { map = try DirectMap(bytes: arenaBytes, node: node) }
        let arenaOffset = directMap == nil ? 0 : startPFN << MachineSpec.pageShift
        guard arenaOffset + arenaBytes <= map.bytes else {
            throw PhysicalMemoryError(node: node, message: "the direct map of \(map.bytes) bytes has no room for PFNs \(startPFN)..<\(startPFN + pageCount)")
        }
        let arena = map.base + arenaOffset
        guard let frameMemory = Self.mapLazily(frameBytes) else {
            throw PhysicalMemoryError(node: node, message: "mmap of the \(frameBytes)-byte page-frame table failed: \(String(cString: strerror(errno)))")
        }
        guard let blockMemory = Self.mapLazily(pageblockBytes) else {
            munmap(frameMemory, frameBytes)
            throw PhysicalMemoryError(node: node, message: "mmap of the pageblock table failed: \(String(cString: strerror(errno)))")
        }
        if numa_available() >= 0 {
            numa_tonode_memory(arena, arenaBytes, Int32(hostNode))
        }
        self.arena = arena
        self.directMap = map
        // mmap returns zeroed, page-aligned memory: every PageFrame starts all-zero (no flags, order 0).
        frames = frameMemory.bindMemory(to: PageFrame.self, capacity: pageCount)
        pageblockTypes = blockMemory.bindMemory(to: UnsafeAtomic<UInt8>.Storage.self, capacity: blocks)
        let movable = UInt8(MigrateType.movable.rawValue)
        for block in 0..<blocks {
            UnsafeAtomic<UInt8>(at: pageblockTypes + block).store(movable, ordering: .relaxed)
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(frames), frameBytes)
        munmap(UnsafeMutableRawPointer(pageblockTypes), pageblockBytes)
    }

    /// An anonymous private mapping the host commits page by page on first touch.
    private static func mapLazily(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let pointer = mmap(nil, max(bytes, 1), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        return pointer
    }

    /// Whether `pfn` belongs to this node.
    @inline(__always)
    public func contains(_ pfn: PFN) -> Bool { pfn >= startPFN && pfn < startPFN + pageCount }

    /// `pfn_to_page()`: the frame of a PFN of this node.
    @inline(__always)
    public func frame(_ pfn: PFN) -> UnsafeMutablePointer<PageFrame> { frames + (pfn - startPFN) }

    /// `frames` offset by the node's first PFN, so that `framesByPFN + pfn` is the frame of a PFN of
    /// this node: what the fast paths keep to index frames by global PFN.
    var framesByPFN: UnsafeMutablePointer<PageFrame> { frames - startPFN }

    /// `page_address()`: the page's contents in the arena.
    @inline(__always)
    public func address(_ pfn: PFN) -> UnsafeMutableRawPointer { arena + (pfn - startPFN) << MachineSpec.pageShift }

    /// `virt_to_pfn()` for an address inside this node's arena, nil otherwise.
    @inline(__always)
    public func pfn(of address: UnsafeRawPointer) -> PFN? {
        let offset = address - UnsafeRawPointer(arena)
        guard offset >= 0 && offset < arenaBytes else { return nil }
        return startPFN + offset >> MachineSpec.pageShift
    }

    /// `get_pfnblock_migratetype()`: the migratetype of the pageblock holding `pfn`. Read without the zone
    /// lock, as the kernel does; changed only under it.
    @inline(__always)
    func pageblockMigratetype(_ pfn: PFN) -> MigrateType {
        let raw = UnsafeAtomic<UInt8>(at: pageblockTypes + (pfn - startPFN) >> PageAllocator.pageblockOrder).load(ordering: .relaxed)
        return MigrateType(rawValue: Int(raw)) ?? .movable
    }

    /// `set_pageblock_migratetype()`; the caller holds the zone lock.
    @inline(__always)
    func setPageblockMigratetype(_ pfn: PFN, _ type: MigrateType) {
        UnsafeAtomic<UInt8>(at: pageblockTypes + (pfn - startPFN) >> PageAllocator.pageblockOrder)
            .store(UInt8(type.rawValue), ordering: .relaxed)
    }
}
