extension KMemCache {
    /// `flush_cpu_slab()` for every CPU (`flush_all()`): each CPU's slab goes back with its freelist
    /// (`deactivate_slab`) and its partial list to the node lists (`put_partials`). Uses each CPU's lock
    /// and the detach protocol, so it is safe beside that CPU's fast paths.
    func flushAllCPUs(context: ExecutionContext) {
        for cpu in 0..<env.cpuCount {
            let c = cpus.cpu(cpu)
            cpus.lock(cpu)
            let current = c.pointee.slab.load(ordering: .relaxed)
            c.pointee.slab.store(KMemCacheCPU.noSlab, ordering: .releasing)
            let freelist = exchangeCPUFreelist(cpu, with: 0)
            let partial = c.pointee.partial.load(ordering: .relaxed)
            c.pointee.partial.store(KMemCacheCPU.noSlab, ordering: .relaxed)
            cpus.unlock(cpu)
            if current >= 0 {
                deactivateSlab(slab(current), freelist: freelist, context: context)
                stats.bump(.cpuslabFlush, context)
            }
            if partial >= 0 { putPartials(partial, context: context) }
        }
    }

    /// `__kmem_cache_shutdown()`: flush the CPUs, then `free_partial()` each node: empty slabs are
    /// discarded, slabs with objects are reported (`list_slab_objects`). Returns true when slabs remain.
    func shutdown(context: ExecutionContext) -> Bool {
        flushAllCPUs(context: context)
        var busy = false
        for node in nodes {
            var discard: [Slab] = []
            node.listLock.lock(cpu: context.cpu)
            var current = node.partialHead
            while current >= 0 {
                let slab = self.slab(current)
                current = slab.next
                if slab.counters.inuse == 0 {
                    removePartial(node, slab)
                    discard.append(slab)
                } else {
                    listSlabObjects(slab)
                }
            }
            node.listLock.unlock(cpu: context.cpu)
            for slab in discard { discardSlab(slab, context: context) }
            if node.nrPartial.load(ordering: .relaxed) > 0 || node.nrSlabs.load(ordering: .relaxed) > 0 { busy = true }
        }
        return busy
    }

    /// `list_slab_objects()`: "Objects remaining in <cache> on __kmem_cache_shutdown()" with the slab,
    /// then each allocated object with its tracking.
    func listSlabObjects(_ slab: Slab) {
        var lines = slabError(slab, "Objects remaining in \(name) on __kmem_cache_shutdown()")
        let free = freeObjectSet(slab)
        let base = slabBase(slab)
        for index in 0..<slab.counters.objects {
            let object = objectAddress(base: base, index: index)
            if free.contains(object) { continue }
            lines.append("Object \(SlabReporter.pointer(object)) @offset=\(object - base)")
            lines += trackingLines(object)
        }
        report(.objectsRemaining, lines)
    }

    /// `__fill_map()`: the free objects on a slab's freelist (stops at a bad pointer or a cycle).
    func freeObjectSet(_ slab: Slab) -> Set<UInt> {
        var free = Set<UInt>()
        var object = slab.freelist
        while object != 0 && isValidPointer(object, in: slab) && free.insert(object).inserted {
            object = freePointer(object)
        }
        return free
    }

    /// `kmem_cache_destroy()`'s warning when the shutdown found slabs left.
    func reportStillHasObjects(context: ExecutionContext, caller: StaticString) {
        report(.cacheStillHasObjects, [
            "------------[ cut here ]------------",
            "kmem_cache_destroy \(name): Slab cache still has objects when called from \(caller)",
            "WARNING: CPU: \(context.cpu) PID: \(context.pid) at mm/slab_common.c kmem_cache_destroy",
        ])
    }
}
