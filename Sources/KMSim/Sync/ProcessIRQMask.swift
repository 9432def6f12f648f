import Atomics
import CKMSimShims
import Glibc

/// Which simulated CPUs have interrupts disabled on their process side right now, for the real engine:
/// `local_irq_save()` as the interrupt side sees it.
///
/// In the kernel a CPU that takes `&zone->lock`, `&n->list_lock`, `&lruvec->lru_lock` with
/// `spin_lock_irqsave()`, or its SLUB per-CPU `local_lock_irqsave()`, cannot be interrupted until it
/// restores interrupts, so its own interrupt handler never finds that lock held. kmsim runs a CPU's process
/// and interrupt sides on two host threads, so the two sides shake hands, Dekker-style, with sequentially
/// consistent operations on two per-CPU counters:
/// - the process side raises `masked`, then waits while a handler is running (`inHandler`): an interrupt
///   that was already being handled is, in the kernel, one that ran before `local_irq_save()`;
/// - the interrupt side raises `inHandler`, then checks `masked`: when it is set it lowers `inHandler`
///   again and waits for `local_irq_restore()` before it runs the handler (a pending IRQ is delivered at
///   the restore).
/// With interrupts enabled the two sides still run concurrently, as an interrupt may land anywhere else
/// in the kernel's fast paths.
///
/// The process side's wait has no bound: in the kernel a handler runs to completion before the
/// interrupted code goes on. It cannot deadlock: a handler spins only on irqsave locks (which the waiting
/// side does not hold: it masks before taking one, and does not wait when it already masked) and
/// otherwise uses trylocks (`&pcp->lock`, as `pcp_spin_trylock()`), and `drain_all_pages()` drains other
/// CPUs' lists from the calling CPU (`PageAllocator+Drain.swift`), not from their interrupt sides. (An
/// earlier bound of 1024 polls let a handler preempted on a loaded host overlap the process side's
/// section, which showed as same-CPU contention.)
///
/// Synchronisation: every access is an atomic operation on `UnsafeAtomic` cells (sequentially
/// consistent for the handshake); the storage pointer is immutable and freed in `deinit`, hence
/// `@unchecked Sendable`.
public final class ProcessIRQMask: @unchecked Sendable {
    let cpuCount: Int
    private let cells: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    /// Each CPU's two counters share one 128-byte block, apart from other CPUs' blocks.
    private static let stride = 16

    public init(cpuCount: Int) {
        self.cpuCount = cpuCount
        cells = .allocate(capacity: max(cpuCount, 1) * Self.stride)
        cells.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: max(cpuCount, 1) * Self.stride)
    }

    deinit { cells.deallocate() }

    @inline(__always)
    private func masked(_ cpu: Int) -> UnsafeAtomic<Int> { UnsafeAtomic<Int>(at: cells + cpu * Self.stride) }

    @inline(__always)
    private func inHandler(_ cpu: Int) -> UnsafeAtomic<Int> { UnsafeAtomic<Int>(at: cells + cpu * Self.stride + 8) }

    /// Whether the calling thread is `cpu`'s process side (only it masks that CPU's interrupts).
    @inline(__always)
    static func isProcessSide(of cpu: Int) -> Bool {
        guard let side = HostThreadState.currentSide else { return false }
        return side.kind == .process && side.cpu == cpu
    }

    /// `local_irq_save()` on `cpu`'s process side: interrupts off until the matching `restore`, after any
    /// handler already running has finished. Returns whether it masked (the caller passes that on to
    /// `restore`); false when the caller is not that CPU's process side.
    @inline(__always)
    func save(cpu: Int) -> Bool {
        guard cpu >= 0, cpu < cpuCount, Self.isProcessSide(of: cpu) else { return false }
        if masked(cpu).loadThenWrappingIncrement(ordering: .sequentiallyConsistent) == 0 {
            var polls = 0
            while inHandler(cpu).load(ordering: .sequentiallyConsistent) != 0 {
                kmsim_cpu_relax()
                polls &+= 1
                if polls & 255 == 0 { sched_yield() }
            }
        }
        return true
    }

    /// `local_irq_restore()`.
    @inline(__always)
    func restore(cpu: Int) {
        masked(cpu).wrappingDecrement(ordering: .sequentiallyConsistent)
    }

    /// Whether `cpu`'s process side has interrupts disabled now.
    public func isMasked(cpu: Int) -> Bool {
        masked(cpu).load(ordering: .sequentiallyConsistent) > 0
    }

    /// Interrupt entry on `cpu`'s interrupt side: waits while the process side has interrupts disabled,
    /// then marks a handler running until `exitInterrupt`. Returns whether it had to wait.
    @discardableResult
    func enterInterrupt(cpu: Int) -> Bool {
        guard cpu >= 0, cpu < cpuCount else { return false }
        var waited = false
        while true {
            inHandler(cpu).store(1, ordering: .sequentiallyConsistent)
            if masked(cpu).load(ordering: .sequentiallyConsistent) == 0 { return waited }
            inHandler(cpu).store(0, ordering: .sequentiallyConsistent)
            waited = true
            var polls = 0
            while masked(cpu).load(ordering: .sequentiallyConsistent) != 0 {
                kmsim_cpu_relax()
                polls &+= 1
                if polls & 63 == 0 { sched_yield() }
            }
        }
    }

    /// Interrupt exit: the handler (and its softirqs) are done.
    func exitInterrupt(cpu: Int) {
        guard cpu >= 0, cpu < cpuCount else { return }
        inHandler(cpu).store(0, ordering: .sequentiallyConsistent)
    }
}
