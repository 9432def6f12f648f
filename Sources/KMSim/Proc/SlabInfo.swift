/// One /proc/slabinfo row (`struct slabinfo`, mm/slab.h) as SLUB's `get_slabinfo()` fills it.
public struct SlabInfo: Sendable, Equatable {
    public var name: String
    /// `num_objs` minus the free objects on the node partial lists (objects cached by CPUs count as
    /// active, as in the kernel).
    public var activeObjects: Int
    public var numObjects: Int
    /// `s->size`: the object slot including metadata.
    public var objectSize: Int
    public var objectsPerSlab: Int
    public var pagesPerSlab: Int
    public var activeSlabs: Int
    public var numSlabs: Int
}

extension KMemCache {
    /// `get_slabinfo()`: slab and object counts from the nodes, free objects from
    /// `count_partial_free_approx()` (an exact walk below MAX_PARTIAL_TO_SCAN partial slabs).
    public var slabInfo: SlabInfo {
        var slabs = 0
        var objects = 0
        var free = 0
        for node in nodes {
            slabs += node.nrSlabs.load(ordering: .relaxed)
            objects += node.totalObjects.load(ordering: .relaxed)
            free += countPartialFree(node)
        }
        return SlabInfo(name: name, activeObjects: objects - free, numObjects: objects, objectSize: geometry.size,
                        objectsPerSlab: geometry.objectsPerSlab, pagesPerSlab: 1 << geometry.order,
                        activeSlabs: slabs, numSlabs: slabs)
    }
}

extension KMemCache {
    /// `count_partial_free_approx()`: free objects on a node's partial list (an exact walk; the kernel
    /// samples only past 10000 partial slabs).
    func countPartialFree(_ node: KMemCacheNode) -> Int {
        var free = 0
        node.listLock.lock(cpu: 0)
        var current = node.partialHead
        while current >= 0 {
            let slab = self.slab(current)
            let counters = slab.counters
            free += counters.objects - counters.inuse
            current = slab.next
        }
        node.listLock.unlock(cpu: 0)
        return free
    }
}

extension SlabAllocator {
    /// /proc/slabinfo (`slab_show()` in mm/slab_common.c): version 2.1, the header, then one row per
    /// cache, newest first, tunables and shared counts 0 as under SLUB.
    public func renderProcSlabinfo() -> String {
        var text = "slabinfo - version: 2.1\n"
        text += "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
        text += " : tunables <limit> <batchcount> <sharedfactor>"
        text += " : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
        for cache in caches {
            text += Self.slabinfoRow(cache.slabInfo)
        }
        return text
    }

    /// `%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu`.
    static func slabinfoRow(_ info: SlabInfo) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        let name = info.name.count >= 17 ? info.name : info.name + String(repeating: " ", count: 17 - info.name.count)
        return "\(name) \(pad(info.activeObjects, 6)) \(pad(info.numObjects, 6)) \(pad(info.objectSize, 6)) "
            + "\(pad(info.objectsPerSlab, 4)) \(pad(info.pagesPerSlab, 4)) : tunables \(pad(0, 4)) \(pad(0, 4)) \(pad(0, 4))"
            + " : slabdata \(pad(info.activeSlabs, 6)) \(pad(info.numSlabs, 6)) \(pad(0, 6))\n"
    }
}
