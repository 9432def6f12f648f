import Atomics
import CKMSimShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounded exponential backoff for a spinning waiter.
///
/// The kernel's qspinlock queues waiters (MCS) so each spins on its own cache line; kmsim's lock is a
/// plain test-and-test-and-set, so waiters back off instead: after each failed look they poll the lock
/// word 1, 2, 4, … up to `maxPolls` times before looking again, which keeps a crowd of waiters from
/// all trying the compare-and-swap the moment the lock is released.
///
/// Polling is done with relaxed loads, which only read the shared cache line, each followed by the
/// `cpu_relax()` pause (`kmsim_cpu_relax()` in the CKMSimShims C module). Once the backoff
/// has reached its bound, each further round also calls `sched_yield()`: simulated CPUs are host threads
/// that the host may preempt while they hold a lock (the kernel prevents that with preempt_disable), and
/// yielding lets the holder's thread run on an oversubscribed host. A yield is not a sleep: the waiter
/// stays runnable and keeps spinning.
struct SpinBackoff {
    static let maxPolls = 64

    private var polls = 1

    /// Waits one backoff round by polling `word`, then doubles the next round up to the bound.
    @inline(__always)
    mutating func wait(on word: UnsafeAtomic<UInt64>) {
        for _ in 0..<polls {
            _ = word.load(ordering: .relaxed)
            kmsim_cpu_relax()
        }
        if polls < Self.maxPolls {
            polls &*= 2
        } else {
            sched_yield()
        }
    }
}
