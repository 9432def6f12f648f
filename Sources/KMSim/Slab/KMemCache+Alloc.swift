import Synchronization

extension KMemCache {
    /// `slab_alloc_node()` / `__slab_alloc_node()`: the lock-free fast path. Read the {freelist, tid}
    /// word, then the CPU slab; take the first object with one compare-and-swap of
    /// {freelist, tid} → {next, tid + 1} (`FreelistTid`); anything else (no object, no slab, wrong node, a debug
    /// cache) goes to `___slab_alloc`. A failed compare-and-swap means the other side of this CPU
    /// (process or interrupt) got in between, as an interrupt or a migration would in the kernel: retry.
    @inline(__always)
    func slabAllocNode(gfp: GFPFlags, node: Int?, context: ExecutionContext, caller: StaticString,
                       origSize: Int) -> UnsafeMutableRawPointer? {
        guard slabPreAllocHook(gfp: gfp, context: context) else { return nil }
        return slabAllocNodeAfterHook(gfp: gfp, node: node, context: context, caller: caller, origSize: origSize)
    }

    /// `slab_pre_alloc_hook()`: refuses an unknown CPU (reported), runs `might_alloc()` (a blocking
    /// mask from atomic context is reported) and `should_failslab()` when fault injection is on.
    /// False: the allocation returns NULL.
    @inline(__always)
    func slabPreAllocHook(gfp: GFPFlags, context: ExecutionContext) -> Bool {
        guard context.cpu >= 0 && context.cpu < env.cpuCount else {
            _ = reportInvalidCPU(context)
            return false
        }
        if gfp.contains(.directReclaim) && context.isAtomic {
            env.pageAllocator.mightAllocFromAtomic(gfp: gfp, context: context)
        }
        if let faults = env.faults, faults.shouldFailSlab(self, gfp: gfp, context: context) { return false }
        return true
    }

    /// `slab_alloc_node()` past its pre-allocation hook (the caller ran `slabPreAllocHook`).
    @inline(__always)
    func slabAllocNodeAfterHook(gfp: GFPFlags, node: Int?, context: ExecutionContext, caller: StaticString,
                                origSize: Int) -> UnsafeMutableRawPointer? {
        let c = cpus.cpu(context.cpu)
        let packing = cpus.packing
        var object: UInt
        while true {
            let word = c.pointee.freelistTid.load(ordering: .acquiring)
            object = packing.object(in: word)
            let slab = c.pointee.slab.load(ordering: .relaxed)
            if object == 0 || slab < 0 || (node != nil && env.node(ofPFN: slab) != node) {
                return slowAlloc(gfp: gfp, node: node, context: context, caller: caller, origSize: origSize)
            }
            let next = freePointer(object)
            if c.pointee.freelistTid.compareExchange(
                expected: word, desired: packing.word(after: word, object: next),
                ordering: .acquiringAndReleasing).exchanged { break }
            stats.bump(.cmpxchgDoubleCPUFail, context)
        }
        stats.bump(.allocFastpath, context)
        let pointer = UnsafeMutableRawPointer(bitPattern: object).unsafelyUnwrapped
        if gfp.contains(.zero) { zeroObject(pointer) }
        return pointer
    }

    /// `slab_post_alloc_hook()`'s `memset()` for `__GFP_ZERO`, charged per KiB on the virtual clock.
    @inline(never)
    func zeroObject(_ pointer: UnsafeMutableRawPointer) {
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: geometry.objectSize)
        if let clock = stats.virtualClock { clock.charge(.zeroPerKiB, times: (geometry.objectSize + 1023) / 1024) }
    }

    /// `__slab_alloc()` → `___slab_alloc()` plus the post-allocation zeroing.
    func slowAlloc(gfp: GFPFlags, node: Int?, context: ExecutionContext, caller: StaticString,
                   origSize: Int) -> UnsafeMutableRawPointer? {
        stats.bump(.allocSlowpath, context)
        let object = isDebug
            ? debugSlowAlloc(gfp: gfp, node: node, context: context, caller: caller, origSize: origSize)
            : refillAndAlloc(gfp: gfp, node: node, context: context)
        guard object != 0 else {
            if !gfp.contains(.noWarn) { reportOutOfMemory(gfp: gfp, node: node) }
            return nil
        }
        let pointer = UnsafeMutableRawPointer(bitPattern: object).unsafelyUnwrapped
        if gfp.contains(.zero) { zeroObject(pointer) }
        return pointer
    }

    /// `___slab_alloc()` for caches without debugging: refill the CPU freelist from the CPU slab's
    /// remote frees, then the CPU partial list, then the node partial lists, then a new slab; returns an
    /// object or 0. Follows the detach/attach rules of `KMemCacheCPU`.
    func refillAndAlloc(gfp: GFPFlags, node: Int?, context: ExecutionContext) -> UInt {
        let cpu = context.cpu
        let c = cpus.cpu(cpu)
        cpus.lock(cpu)
        let current = c.pointee.slab.load(ordering: .relaxed)
        if current >= 0 {
            let slab = self.slab(current)
            if node == nil || env.node(ofPFN: current) == node {
                let object = popCPUFreelist(cpu)
                if object != 0 {
                    cpus.unlock(cpu)
                    return object
                }
                c.pointee.slab.store(KMemCacheCPU.noSlab, ordering: .releasing)
                var freelist = exchangeCPUFreelist(cpu, with: 0)
                if freelist == 0 { freelist = getFreelist(slab) }
                if freelist != 0 {
                    stats.bump(.allocRefill, context)
                    let object = attach(slab, freelist: freelist, cpu: cpu)
                    cpus.unlock(cpu)
                    return object
                }
                stats.bump(.deactivateBypass, context)
            } else {
                stats.bump(.allocNodeMismatch, context)
                c.pointee.slab.store(KMemCacheCPU.noSlab, ordering: .releasing)
                let freelist = exchangeCPUFreelist(cpu, with: 0)
                cpus.unlock(cpu)
                deactivateSlab(slab, freelist: freelist, context: context)
                cpus.lock(cpu)
            }
        }
        while c.pointee.partial.load(ordering: .relaxed) >= 0 && c.pointee.slab.load(ordering: .relaxed) < 0 {
            let slab = self.slab(c.pointee.partial.load(ordering: .relaxed))
            c.pointee.partial.store(slab.next, ordering: .relaxed)
            if node == nil || env.node(ofPFN: slab.pfn) == node {
                let freelist = freezeSlab(slab)
                if freelist != 0 {
                    stats.bump(.cpuPartialAlloc, context)
                    let object = attach(slab, freelist: freelist, cpu: cpu)
                    cpus.unlock(cpu)
                    return object
                }
            }
            cpus.unlock(cpu)
            slab.next = KMemCacheCPU.noSlab
            putPartials(slab.pfn, context: context)
            cpus.lock(cpu)
        }
        cpus.unlock(cpu)

        var freelist: UInt = 0
        var newSlab: Slab? = getPartial(node: node, context: context)
        if let slab = newSlab {
            freelist = freezeSlab(slab)
        } else if let slab = allocateSlab(gfp: gfp, node: node, context: context) {
            stats.bump(.allocSlab, context)
            freelist = freezeSlab(slab)
            newSlab = slab
        }
        guard let slab = newSlab, freelist != 0 else { return 0 }
        cpus.lock(cpu)
        while true {
            let flush = c.pointee.slab.load(ordering: .relaxed)
            if flush < 0 { break }
            c.pointee.slab.store(KMemCacheCPU.noSlab, ordering: .releasing)
            let flushFreelist = exchangeCPUFreelist(cpu, with: 0)
            cpus.unlock(cpu)
            deactivateSlab(self.slab(flush), freelist: flushFreelist, context: context)
            stats.bump(.cpuslabFlush, context)
            cpus.lock(cpu)
        }
        let object = attach(slab, freelist: freelist, cpu: cpu)
        cpus.unlock(cpu)
        return object
    }

    /// The fast path's pop, done by the lock holder: the CPU slab is set, so the other side may race.
    func popCPUFreelist(_ cpu: Int) -> UInt {
        let c = cpus.cpu(cpu)
        while true {
            let word = c.pointee.freelistTid.load(ordering: .acquiring)
            let object = cpus.packing.object(in: word)
            if object == 0 { return 0 }
            let next = freePointer(object)
            if c.pointee.freelistTid.compareExchange(
                expected: word, desired: cpus.packing.word(after: word, object: next),
                ordering: .acquiringAndReleasing).exchanged { return object }
        }
    }

    /// Replaces the CPU freelist and advances the tid in one compare-and-swap, returning the old list:
    /// the "take" of a detach (with 0) and the "install" of an attach. Lock holder only.
    func exchangeCPUFreelist(_ cpu: Int, with freelist: UInt) -> UInt {
        let c = cpus.cpu(cpu)
        while true {
            let word = c.pointee.freelistTid.load(ordering: .acquiring)
            if c.pointee.freelistTid.compareExchange(
                expected: word, desired: cpus.packing.word(after: word, object: freelist),
                ordering: .acquiringAndReleasing).exchanged { return cpus.packing.object(in: word) }
        }
    }

    /// `load_freelist`: makes `slab` (frozen, with the chain `freelist` taken from it) the CPU slab and
    /// returns the chain's first object. Lock holder only, with the CPU slab unset.
    func attach(_ slab: Slab, freelist: UInt, cpu: Int) -> UInt {
        _ = exchangeCPUFreelist(cpu, with: freePointer(freelist))
        cpus.cpu(cpu).pointee.slab.store(slab.pfn, ordering: .releasing)
        return freelist
    }

    /// `slab_out_of_memory()`: the cache's geometry and each node's slab and object counts.
    func reportOutOfMemory(gfp: GFPFlags, node: Int?) {
        var lines = [
            "SLUB: Unable to allocate memory on node \(node ?? -1), gfp=\(gfp.hexString)(\(gfp))",
            "  cache: \(name), object size: \(geometry.objectSize), buffer size: \(geometry.size), default order: \(geometry.order), min order: \(geometry.minOrder)",
        ]
        for node in nodes {
            lines.append("  node \(node.node): slabs: \(node.nrSlabs.load(ordering: .relaxed)), objs: \(node.totalObjects.load(ordering: .relaxed)), free: \(countPartialFree(node))")
        }
        env.reporter.record(.outOfMemory, lines)
    }

    func reportInvalidCPU(_ context: ExecutionContext) -> UnsafeMutableRawPointer? {
        env.reporter.record(.invalidContext, [
            "WARNING: kmem_cache \(name): CPU \(context.cpu) does not exist (nr_cpu_ids=\(env.cpuCount)); request refused",
        ])
        return nil
    }
}
