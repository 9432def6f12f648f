extension ExecutionContext {
    /// `memalloc_noio_save()` (include/linux/sched/mm.h): enter a GFP_NOIO scope; returns the previous
    /// `PF_MEMALLOC_NOIO` bit for `memallocNoIORestore`.
    public mutating func memallocNoIOSave() -> TaskFlags {
        memallocFlagSave(.memallocNoIO)
    }

    /// `memalloc_noio_restore()`.
    public mutating func memallocNoIORestore(_ flags: TaskFlags) {
        memallocFlagRestore(.memallocNoIO, flags)
    }

    /// `memalloc_nofs_save()`: enter a GFP_NOFS scope; returns the previous `PF_MEMALLOC_NOFS` bit.
    public mutating func memallocNoFSSave() -> TaskFlags {
        memallocFlagSave(.memallocNoFS)
    }

    /// `memalloc_nofs_restore()`.
    public mutating func memallocNoFSRestore(_ flags: TaskFlags) {
        memallocFlagRestore(.memallocNoFS, flags)
    }

    /// `memalloc_noreclaim_save()`: set `PF_MEMALLOC` (reclaim context: may use reserves, never recurses
    /// into reclaim); returns the previous bit.
    public mutating func memallocNoReclaimSave() -> TaskFlags {
        memallocFlagSave(.memalloc)
    }

    /// `memalloc_noreclaim_restore()`.
    public mutating func memallocNoReclaimRestore(_ flags: TaskFlags) {
        memallocFlagRestore(.memalloc, flags)
    }

    /// `flags = current->flags & PF_X; current->flags |= PF_X; return flags;`
    private mutating func memallocFlagSave(_ flag: TaskFlags) -> TaskFlags {
        let old = taskFlags.intersection(flag)
        taskFlags.insert(flag)
        return old
    }

    /// `current->flags = (current->flags & ~PF_X) | flags;`
    private mutating func memallocFlagRestore(_ flag: TaskFlags, _ saved: TaskFlags) {
        taskFlags = taskFlags.subtracting(flag).union(saved.intersection(flag))
    }

    /// `preempt_disable()`.
    public mutating func preemptDisable() {
        preemptCount += 1
    }

    /// `preempt_enable()`. Returns false, leaving the count at 0, on an unbalanced enable (the kernel's
    /// `DEBUG_LOCKS_WARN_ON(val > preempt_count())` in `preempt_count_sub()`).
    @discardableResult
    public mutating func preemptEnable() -> Bool {
        guard preemptCount > 0 else { return false }
        preemptCount -= 1
        return true
    }

    /// `local_irq_save(flags)`: disables interrupts and returns whether they were disabled before.
    public mutating func localIRQSave() -> Bool {
        let old = irqsDisabled
        irqsDisabled = true
        return old
    }

    /// `local_irq_restore(flags)`.
    public mutating func localIRQRestore(_ flags: Bool) {
        irqsDisabled = flags
    }

    /// `spin_lock()`'s effect on the context: preemption is disabled while a spin lock is held.
    public mutating func spinLockAcquired() {
        preemptDisable()
    }

    /// `spin_unlock()`'s effect on the context.
    @discardableResult
    public mutating func spinLockReleased() -> Bool {
        preemptEnable()
    }

    /// `spin_lock_irqsave()`'s effect: interrupts off (old state returned) and preemption disabled.
    public mutating func spinLockIRQSaveAcquired() -> Bool {
        let flags = localIRQSave()
        preemptDisable()
        return flags
    }

    /// `spin_unlock_irqrestore()`'s effect.
    @discardableResult
    public mutating func spinLockIRQRestoreReleased(_ flags: Bool) -> Bool {
        let balanced = preemptEnable()
        localIRQRestore(flags)
        return balanced
    }

    /// Runs `body` inside a `memalloc_nofs_save()`/`memalloc_nofs_restore()` scope.
    public mutating func withMemallocNoFS<R>(_ body: (inout ExecutionContext) throws -> R) rethrows -> R {
        let saved = memallocNoFSSave()
        defer { memallocNoFSRestore(saved) }
        return try body(&self)
    }

    /// Runs `body` inside a `memalloc_noio_save()`/`memalloc_noio_restore()` scope.
    public mutating func withMemallocNoIO<R>(_ body: (inout ExecutionContext) throws -> R) rethrows -> R {
        let saved = memallocNoIOSave()
        defer { memallocNoIORestore(saved) }
        return try body(&self)
    }
}
