import CNuma
import Glibc

/// Per-host-thread state kept in POSIX thread-local storage: which host node the thread is bound to and
/// which side of which simulated CPU it is running right now.
///
/// Dispatch reuses its worker threads across queues, so a thread that ran CPU 0's work may next run CPU 5's.
/// Each work item therefore checks the thread's binding (one `pthread_getspecific`, a few nanoseconds) and
/// calls libnuma only when the thread is bound elsewhere, the way the kernel's per-CPU kthreads are bound
/// once with `kthread_bind()` and then run without further affinity calls.
enum HostThreadState {
    /// Host node + 1 the thread was last bound to; 0 (nil) means never bound by kmsim.
    static let boundNodeKey: pthread_key_t = makeKey()
    /// `CPUSide.rawValue + 1` of the side currently running on this thread; 0 means none.
    static let sideKey: pthread_key_t = makeKey()

    private static func makeKey() -> pthread_key_t {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }

    /// The host node this thread was bound to by kmsim, if any.
    static var boundHostNode: Int? {
        guard let raw = pthread_getspecific(boundNodeKey) else { return nil }
        return Int(bitPattern: raw) - 1
    }

    /// Binds the calling thread to `hostNode`'s CPUs unless it is bound there already. A refused binding
    /// (NUMA unavailable) is remembered too, so the work item does not retry libnuma every time.
    @inline(__always)
    static func ensureBound(toHostNode hostNode: Int) {
        if Int(bitPattern: pthread_getspecific(boundNodeKey)) == hostNode + 1 { return }
        HostPinning.bindCurrentThread(toHostNode: hostNode)
        pthread_setspecific(boundNodeKey, UnsafeRawPointer(bitPattern: hostNode + 1))
    }

    /// The simulated CPU side the calling thread is running, or nil outside kmsim's CPU queues.
    static var currentSide: CPUSide? {
        let raw = Int(bitPattern: pthread_getspecific(sideKey))
        return raw == 0 ? nil : CPUSide(rawValue: raw - 1)
    }

    /// Marks the calling thread as running `side` until `body` returns, restoring the previous marker.
    @inline(__always)
    static func running<R>(_ side: CPUSide, hostNode: Int, _ body: () throws -> R) rethrows -> R {
        ensureBound(toHostNode: hostNode)
        let previous = pthread_getspecific(sideKey)
        pthread_setspecific(sideKey, UnsafeRawPointer(bitPattern: side.rawValue + 1))
        defer { pthread_setspecific(sideKey, previous) }
        return try body()
    }

    /// Marks the calling thread as running the side packed in `raw` (`CPUSide.rawValue + 1`, 0 for none)
    /// without binding it: the virtual clock's loop thread runs every CPU's events and stays where it is.
    @inline(__always)
    static func markSide(raw: Int) {
        pthread_setspecific(sideKey, UnsafeRawPointer(bitPattern: raw))
    }
}
