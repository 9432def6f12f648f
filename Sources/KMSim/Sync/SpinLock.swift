import Atomics
import Synchronization

/// An instrumented spin lock: the kernel's `spinlock_t` with `CONFIG_LOCK_STAT`, i.e. `raw_spin_lock()`
/// going through `LOCK_CONTENDED(lock, do_raw_spin_trylock, do_raw_spin_lock)` so that lock_stat sees
/// every contention, wait, bounce and hold.
///
/// It never sleeps: a waiter spins (test-and-test-and-set with bounded exponential backoff, see
/// `SpinBackoff`). The uncontended path is one load and one compare-and-swap on the lock word plus the
/// statistics bumps; the clock is read only when the lock is contended (wait time) or when the class's
/// registry collects hold times.
///
/// The lock word packs the state the kernel keeps in `lockdep_map.cpu`: bit 0 is "locked", bit 1 "this
/// hold needs the out-of-line release" (it is timed, irqsave or on the virtual clock: `unlockSlow`, so
/// the common release tests one bit of the word it loads anyway), bits 2–17 hold 1 + the CPU that last
/// took the lock
/// with `lock(cpu:)` (0: nobody yet), so bounce detection costs nothing extra. Bits 18–63 count this
/// instance's acquisitions (`write_holdtime.nr`): while the
/// lock is held its holder is the only writer of the word (every other CPU's compare-and-swap fails on
/// the locked bit), so `unlock` bumps the count with the same plain releasing store that drops the lock,
/// with no locked instruction. The class sums its instances' counts (`LockClass.acquisitionCount`). Like the kernel, `tryLock` leaves that CPU alone (`spin_trylock` does not call
/// `lock_acquired()`), and a lock never taken yet does not count a bounce on its first acquisition (the
/// kernel would compare with the CPU that initialised it).
///
/// Where the word lives: a lock built with `init(class:)` gets a 128-byte block of its own for it; a
/// lock built with `init(class:word:)` uses the word its owner embeds in its own structure, as the
/// kernel embeds `spinlock_t` (each CPU's `&pcp->lock` is the first word of that CPU's per-CPU page
/// set, on the cache line its lists and counts are on).
///
/// Memory ordering: a successful acquisition is an acquiring compare-and-swap and `unlock` a releasing
/// store, so everything written under the lock happens-before the next holder's critical section (and
/// ThreadSanitizer sees it). `holderSite` and `holdStart` are relaxed atomics: the first is read racily by
/// waiters, as the kernel reads `lock->ip`; the second is only touched by the holder, but an atomic
/// `let` avoids Swift's dynamic exclusivity checks on class properties.
///
/// The plain trylock and release also exist on a bare word (`tryAcquire(_:)`, `release(_:current:)`),
/// for owners that embed the word and can reach it without this object: the per-CPU page lists'
/// `pcp_spin_trylock()` (`Zone.pcpTrylock`), the allocator's hottest lock.
public final class SpinLock: Sendable {
    /// The class this lock accounts to.
    public let lockClass: LockClass
    /// The lock word's memory (see "Where the word lives"). `nonisolated(unsafe)`: the pointer never
    /// changes after `init`, and the word it points to is only ever accessed atomically (`word`).
    nonisolated(unsafe) private let wordStorage: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    /// `lockdep_map.ip`: the packed `LockSite` of the last `lock(cpu:site:)`.
    let holderSite: Atomic<UInt64>
    /// `held_lock.holdtime_stamp`: when the current hold began, or 0 when it is not being timed.
    let holdStart: Atomic<Int64>
    /// Whether the current hold set `irqMask` (written and read only by the holder).
    let maskedIRQs = Atomic<Bool>(false)
    /// Neither virtual nor irqsave: the fast paths below test only this, one predictable branch fixed
    /// when the lock is built, and leave the other cases to out-of-line code.
    let isPlain: Bool
    /// The lock's state on the virtual clock, nil on the real engine (fixed when the lock is built, so
    /// the real engine's paths pay one predictable branch on it).
    let virtual: VirtualLockState?
    /// The process-side interrupt mask for an irqsave class (real engine; see `ProcessIRQMask`), nil
    /// otherwise.
    let irqMask: ProcessIRQMask?
    /// What keeps an embedded word's memory alive for as long as the lock; nil when the lock owns the
    /// word's block (freed in `deinit`). Past the fields above, which fill the object's first cache line.
    private let wordOwner: (any AnyObject & Sendable)?
    /// 64 bytes after the fields above, so the object is over 128 bytes and no two locks' objects share
    /// a cache line however the allocator places them (`____cacheline_aligned_in_smp` in the kernel's
    /// terms): the holder writes `holderSite` (and `holdStart` when timing), which would otherwise
    /// invalidate a neighbouring lock's line.
    private let cacheLinePadding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    /// The lock word.
    @inline(__always)
    var word: UnsafeAtomic<UInt64> { UnsafeAtomic(at: wordStorage) }

    /// Where the lock word lives (for tests of its placement).
    var wordAddress: UnsafeRawPointer { UnsafeRawPointer(wordStorage) }

    /// Bytes between two locks' objects, and the size of an owned word's block.
    static let minimumSpacing = 128

    static let lockedBit: UInt64 = 1
    /// Set by a holder whose release needs `unlockSlow`: a timed hold, an irqsave hold that masked
    /// interrupts, any hold on the virtual clock.
    static let slowReleaseBit: UInt64 = 1 << 1
    /// Where the CPU field starts.
    static let cpuShift: UInt64 = 2
    /// Bits 2–17: 1 + the CPU of the last `lock(cpu:)`.
    static let cpuMask: UInt64 = 0xFFFF << cpuShift
    /// One acquisition in bits 18–63.
    static let acquisitionUnit: UInt64 = 1 << 18

    /// `spin_lock_init()`: an unlocked lock of class `lockClass`, registered with the class so that its
    /// acquisitions count towards the class's.
    public convenience init(class lockClass: LockClass) {
        let block = UnsafeMutableRawPointer.allocate(byteCount: Self.minimumSpacing, alignment: Self.minimumSpacing)
        self.init(class: lockClass, word: block.bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: 1), owner: nil)
    }

    /// A lock whose word is `word`, inside memory that `owner` keeps in place until it is freed; the
    /// lock holds `owner`, since a retiring lock still reads its word. The word is set to 0 (unlocked,
    /// never taken).
    init(class lockClass: LockClass, word: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>, owner: (any AnyObject & Sendable)?) {
        self.lockClass = lockClass
        word.initialize(to: UnsafeAtomic<UInt64>.Storage(0))
        self.wordStorage = word
        self.wordOwner = owner
        self.holderSite = Atomic(0)
        self.holdStart = Atomic(0)
        self.virtual = VirtualClock.booting.map { VirtualLockState(clock: $0, lockClass: lockClass) }
        self.irqMask = lockClass.irqMask
        self.isPlain = virtual == nil && irqMask == nil
        lockClass.register(self)
    }

    deinit {
        lockClass.retire(self)
        if wordOwner == nil { UnsafeMutableRawPointer(wordStorage).deallocate() }
    }

    /// The acquisitions this instance has completed (released).
    var acquisitions: Int64 {
        Int64(word.load(ordering: .relaxed) / Self.acquisitionUnit)
    }

    /// The word of a lock held by `cpu` after a `lock(cpu:)` that found `previous`: the acquisition
    /// count is kept, the last CPU replaced.
    @inline(__always)
    static func lockedWord(cpu: Int, previous: UInt64) -> UInt64 {
        previous & ~(cpuMask | lockedBit) | (UInt64(truncatingIfNeeded: cpu + 1) << cpuShift) & cpuMask | lockedBit
    }

    /// 1 + the CPU that last took the lock with `lock(cpu:)` according to `word`, 0 if none yet.
    @inline(__always)
    static func lastCPU(in word: UInt64) -> UInt64 {
        (word & cpuMask) >> cpuShift
    }

    /// `word`'s CPU field value for `cpu`.
    @inline(__always)
    static func cpuField(_ cpu: Int) -> UInt64 {
        (UInt64(truncatingIfNeeded: cpu + 1) << cpuShift & cpuMask) >> cpuShift
    }

    /// `spin_lock()`. `cpu` is the simulated CPU taking the lock; it picks the statistics row and detects
    /// bounces. `site` names the caller in /proc/lock_stat's contention points.
    @inline(__always)
    public func lock(cpu: Int, site: StaticString = #function) {
        guard isPlain else { return lockSpecial(cpu: cpu, site: site) }
        acquire(cpu: cpu, site: site)
    }

    /// The compare-and-swap of `spin_lock()`, or its contended path.
    @inline(__always)
    func acquire(cpu: Int, site: StaticString) {
        let current = word.load(ordering: .relaxed)
        if current & Self.lockedBit == 0,
           word.compareExchange(expected: current, desired: Self.lockedWord(cpu: cpu, previous: current),
                                successOrdering: .acquiring, failureOrdering: .relaxed).exchanged {
            didAcquire(cpu: cpu, previous: current, siteKey: LockSite.key(site), now: nil)
            return
        }
        lockContended(cpu: cpu, siteKey: LockSite.key(site))
    }

    /// `spin_trylock()`: takes the lock if it is free right now, with a single attempt.
    public func tryLock(cpu: Int) -> Bool {
        guard isPlain else { return tryLockSpecial(cpu: cpu) }
        return tryAcquire()
    }

    /// The single compare-and-swap of `spin_trylock()`, then the hold's timing if the class collects it.
    @inline(__always)
    func tryAcquire() -> Bool {
        guard Self.tryAcquire(word) else { return false }
        startHoldTime(now: nil)
        return true
    }

    /// `spin_trylock()`'s compare-and-swap on a plain lock's bare word, without timing the hold.
    @inline(__always)
    static func tryAcquire(_ word: UnsafeAtomic<UInt64>) -> Bool {
        let current = word.load(ordering: .relaxed)
        return current & lockedBit == 0
            && word.compareExchange(expected: current, desired: current | lockedBit,
                                    successOrdering: .acquiring, failureOrdering: .relaxed).exchanged
    }

    /// `spin_unlock()`: counts the acquisition in the lock word and releases the lock, in one releasing
    /// store; a hold marked for the slow release first goes through `unlockSlow`.
    @inline(__always)
    public func unlock(cpu: Int) {
        let current = word.load(ordering: .relaxed)
        precondition(current & Self.lockedBit != 0, "unlock of an unlocked SpinLock (\(lockClass.name))")
        if current & Self.slowReleaseBit != 0 { return unlockSlow(cpu: cpu) }
        Self.release(word, current: current)
    }

    /// `spin_unlock()`'s releasing store on a bare word whose value, `current`, its holder has just
    /// read: drops the locked and slow-release bits and counts the acquisition. A hold without the
    /// slow-release bit needs nothing else.
    @inline(__always)
    static func release(_ word: UnsafeAtomic<UInt64>, current: UInt64) {
        word.store((current & ~(lockedBit | slowReleaseBit)) &+ acquisitionUnit, ordering: .releasing)
    }

    /// Marks the current hold for `unlockSlow` (a plain store: only the holder writes a held lock's word).
    @inline(__always)
    func markSlowRelease() {
        word.store(word.load(ordering: .relaxed) | Self.slowReleaseBit, ordering: .relaxed)
    }

    /// `lock(cpu:site:)` for a virtual or an irqsave lock.
    @inline(never)
    func lockSpecial(cpu: Int, site: StaticString) {
        if let virtual { return lockVirtual(virtual, cpu: cpu, siteKey: LockSite.key(site)) }
        if let irqMask { lockMaskingIRQs(irqMask, cpu: cpu, site: site) }
    }

    /// `tryLock(cpu:)` for a virtual or an irqsave lock.
    @inline(never)
    func tryLockSpecial(cpu: Int) -> Bool {
        if let virtual { return tryLockVirtual(virtual) }
        let masked = irqMask?.save(cpu: cpu) ?? false
        guard tryAcquire() else {
            if masked { irqMask?.restore(cpu: cpu) }
            return false
        }
        maskedIRQs.store(masked, ordering: .relaxed)
        if masked { markSlowRelease() }
        return true
    }

    /// `unlock(cpu:)` of a hold marked for the slow release: on the virtual clock, `unlockVirtual`;
    /// on the real engine `lock_release_holdtime()` for a timed hold, the release, then for an
    /// irqsave hold that masked interrupts `spin_unlock_irqrestore()`'s restore.
    @inline(never)
    func unlockSlow(cpu: Int) {
        if let virtual { return unlockVirtual(virtual, cpu: cpu) }
        let start = holdStart.load(ordering: .relaxed)
        if start != 0 {
            holdStart.store(0, ordering: .relaxed)
            lockClass.recordHoldTime(LockStatClock.now() - start, cpu: cpu)
        }
        let masked = maskedIRQs.load(ordering: .relaxed)
        Self.release(word, current: word.load(ordering: .relaxed))
        if masked { irqMask?.restore(cpu: cpu) }
    }

    /// `spin_lock_irqsave()` on the real engine: `local_irq_save()` first (masking `cpu`'s interrupt side
    /// when the caller is that CPU's process side), then the lock; the holder records whether it masked,
    /// for its `unlock`. Out of line: only the irqsave classes come here, all on slow paths.
    @inline(never)
    func lockMaskingIRQs(_ mask: ProcessIRQMask, cpu: Int, site: StaticString) {
        let masked = mask.save(cpu: cpu)
        acquire(cpu: cpu, site: site)
        maskedIRQs.store(masked, ordering: .relaxed)
        if masked { markSlowRelease() }
    }

    /// Runs `body` with the lock held (`guard(spinlock)` in the kernel's cleanup.h terms).
    @inlinable
    public func withLock<R>(cpu: Int, site: StaticString = #function, _ body: () throws -> R) rethrows -> R {
        lock(cpu: cpu, site: site)
        defer { unlock(cpu: cpu) }
        return try body()
    }

    /// `__lock_acquired()` after a `lock(cpu:)`: counts a bounce if `previous` names another CPU,
    /// publishes the holder's site, and starts the hold time (`now` is the end of a measured wait).
    @inline(__always)
    func didAcquire(cpu: Int, previous: UInt64, siteKey: UInt64, now: Int64?) {
        let lastCPU = Self.lastCPU(in: previous)
        if lastCPU != 0 && lastCPU != Self.cpuField(cpu) {
            lockClass.recordAcquiredBounce(cpu: cpu)
        }
        holderSite.store(siteKey, ordering: .relaxed)
        startHoldTime(now: now)
    }

    /// Stamps the start of the hold if the class collects hold times, and marks the hold for the slow
    /// release, which records it.
    @inline(__always)
    func startHoldTime(now: Int64?) {
        if lockClass.collectsHoldTimes.load(ordering: .relaxed) {
            holdStart.store(now ?? LockStatClock.now(), ordering: .relaxed)
            markSlowRelease()
        }
    }
}
