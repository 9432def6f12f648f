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
    /// meaningful while no CPU is using the cache.
    public func census(pfnCount: Int) -> SlabCensus {
        var census = SlabCensus()
        for pfn in 0..<pfnCount {
            let frame = pageAllocator.frame(pfn)
            let flags = frame.pointee.flags
            guard flags & PageFlags.slab.rawValue != 0, flags & PageFlags.tail.rawValue == 0,
                  frame.pointee.owner == UInt32(id) else { continue }
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
        for cpu in 0..<env.cpuCount {
            let current = cpus.cpu(cpu).pointee.slab.load(ordering: .relaxed)
            let freelist = cpus.freelistWord(cpu).load(ordering: .relaxed)
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
        return census
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
