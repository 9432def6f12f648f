extension KMemCache {
    /// `add_partial()`: links `slab` at the head or tail of the node partial list. Caller holds
    /// `node.listLock`.
    func addPartial(_ node: KMemCacheNode, _ slab: Slab, toTail: Bool) {
        if toTail {
            slab.next = KMemCacheCPU.noSlab
            slab.prev = node.partialTail
            if node.partialTail >= 0 { self.slab(node.partialTail).next = slab.pfn } else { node.partialHead = slab.pfn }
            node.partialTail = slab.pfn
        } else {
            slab.prev = KMemCacheCPU.noSlab
            slab.next = node.partialHead
            if node.partialHead >= 0 { self.slab(node.partialHead).prev = slab.pfn } else { node.partialTail = slab.pfn }
            node.partialHead = slab.pfn
        }
        slab.onNodePartial = true
        node.nrPartial.add(1, ordering: .relaxed)
    }

    /// `remove_partial()`. Caller holds `node.listLock`.
    func removePartial(_ node: KMemCacheNode, _ slab: Slab) {
        let next = slab.next
        let prev = slab.prev
        if prev >= 0 { self.slab(prev).next = next } else { node.partialHead = next }
        if next >= 0 { self.slab(next).prev = prev } else { node.partialTail = prev }
        slab.next = KMemCacheCPU.noSlab
        slab.prev = KMemCacheCPU.noSlab
        slab.onNodePartial = false
        node.nrPartial.subtract(1, ordering: .relaxed)
    }

    /// `put_cpu_partial()`: pushes an unfrozen slab with free objects onto the CPU partial list. With
    /// `drain`, a list already holding `cpu_partial_slabs` slabs is first moved to the node lists
    /// (CPU_PARTIAL_DRAIN).
    func putCPUPartial(_ slab: Slab, drain: Bool, context: ExecutionContext) {
        let c = cpus.cpu(context.cpu)
        cpus.lock(context.cpu)
        var oldHead = c.pointee.partial.load(ordering: .relaxed)
        var toPut = KMemCacheCPU.noSlab
        var slabs = 0
        if oldHead >= 0 {
            let old = self.slab(oldHead)
            if drain && old.cpuPartialSlabs >= cpuPartialSlabs {
                toPut = oldHead
                oldHead = KMemCacheCPU.noSlab
            } else {
                slabs = old.cpuPartialSlabs
            }
        }
        slab.next = oldHead
        slab.cpuPartialSlabs = slabs + 1
        c.pointee.partial.store(slab.pfn, ordering: .relaxed)
        cpus.unlock(context.cpu)
        if toPut >= 0 {
            putPartials(toPut, context: context)
            stats.bump(.cpuPartialDrain, context)
        }
    }

    /// `__put_partials()`: moves a detached chain of CPU partial slabs to their node lists, discarding
    /// empty ones once a node has `min_partial` partial slabs.
    func putPartials(_ first: PFN, context: ExecutionContext) {
        var current = first
        var lockedNode: KMemCacheNode?
        var toDiscard: [Slab] = []
        while current >= 0 {
            let slab = self.slab(current)
            current = slab.next
            let node = nodes[env.node(ofPFN: slab.pfn)]
            if lockedNode !== node {
                lockedNode?.listLock.unlock(cpu: context.cpu)
                node.listLock.lock(cpu: context.cpu)
                lockedNode = node
            }
            if slab.counters.inuse == 0 && node.nrPartial.load(ordering: .relaxed) >= minPartial {
                toDiscard.append(slab)
            } else {
                addPartial(node, slab, toTail: true)
                stats.bump(.freeAddPartial, context)
            }
        }
        lockedNode?.listLock.unlock(cpu: context.cpu)
        for slab in toDiscard {
            stats.bump(.deactivateEmpty, context)
            discardSlab(slab, context: context)
        }
    }

    /// `get_partial_node()`: under the node's list lock, takes the first partial slab for the CPU and
    /// moves more to the CPU partial list, up to half of `cpu_partial_slabs`. Returns the first slab,
    /// still unfrozen and off every list.
    func getPartialNode(_ node: KMemCacheNode, context: ExecutionContext) -> Slab? {
        if node.nrPartial.load(ordering: .relaxed) == 0 { return nil }
        node.listLock.lock(cpu: context.cpu)
        var result: Slab?
        var partialSlabs = 0
        var current = node.partialHead
        while current >= 0 {
            let slab = self.slab(current)
            current = slab.next
            removePartial(node, slab)
            if result == nil {
                result = slab
                stats.bump(.allocFromPartial, context)
                if cpuPartialObjects == 0 { break }
            } else {
                putCPUPartial(slab, drain: false, context: context)
                stats.bump(.cpuPartialNode, context)
                partialSlabs += 1
                if partialSlabs > cpuPartialSlabs / 2 { break }
            }
        }
        node.listLock.unlock(cpu: context.cpu)
        return result
    }

    /// `get_partial()`: the requested node (or the CPU's own for NUMA_NO_NODE), then, for NUMA_NO_NODE
    /// only, other nodes with more than `min_partial` partial slabs (`get_any_partial`).
    func getPartial(node requested: Int?, context: ExecutionContext) -> Slab? {
        let searchNode = requested ?? env.cpuNode[context.cpu]
        if searchNode >= 0, searchNode < nodes.count, let slab = getPartialNode(nodes[searchNode], context: context) {
            return slab
        }
        if requested != nil { return nil }
        for node in nodes where node.node != searchNode && node.nrPartial.load(ordering: .relaxed) > minPartial {
            if let slab = getPartialNode(node, context: context) { return slab }
        }
        return nil
    }

    /// `freeze_slab()`: takes all of a partial slab's free objects for the CPU and freezes it.
    func freezeSlab(_ slab: Slab) -> UInt {
        while true {
            let freelist = slab.freelist
            let counters = slab.counters
            var new = counters
            new.inuse = counters.objects
            new.frozen = true
            if slab.update(freelist: freelist, counters: counters, to: 0, new) { return freelist }
        }
    }

    /// `get_freelist()`: takes the frozen CPU slab's free objects (remote frees that arrived since); a
    /// slab with none is unfrozen, and the CPU must forget it.
    func getFreelist(_ slab: Slab) -> UInt {
        while true {
            let freelist = slab.freelist
            let counters = slab.counters
            var new = counters
            new.inuse = counters.objects
            new.frozen = freelist != 0
            if slab.update(freelist: freelist, counters: counters, to: 0, new) { return freelist }
        }
    }

    /// `deactivate_slab()`: gives a slab the CPU stopped using back, with the CPU's free objects of it:
    /// counts them, splices them to the head of the slab freelist while unfreezing it, then discards
    /// it (empty and the node has enough partial slabs), puts it on the node partial list, or leaves it
    /// off all lists (full).
    func deactivateSlab(_ slab: Slab, freelist: UInt, context: ExecutionContext) {
        let node = nodes[env.node(ofPFN: slab.pfn)]
        var toTail = false
        if slab.freelist != 0 {
            stats.bump(.deactivateRemoteFrees, context)
            toTail = true
        }
        var freeDelta = 0
        var tail: UInt = 0
        var iterator = freelist
        let limit = slab.counters.objects
        while iterator != 0 && freeDelta < limit {
            let next = freePointer(iterator)
            if !isValidPointer(next, in: slab) { break }
            tail = iterator
            freeDelta += 1
            iterator = next
        }
        var newCounters: SlabCounters
        var newFreelist: UInt
        while true {
            let oldFreelist = slab.freelist
            let oldCounters = slab.counters
            newCounters = oldCounters
            newCounters.frozen = false
            if tail != 0 {
                newCounters.inuse -= freeDelta
                setFreePointer(tail, oldFreelist)
                newFreelist = freelist
            } else {
                newFreelist = oldFreelist
            }
            if slab.update(freelist: oldFreelist, counters: oldCounters, to: newFreelist, newCounters) { break }
            stats.bump(.cmpxchgDoubleFail, context)
        }
        if newCounters.inuse == 0 && node.nrPartial.load(ordering: .relaxed) >= minPartial {
            stats.bump(.deactivateEmpty, context)
            discardSlab(slab, context: context)
        } else if newFreelist != 0 {
            node.listLock.lock(cpu: context.cpu)
            addPartial(node, slab, toTail: toTail)
            node.listLock.unlock(cpu: context.cpu)
            stats.bump(toTail ? .deactivateToTail : .deactivateToHead, context)
        } else {
            stats.bump(.deactivateFull, context)
        }
    }
}
