/// A spin lock in virtual time: who held it when, so a CPU that reaches it during another's hold waits
/// until the release, and lock_stat's figures follow from these times instead of the host's.
///
/// Nothing spins: the loop thread is the only thread, so the lock word is always free when an event
/// takes it (spin locks are never held across a suspension). What the kernel would have seen is
/// reconstructed from the recent hold intervals: a CPU arriving at t inside [start, end) of a hold waits
/// until end (a contention, with that wait), pays a line transfer when the last holder was another CPU
/// (a bounce), and its own hold runs from then until its `unlock`, covering the costs charged meanwhile.
///
/// `@unchecked Sendable`: its mutable members are only touched on the virtual clock's loop thread
/// (the owning `SpinLock` is shared, its virtual state is not used elsewhere).
final class VirtualLockState: @unchecked Sendable {
    let clock: VirtualClock
    /// Whether the kernel takes this class with interrupts off (`spin_lock_irqsave()`), so a hold is also
    /// an interrupts-off interval of its CPU.
    let disablesIRQs: Bool
    /// The work every hold of this class does, charged inside the hold: a slab's move on or off a node
    /// partial list for `&n->list_lock` (its other classes' work is charged by the callers, per page).
    let holdCost: VirtualCost?
    /// Recent holds.
    @exclusivity(unchecked) var holds = HoldIntervals()
    @exclusivity(unchecked) var holdStart: Int64 = 0
    /// Whether the current hold is accounted (taken while the clock's `accounting` was on).
    @exclusivity(unchecked) var accounted = false

    init(clock: VirtualClock, lockClass: LockClass) {
        self.clock = clock
        disablesIRQs = lockClass.irqMask != nil
        holdCost = lockClass.name == "&n->list_lock" ? .slubNodePartial : nil
    }
}

extension SpinLock {
    /// `lock(cpu:site:)` on the virtual clock.
    @inline(never)
    func lockVirtual(_ state: VirtualLockState, cpu: Int, siteKey: UInt64) {
        let clock = state.clock
        let previous = word.load(ordering: .relaxed)
        word.store(Self.lockedWord(cpu: cpu, previous: previous) | Self.slowReleaseBit, ordering: .relaxed)
        state.accounted = clock.accounting
        guard state.accounted else { return }
        let arrival = clock.now
        let free = state.holds.end(covering: arrival) ?? arrival
        let lastCPU = Self.lastCPU(in: previous)
        let bounced = lastCPU != 0 && lastCPU != Self.cpuField(cpu)
        if free > arrival {
            lockClass.recordContended(cpu: cpu, bounced: bounced, siteKey: siteKey,
                                      holderSiteKey: holderSite.load(ordering: .relaxed))
            lockClass.recordWait(free - arrival, cpu: cpu)
            clock.advance(to: free)
        }
        clock.charge(.lockAcquire)
        if bounced {
            lockClass.recordAcquiredBounce(cpu: cpu)
            clock.chargeTransfer(fromCPU: Int(lastCPU) - 1)
        }
        holderSite.store(siteKey, ordering: .relaxed)
        state.holdStart = clock.now
        if let cost = state.holdCost { clock.charge(cost) }
    }

    /// `tryLock(cpu:)` on the virtual clock: fails when another hold covers now.
    @inline(never)
    func tryLockVirtual(_ state: VirtualLockState) -> Bool {
        let now = state.clock.now
        state.accounted = state.clock.accounting
        guard !state.accounted || state.holds.end(covering: now) == nil else { return false }
        let previous = word.load(ordering: .relaxed)
        word.store(previous | Self.lockedBit | Self.slowReleaseBit, ordering: .relaxed)
        guard state.accounted else { return true }
        state.clock.charge(.lockAcquire)
        state.holdStart = state.clock.now
        return true
    }

    /// `unlock(cpu:)` on the virtual clock: records the hold (and, for irqsave classes, the interrupts-off
    /// interval), then releases the word as the real path does.
    @inline(never)
    func unlockVirtual(_ state: VirtualLockState, cpu: Int) {
        if state.accounted {
            let end = state.clock.now
            state.holds.record(from: state.holdStart, to: end)
            lockClass.recordHoldTime(end - state.holdStart, cpu: cpu)
            if state.disablesIRQs { state.clock.recordIRQsOff(from: state.holdStart, to: end) }
        }
        Self.release(word, current: word.load(ordering: .relaxed))
    }
}
