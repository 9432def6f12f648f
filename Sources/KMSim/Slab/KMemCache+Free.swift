import Synchronization

extension KMemCache {
    /// `do_slab_free()`: the lock-free fast path when the objects' slab is this CPU's slab: link the
    /// chain `head`...`tail` in front of the CPU freelist with one compare-and-swap of the
    /// {freelist, tid} word; otherwise `__slab_free`. Freeing an object that is already the head of the list
    /// is reported and ignored (CONFIG_SLAB_FREELIST_HARDENED's `BUG_ON(object == fp)`).
    @inline(__always)
    func doSlabFree(_ slab: Slab, head: UInt, tail: UInt, count: Int, context: ExecutionContext,
                    caller: StaticString) {
        let c = cpus.cpu(context.cpu)
        let packing = cpus.packing
        while true {
            let word = c.pointee.freelistTid.load(ordering: .acquiring)
            if c.pointee.slab.load(ordering: .relaxed) != slab.pfn {
                slowFree(slab, head: head, tail: tail, count: count, context: context, caller: caller)
                return
            }
            let freelist = packing.object(in: word)
            if freelist == tail {
                reportNaiveDoubleFree(slab, object: tail, context: context)
                return
            }
            setFreePointer(tail, freelist)
            if c.pointee.freelistTid.compareExchange(
                expected: word, desired: packing.word(after: word, object: head),
                ordering: .acquiringAndReleasing).exchanged { break }
            stats.bump(.cmpxchgDoubleCPUFail, context)
        }
        stats.bump(.freeFastpath, context)
    }

    /// `__slab_free()`: the object goes straight onto its slab's freelist with a compare-and-swap of
    /// {freelist, counters}; `n->list_lock` only when the slab must move: a slab that was full goes to
    /// this CPU's partial list, an empty one on the node list is discarded past `min_partial`. Debug
    /// caches free under the list lock with their checks (`free_to_partial_list`).
    func slowFree(_ slab: Slab, head: UInt, tail: UInt, count: Int, context: ExecutionContext,
                  caller: StaticString) {
        stats.bump(.freeSlowpath, context)
        if isDebug {
            debugFree(slab, head: head, tail: tail, count: count, context: context, caller: caller)
            return
        }
        var lockedNode: KMemCacheNode?
        var prior: UInt
        var wasFrozen: Bool
        var newCounters: SlabCounters
        var onNodePartial = false
        while true {
            if let locked = lockedNode {
                locked.listLock.unlock(cpu: context.cpu)
                lockedNode = nil
            }
            prior = slab.freelist
            let counters = slab.counters
            if prior == tail {
                reportNaiveDoubleFree(slab, object: tail, context: context)
                return
            }
            setFreePointer(tail, prior)
            newCounters = counters
            wasFrozen = counters.frozen
            newCounters.inuse -= count
            if (newCounters.inuse == 0 || prior == 0) && !wasFrozen {
                if cpuPartialObjects == 0 || prior != 0 {
                    let node = nodes[env.node(ofPFN: slab.pfn)]
                    node.listLock.lock(cpu: context.cpu)
                    lockedNode = node
                    onNodePartial = slab.onNodePartial
                }
            }
            if slab.update(freelist: prior, counters: counters, to: head, newCounters) { break }
            stats.bump(.cmpxchgDoubleFail, context)
        }
        guard let locked = lockedNode else {
            if wasFrozen {
                stats.bump(.freeFrozen, context)
            } else if cpuPartialObjects > 0 && prior == 0 {
                putCPUPartial(slab, drain: true, context: context)
                stats.bump(.cpuPartialFree, context)
            }
            return
        }
        if prior != 0 && !onNodePartial {
            locked.listLock.unlock(cpu: context.cpu)
            return
        }
        if newCounters.inuse == 0 && locked.nrPartial.load(ordering: .relaxed) >= minPartial {
            if prior != 0 {
                removePartial(locked, slab)
                stats.bump(.freeRemovePartial, context)
            }
            locked.listLock.unlock(cpu: context.cpu)
            discardSlab(slab, context: context)
            return
        }
        if cpuPartialObjects == 0 && prior == 0 {
            addPartial(locked, slab, toTail: true)
            stats.bump(.freeAddPartial, context)
        }
        locked.listLock.unlock(cpu: context.cpu)
    }

    /// The hardened freelist's naive double-free check fired: the kernel BUG()s; kmsim reports, leaves
    /// the freelist as it was, and continues.
    func reportNaiveDoubleFree(_ slab: Slab, object: UInt, context: ExecutionContext) {
        var lines = SlabReporter.banner(cache: name, "Object already free")
        lines.append("kernel BUG at mm/slub.c:set_freepointer: object \(SlabReporter.pointer(object)) == fp (naive detection of double free or corruption)")
        lines.append(slabInfoLine(slab))
        lines.append("CPU: \(context.cpu) PID: \(context.pid) Comm: kmsim (\(context.kind.rawValue))")
        lines.append(SlabReporter.fix(cache: name, "Object at \(SlabReporter.pointer(object)) not freed"))
        env.reporter.record(.doubleFree, lines)
    }
}
