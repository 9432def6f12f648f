import CKMSimShims
import Glibc
import Atomics
import Synchronization

/// `struct kmem_cache_cpu` (mm/slub.c, Linux 6.12): one CPU's view of a cache, 128 bytes apart from the
/// next CPU's so two CPUs never share a cache line.
///
/// `freelistTid` is `{freelist, tid}` packed in one `Atomic<UInt64>` (see `FreelistTid`: the next free
/// object in the low 44 bits, the transaction id above), changed only by a compare-and-swap of that
/// word, as `this_cpu_try_cmpxchg_freelist()` changes the kernel's pair. `slab` is `c->slab` (the head
/// PFN of the CPU slab or `noSlab`) and `partial` the head PFN of the CPU partial list.
///
/// Who changes what (the kernel relies on `local_lock_irqsave` excluding interrupts; here the CPU's
/// process side and IRQ side are two host threads, so the rules are explicit):
/// - the fast paths (either side, no lock) only compare-and-swap `freelistTid`, and only while `slab` is
///   set; the tid the compare-and-swap checks was loaded (acquiring) before `slab` was read;
/// - the slow path holds `locked` (the `local_lock`) and changes `slab` and `freelistTid` in two patterns:
///   *detach* (`slab = noSlab`, then take the freelist with a tid bump, which fails every fast path that
///   started before) and *attach* (install the freelist with a tid bump while `slab` is still `noSlab`,
///   then publish `slab`); while `slab` is `noSlab` no fast path touches the freelist;
/// - `partial` and the `slabs` counts of the CPU partial list are changed only under `locked`.
/// `locked` is the kernel's `local_lock_t` (on !PREEMPT_RT just "interrupts off on this CPU"): a flag
/// taken with a compare-and-swap from either side. The two sides are different host threads and no
/// critical section waits for anything, so the spin always ends: where the kernel's interrupt would be
/// held off until the section ends, here the interrupt side waits those few instructions. It is not an
/// instrumented `SpinLock`: the kernel's local_lock is no spin lock, does not show in lock_stat's spin
/// lock classes, and costs no atomic operation there.
struct KMemCacheCPU: ~Copyable {
    /// `{c->freelist, c->tid}` as one `FreelistTid` word.
    let freelistTid: Atomic<UInt64>
    /// `c->slab`: head PFN of the CPU slab, or `noSlab`.
    let slab: Atomic<Int>
    /// `c->partial`: head PFN of the CPU partial list (linked through `PageFrame.next`), or `noSlab`.
    let partial: Atomic<Int>
    /// `c->lock`, the kernel's `local_lock_t`; see the type's comment.
    let locked: Atomic<Bool>
    /// Whether the holder of `locked` masked the CPU's interrupt side (`ProcessIRQMask`); only the
    /// holder reads and writes it.
    let maskedIRQs: Atomic<Bool>

    init() {
        freelistTid = Atomic(0)
        slab = Atomic(KMemCacheCPU.noSlab)
        partial = Atomic(KMemCacheCPU.noSlab)
        locked = Atomic(false)
        maskedIRQs = Atomic(false)
    }

    /// "No slab" in `slab` and `partial`.
    static let noSlab = -1
    /// Bytes between two CPUs' structures.
    static let stride = 128
}

/// The cache's per-CPU area: one `KMemCacheCPU` per simulated CPU in 128-byte aligned, 128-byte strided
/// raw memory, so each lives at a fixed address (an `Atomic` must not move) and the fast path reaches it
/// with pointer arithmetic, no array bounds or reference counting.
struct KMemCacheCPUArea {
    let base: UnsafeMutableRawPointer
    let cpuCount: Int
    /// The machine's process-side interrupt mask: `local_lock_irqsave()` masks the CPU's interrupt side
    /// on the real engine (nil on the virtual clock, where interrupts only arrive between events).
    let irqMask: ProcessIRQMask?
    /// How object addresses are packed into each CPU's `freelistTid`.
    let packing: FreelistTid

    init(cpuCount: Int, directMapBase: UInt, irqMask: ProcessIRQMask? = nil) {
        self.irqMask = irqMask
        self.packing = FreelistTid(directMapBase: directMapBase)
        precondition(MemoryLayout<KMemCacheCPU>.size <= KMemCacheCPU.stride)
        self.cpuCount = cpuCount
        base = UnsafeMutableRawPointer.allocate(byteCount: cpuCount * KMemCacheCPU.stride, alignment: 128)
        for cpu in 0..<cpuCount {
            (base + cpu * KMemCacheCPU.stride).bindMemory(to: KMemCacheCPU.self, capacity: 1)
                .initialize(to: KMemCacheCPU())
        }
    }

    /// `per_cpu_ptr(s->cpu_slab, cpu)`.
    @inline(__always)
    func cpu(_ cpu: Int) -> UnsafeMutablePointer<KMemCacheCPU> {
        (base + cpu * KMemCacheCPU.stride).assumingMemoryBound(to: KMemCacheCPU.self)
    }

    /// `local_lock_irqsave(&s->cpu_slab->lock)` for `cpu`: acquiring, so the previous holder's writes are
    /// visible; yields the host CPU now and then in case the holder's thread was descheduled.
    @inline(__always)
    func lock(_ cpu: Int) {
        let c = self.cpu(cpu)
        let masked = irqMask?.save(cpu: cpu) ?? false
        defer { if masked { c.pointee.maskedIRQs.store(true, ordering: .relaxed) } }
        var spins = 0
        while !c.pointee.locked.compareExchange(expected: false, desired: true, successOrdering: .acquiring,
                                                failureOrdering: .relaxed).exchanged {
            kmsim_cpu_relax()
            spins += 1
            if spins & 63 == 0 { sched_yield() }
        }
    }

    /// `local_unlock_irqrestore()`.
    @inline(__always)
    func unlock(_ cpu: Int) {
        let c = self.cpu(cpu)
        let masked = c.pointee.maskedIRQs.load(ordering: .relaxed)
        if masked { c.pointee.maskedIRQs.store(false, ordering: .relaxed) }
        c.pointee.locked.store(false, ordering: .releasing)
        if masked { irqMask?.restore(cpu: cpu) }
    }

    func deallocate() {
        for index in 0..<cpuCount { _ = cpu(index).move() }
        base.deallocate()
    }
}
