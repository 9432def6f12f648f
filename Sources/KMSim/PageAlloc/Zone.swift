import Atomics
import Synchronization

/// A memory zone of one node (`struct zone`, include/linux/mmzone.h): its span of page frames, the buddy
/// free areas, the watermarks and `lowmem_reserve`, and one `PerCPUPages` per CPU.
///
/// Synchronisation (the kernel's): the free lists, their frames and the highatomic bookkeeping are
/// guarded by `lock` (`&zone->lock`). Each CPU's per-CPU lists are guarded by that CPU's `pcpLocks`
/// entry (`&pcp->lock`); the two are nested pcp → zone, never the other way. Values read on the fast path
/// without the lock (`NR_FREE_PAGES`, `nr_free`, the watermarks, `lowmem_reserve`, the zone flags) live in
/// `AtomicCounterArray`s and are read with relaxed loads, as the kernel reads them with READ_ONCE. Storage
/// pointers are immutable after `init` and freed in `deinit`; hence `@unchecked Sendable`.
public final class Zone: @unchecked Sendable {
    /// Slots of `state`, the zone's lock-free-readable words.
    enum State: Int, CaseIterable {
        case freePages            // NR_FREE_PAGES
        case freeHighatomic       // nr_free_highatomic
        case reservedHighatomic   // nr_reserved_highatomic
        case watermarkBoost
        case watermarkMin, watermarkLow, watermarkHigh, watermarkPromo
        case flags                // ZONE_BELOW_HIGH, ...
        case lowmemReserve        // first of ZoneType.allCases.count entries
    }

    /// `zone->flags` bits kmsim uses: ZONE_BELOW_HIGH, ZONE_RECLAIM_ACTIVE (kswapd is balancing the
    /// zone's node, `set_reclaim_active()`), ZONE_BOOSTED_WATERMARK (a fragmenting fallback boosted the
    /// watermarks; the next ALLOC_KSWAPD allocation from the zone wakes kswapd, `rmqueue()`).
    static let belowHighFlag = 1 << 0
    static let reclaimActiveFlag = 1 << 1
    static let boostedWatermarkFlag = 1 << 2

    public let type: ZoneType
    /// The node (`zone_to_nid`).
    public let node: Int
    /// Index in `PageAllocator.zones`: `node * ZoneType.allCases.count + type.rawValue`.
    public let id: Int
    /// The raw value of this zone's `pgalloc_<zone>` event (`VMStatItem.pgalloc(type)`), worked out once:
    /// the allocation path counts it on every allocation.
    let pgallocItem: Int
    /// `zone_start_pfn`.
    public let startPFN: PFN
    public let spannedPages: Int
    public let presentPages: Int
    /// `managed_pages`: kmsim reserves no boot memory, so every present page is managed unless a test
    /// says otherwise.
    public let managedPages: Int
    public var endPFN: PFN { startPFN + spannedPages }
    public var isPopulated: Bool { managedPages > 0 }

    /// `&zone->lock`.
    let lock: SpinLock
    let memory: PhysicalMemory
    /// `memory.frames` offset so that `frames[pfn]` is the frame of a global PFN of this zone.
    let frames: UnsafeMutablePointer<PageFrame>
    /// `free_area[order].free_list[mt]`, index `order * freeListTypes + mt`.
    let freeLists: UnsafeMutablePointer<PageList>
    /// Blocks on each free list (kmsim keeps the per-list count /proc/pagetypeinfo needs).
    let freeListCounts: AtomicCounterArray
    /// PG_buddy: one bit per page of the zone, set while the page heads a free buddy block. Guarded by
    /// `lock`; 1 bit of metadata per page beside the 32-byte frame.
    let buddyBitmap: UnsafeMutablePointer<UInt64>
    let buddyBitmapWords: Int
    /// `free_area[order].nr_free`.
    let nrFree: AtomicCounterArray
    let state: AtomicCounterArray
    /// The per-CPU page sets, each CPU's with its `&pcp->lock` word.
    let pcpSets: PerCPUPageSets
    /// `pcpSets.base`, for the fast paths.
    let pcpStorage: UnsafeMutableRawPointer
    /// Per CPU, one cache line of per-CPU list statistics (`PCPListStats`), written under that CPU's
    /// `&pcp->lock`.
    let pcpStats: UnsafeMutablePointer<Int64>
    /// Order ≤ 3 requests that found a CPU's `&pcp->lock` busy and went to the buddy lists (rare; any
    /// context on any CPU, hence atomic).
    let pcpLockBusy = Atomic<Int>(0)
    /// `&pcp->lock` of each CPU.
    let pcpLocks: [SpinLock]
    /// `pcpLocks` as unretained references for the fast paths (the array keeps them alive).
    let pcpLockTable: UnsafeMutablePointer<Unmanaged<SpinLock>>
    /// The class of every CPU's `&pcp->lock`, whose hold-time switch `pcpTrylock` reads.
    let pcpLockClass: LockClass
    /// Whether the `&pcp->lock`s are plain (neither virtual nor irqsave: the same for every CPU's),
    /// so the fast paths may work on their words directly (`pcpTrylock`, `pcpUnlock`).
    let pcpLocksArePlain: Bool
    /// The node's pageblock migratetype bytes and first PFN, copied from `memory` for the fast paths.
    let pageblockTypes: UnsafeMutablePointer<UnsafeAtomic<UInt8>.Storage>
    let nodeStartPFN: PFN
    /// `memory.arena` offset so that `arenaBase + pfn << 12` is the page's address.
    let arenaBase: UnsafeMutableRawPointer
    /// `zone->per_cpu_zonestats[cpu].vm_numa_event`: the zone's NUMA events, per CPU.
    let numaEvents: PerCPUCounters
    let cpuCount: Int
    /// The virtual clock the zone's paths charge their costs to, nil on the real engine.
    let virtualClock: VirtualClock?
    /// `vm.watermark_boost_factor` (`boost_watermark()`), fixed at boot.
    let watermarkBoostFactor: Int

    static let freeListTypes = 4

    init(type: ZoneType, node: Int, span: ZoneSpan?, managedPages: Int? = nil, memory: PhysicalMemory,
         cpuCount: Int, kernelThreads: Int = 0, zoneLockClass: LockClass, pcpLockClass: LockClass,
         watermarkBoostFactor: Int = KernelTunables.defaultWatermarkBoostFactor) {
        self.type = type
        self.watermarkBoostFactor = watermarkBoostFactor
        self.node = node
        self.id = node * ZoneType.allCases.count + type.rawValue
        self.pgallocItem = VMStatItem.pgalloc(type).rawValue
        self.startPFN = span?.startPFN ?? memory.startPFN
        self.spannedPages = span?.pages ?? 0
        self.presentPages = spannedPages
        self.managedPages = min(managedPages ?? spannedPages, spannedPages)
        self.memory = memory
        self.cpuCount = cpuCount
        frames = memory.framesByPFN
        virtualClock = VirtualClock.booting
        lock = SpinLock(class: zoneLockClass)
        let listCount = (PageAllocator.maxOrder + 1) * Self.freeListTypes
        freeLists = .allocate(capacity: listCount)
        freeLists.initialize(repeating: PageList(), count: listCount)
        freeListCounts = AtomicCounterArray(count: listCount)
        buddyBitmapWords = max(1, (spannedPages + 63) / 64)
        buddyBitmap = .allocate(capacity: buddyBitmapWords)
        buddyBitmap.initialize(repeating: 0, count: buddyBitmapWords)
        nrFree = AtomicCounterArray(count: PageAllocator.maxOrder + 1)
        state = AtomicCounterArray(count: State.lowmemReserve.rawValue + ZoneType.allCases.count)
        let pcpSets = PerCPUPageSets(cpuCount: cpuCount)
        self.pcpSets = pcpSets
        pcpStorage = pcpSets.base
        pcpStats = .allocate(capacity: cpuCount * PCPListStats.stride)
        pcpStats.initialize(repeating: 0, count: cpuCount * PCPListStats.stride)
        pcpLocks = (0..<cpuCount).map { SpinLock(class: pcpLockClass, word: pcpSets.lockWord($0), owner: pcpSets) }
        pcpLockTable = .allocate(capacity: cpuCount)
        pcpLockTable.initialize(from: pcpLocks.map { Unmanaged.passUnretained($0) }, count: cpuCount)
        self.pcpLockClass = pcpLockClass
        pcpLocksArePlain = pcpLocks.allSatisfy(\.isPlain)
        pageblockTypes = memory.pageblockTypes
        nodeStartPFN = memory.startPFN
        arenaBase = memory.arena - memory.startPFN << MachineSpec.pageShift
        numaEvents = PerCPUCounters(cpuCount: PerCPUCounters.rows(cpuCount: cpuCount, kernelThreads: kernelThreads),
                                    counters: NUMAStatItem.allCases.count)
    }

    deinit {
        freeLists.deallocate()
        buddyBitmap.deallocate()
        pcpStats.deallocate()
        pcpLockTable.deallocate()
    }

    // MARK: Lock-free readable state

    /// `zone_page_state(zone, NR_FREE_PAGES)`.
    public var freePages: Int { state[State.freePages.rawValue] }
    public var watermarkMin: Int { state[State.watermarkMin.rawValue] + state[State.watermarkBoost.rawValue] }
    public var watermarkLow: Int { state[State.watermarkLow.rawValue] + state[State.watermarkBoost.rawValue] }
    public var watermarkHigh: Int { state[State.watermarkHigh.rawValue] + state[State.watermarkBoost.rawValue] }
    public var watermarkPromo: Int { state[State.watermarkPromo.rawValue] + state[State.watermarkBoost.rawValue] }
    public var watermarkBoost: Int { state[State.watermarkBoost.rawValue] }
    /// `zone->nr_reserved_highatomic`.
    public var reservedHighatomic: Int { state[State.reservedHighatomic.rawValue] }
    /// `zone->nr_free_highatomic`.
    public var freeHighatomic: Int { state[State.freeHighatomic.rawValue] }

    /// `wmark_pages(zone, i)`: 0 min, 1 low, 2 high (the ALLOC_WMARK index).
    @inline(__always)
    func watermark(_ index: Int) -> Int {
        state[State.watermarkMin.rawValue &+ index] &+ state[State.watermarkBoost.rawValue]
    }

    /// `zone->lowmem_reserve[]` as /proc/zoneinfo's `protection:` prints it.
    public var lowmemReserve: [Int] { ZoneType.allCases.map { lowmemReserve($0.rawValue) } }

    @inline(__always)
    func lowmemReserve(_ highestZoneIndex: Int) -> Int { state[State.lowmemReserve.rawValue &+ highestZoneIndex] }

    @inline(__always)
    func testFlag(_ flag: Int) -> Bool { flags & flag != 0 }

    /// `zone->flags`, all bits in one read.
    @inline(__always)
    var flags: Int { state[State.flags.rawValue] }

    /// `set_bit()` / `clear_bit()` on `zone->flags`: atomic, since CPUs on the fast path, kswapd and
    /// the zone-lock holders change different bits of the word at once; skipped when the bit already
    /// has the value, so a flag that stays set costs no store.
    func setFlag(_ flag: Int, _ on: Bool) {
        let old = state[State.flags.rawValue]
        guard (old & flag != 0) != on else { return }
        if on { state.setBits(State.flags.rawValue, flag) } else { state.clearBits(State.flags.rawValue, flag) }
    }

    /// Installs the watermarks and reserves `Watermarks` computed for this zone.
    func install(_ marks: ZoneWatermarks) {
        lock.withLock(cpu: 0) {
            state[State.watermarkMin.rawValue] = marks.min
            state[State.watermarkLow.rawValue] = marks.low
            state[State.watermarkHigh.rawValue] = marks.high
            state[State.watermarkPromo.rawValue] = marks.promo
            state[State.watermarkBoost.rawValue] = 0
            for (index, reserve) in marks.lowmemReserve.enumerated() {
                state[State.lowmemReserve.rawValue + index] = reserve
            }
        }
    }

    /// `zone_spans_pfn()`.
    @inline(__always)
    func spans(_ pfn: PFN) -> Bool { pfn >= startPFN && pfn < startPFN &+ spannedPages }

    /// `PageBuddy()`: whether `pfn` (inside the zone) heads a free block. Under the zone lock.
    @inline(__always)
    func isBuddyHead(_ pfn: PFN) -> Bool {
        let bit = pfn &- startPFN
        return buddyBitmap[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// `__SetPageBuddy()` / `__ClearPageBuddy()`. Under the zone lock.
    @inline(__always)
    func setBuddyHead(_ pfn: PFN, _ on: Bool) {
        let bit = pfn &- startPFN
        if on {
            buddyBitmap[bit >> 6] |= 1 << UInt64(bit & 63)
        } else {
            buddyBitmap[bit >> 6] &= ~(1 << UInt64(bit & 63))
        }
    }

    /// `buddy_order()` of a free block's head, nil if `pfn` heads none. Under the zone lock.
    @inline(__always)
    func buddyOrder(_ pfn: PFN) -> Int? {
        isBuddyHead(pfn) ? Int(frames[pfn].order) : nil
    }

    /// `get_pfnblock_migratetype()` without going through `memory`.
    @inline(__always)
    func pageblockMigratetype(_ pfn: PFN) -> Int {
        Int(UnsafeAtomic<UInt8>(at: pageblockTypes + (pfn &- nodeStartPFN) >> PageAllocator.pageblockOrder)
            .load(ordering: .relaxed))
    }

    /// The CPU's `per_cpu_pages`.
    @inline(__always)
    func pcp(_ cpu: Int) -> UnsafeMutablePointer<PerCPUPages> {
        (pcpStorage + cpu &* PerCPUPages.stride + PerCPUPages.headerOffset).assumingMemoryBound(to: PerCPUPages.self)
    }

    /// The CPU's per-CPU lists.
    @inline(__always)
    func pcpLists(_ cpu: Int) -> UnsafeMutablePointer<PageList> {
        (pcpStorage + cpu &* PerCPUPages.stride + PerCPUPages.listsOffset).assumingMemoryBound(to: PageList.self)
    }
}

extension Zone {
    /// Charges `cost` to the running CPU on the virtual clock; nothing on the real engine.
    @inline(__always)
    func charge(_ cost: VirtualCost, times: Int = 1) {
        if let virtualClock { virtualClock.charge(cost, times: times) }
    }
}
