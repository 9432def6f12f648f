/// A count of everything a cache holds, taken while the machine is quiet (`validate_slab_cache()` in
/// spirit): what `checkInvariants` and the tests compare.
public struct SlabCensus: Sendable, Equatable {
    /// Slabs found in the page frame table (PG_slab heads owned by the cache).
    public var slabs = 0
    /// Pages those slabs span.
    public var pages = 0
    /// Objects in those slabs.
    public var objects = 0
    /// Free objects: on slab freelists plus on CPU freelists.
    public var freeObjects = 0
    /// Broken invariants, each a sentence.
    public var problems: [String] = []

    /// Objects handed out and not freed: `objects - freeObjects` (inuse + free = total).
    public var inUseObjects: Int { objects - freeObjects }
}

extension KMemCache {
    /// Walks the page frame table, the CPU freelists and the node partial lists and checks that they
    /// agree: each slab's freelist length is `objects - inuse`, CPU freelists hold objects of their
    /// CPU's slab only, node counters match the slabs found, partial lists are well formed. Only
    /// meaningful while no CPU is using the cache. `SlabAllocator.checkInvariants` takes every cache's
    /// census in one walk instead.
    public func census(pfnCount: Int) -> SlabCensus {
        var census = SlabCensus()
        SlabFrameWalk.visit(pageAllocator, pfnCount: pfnCount) { pfn, frame in
            if frame.pointee.flags & PageFlags.slab.rawValue != 0 && frame.pointee.owner == UInt32(id) {
                countSlab(pfn: pfn, frame: frame, into: &census)
            }
        }
        finishCensus(&census, pfnCount: pfnCount)
        return census
    }

    /// One slab head of this cache found in the frame table.
    func countSlab(pfn: PFN, frame: UnsafeMutablePointer<PageFrame>, into census: inout SlabCensus) {
        let slab = Slab(pfn: pfn, frame: frame)
        let counters = slab.counters
        census.slabs += 1
        census.pages += 1 << slabOrder(objects: counters.objects)
        census.objects += counters.objects
        let free = chainLength(slab.freelist, in: slab, problems: &census.problems)
        if free != counters.objects - counters.inuse {
            census.problems.append("\(name): slab pfn \(pfn) has \(free) objects on its freelist but inuse \(counters.inuse) of \(counters.objects)")
        }
        census.freeObjects += free
    }

    /// The census after the frame walk: CPU freelists and slabs, node partial lists and node counters.
    func finishCensus(_ census: inout SlabCensus, pfnCount: Int) {
        for cpu in 0..<env.cpuCount {
            let current = cpus.cpu(cpu).pointee.slab.load(ordering: .relaxed)
            let freelist = cpus.packing.object(in: cpus.cpu(cpu).pointee.freelistTid.load(ordering: .relaxed))
            if current < 0 {
                if freelist != 0 { census.problems.append("\(name): CPU \(cpu) has a freelist but no slab") }
                continue
            }
            let slab = self.slab(current)
            if !slab.counters.frozen { census.problems.append("\(name): CPU \(cpu)'s slab pfn \(current) is not frozen") }
            census.freeObjects += chainLength(freelist, in: slab, problems: &census.problems)
        }
        var nodeSlabs = 0
        var nodeObjects = 0
        for node in nodes {
            nodeSlabs += node.nrSlabs.load(ordering: .relaxed)
            nodeObjects += node.totalObjects.load(ordering: .relaxed)
            var listed = 0
            var current = node.partialHead
            var previous = KMemCacheCPU.noSlab
            while current >= 0 && listed <= pfnCount {
                let slab = self.slab(current)
                if slab.prev != previous { census.problems.append("\(name): node \(node.node) partial list broken at pfn \(current)") }
                if !slab.onNodePartial { census.problems.append("\(name): pfn \(current) on node \(node.node)'s partial list is not marked") }
                if slab.counters.frozen { census.problems.append("\(name): frozen slab pfn \(current) on a node partial list") }
                listed += 1
                previous = current
                current = slab.next
            }
            if listed != node.nrPartial.load(ordering: .relaxed) {
                census.problems.append("\(name): node \(node.node) nr_partial \(node.nrPartial.load(ordering: .relaxed)) but \(listed) listed")
            }
        }
        if nodeSlabs != census.slabs { census.problems.append("\(name): nodes count \(nodeSlabs) slabs, frame table has \(census.slabs)") }
        if nodeObjects != census.objects { census.problems.append("\(name): nodes count \(nodeObjects) objects, slabs hold \(census.objects)") }
    }

    /// The length of a freelist chain of `slab`'s objects, reporting a bad pointer or a cycle.
    func chainLength(_ first: UInt, in slab: Slab, problems: inout [String]) -> Int {
        var count = 0
        var object = first
        let limit = slab.counters.objects
        while object != 0 {
            if !isValidPointer(object, in: slab) {
                problems.append("\(name): freelist of slab pfn \(slab.pfn) holds \(SlabReporter.pointer(object)), not one of its objects")
                break
            }
            count += 1
            if count > limit {
                problems.append("\(name): freelist cycle in slab pfn \(slab.pfn)")
                break
            }
            object = freePointer(object)
        }
        return count
    }
}

/// The frame-table walk behind the slab census: visits every frame that may head an allocated block,
/// stepping over whole free buddy blocks, whole per-CPU-list blocks and the tails of compound pages, so
/// a large machine that uses little of its memory is walked in a few thousand steps per GiB rather
/// than one per page (a 1 TiB machine has 268 M frames, 8 GiB of them).
enum SlabFrameWalk {
    static func visit(_ allocator: PageAllocator, pfnCount: Int,
                      _ body: (PFN, UnsafeMutablePointer<PageFrame>) -> Void) {
        let skipping = PageFlags.buddy.rawValue | PageFlags.pcp.rawValue
        var pfn = 0
        while pfn < pfnCount {
            let frame = allocator.frame(pfn)
            let flags = frame.pointee.flags
            if flags & skipping != 0 {
                pfn += 1 << min(Int(frame.pointee.order), PageAllocator.maxOrder)
                continue
            }
            if flags & PageFlags.tail.rawValue == 0 { body(pfn, frame) }
            pfn += flags & PageFlags.head.rawValue != 0 ? 1 << min(Int(frame.pointee.order), PageAllocator.maxOrder) : 1
        }
    }
}
