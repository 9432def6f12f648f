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
    /// Recent holds as (start, end) pairs, a ring.
    @exclusivity(unchecked) private var holds: [Int64] = Array(repeating: 0, count: VirtualLockState.holdsKept * 2)
    @exclusivity(unchecked) private var nextSlot = 0
    @exclusivity(unchecked) var holdStart: Int64 = 0
    /// Whether the current hold is accounted (taken while the clock's `accounting` was on).
    @exclusivity(unchecked) var accounted = false
    static let holdsKept = 8

    init(clock: VirtualClock, className: String) {
        self.clock = clock
        disablesIRQs = LockStatRegistry.irqSafeClasses.contains(className)
        holdCost = className == "&n->list_lock" ? .slubNodePartial : nil
    }

    /// When the lock is free for a CPU arriving at `time`: the end of the hold covering it, following holds
    /// that begin where the previous ended, or `time` itself.
    func freeTime(arriving time: Int64) -> Int64 {
        var probe = time
        var moved = true
        while moved {
            moved = false
            for slot in 0..<Self.holdsKept where holds[slot * 2] <= probe && probe < holds[slot * 2 + 1] {
                probe = holds[slot * 2 + 1]
                moved = true
            }
        }
        return probe
    }

    func recordHold(from start: Int64, to end: Int64) {
        holds[nextSlot * 2] = start
        holds[nextSlot * 2 + 1] = end
        nextSlot = (nextSlot + 1) % Self.holdsKept
    }
}

extension SpinLock {
    /// `lock(cpu:site:)` on the virtual clock.
    @inline(never)
    func lockVirtual(_ state: VirtualLockState, cpu: Int, siteKey: UInt64) {
        let clock = state.clock
        let previous = word.load(ordering: .relaxed)
        word.store(Self.lockedWord(cpu: cpu, previous: previous), ordering: .relaxed)
        state.accounted = clock.accounting
        guard state.accounted else { return }
        let arrival = clock.now
        let free = state.freeTime(arriving: arrival)
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
        guard !state.accounted || state.freeTime(arriving: now) == now else { return false }
        let previous = word.load(ordering: .relaxed)
        word.store(previous | Self.lockedBit, ordering: .relaxed)
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
            state.recordHold(from: state.holdStart, to: end)
            lockClass.recordHoldTime(end - state.holdStart, cpu: cpu)
            if state.disablesIRQs { state.clock.recordIRQsOff(from: state.holdStart, to: end) }
        }
        let current = word.load(ordering: .relaxed)
        word.store((current & ~Self.lockedBit) &+ Self.acquisitionUnit, ordering: .releasing)
    }
}
