import Glibc

/// How code that is not handed the clock finds it.
///
/// - `booting`: a task-local set while a machine is built for the virtual clock
///   (`VirtualClock.$booting.withValue(clock) { try Machine(...) }`). Executors, spin locks and
///   allocators read it once in their `init` and keep it, so their hot paths test a stored optional (a
///   value fixed at boot) and never look anything up.
/// - `current`: a thread-local naming the clock whose loop runs on this thread, for the slow paths that
///   have no allocator object at hand (`scheduleTimeout`, wait-queue timeouts, the warning rate limit).
extension VirtualClock {
    /// The clock the machine being built runs on (nil: the real engine).
    @TaskLocal public static var booting: VirtualClock?

    private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The clock whose loop runs on the calling thread, if any.
    public static var current: VirtualClock? {
        guard let raw = pthread_getspecific(currentKey) else { return nil }
        return Unmanaged<VirtualClock>.fromOpaque(raw).takeUnretainedValue()
    }

    static func setCurrent(_ clock: VirtualClock?) {
        pthread_setspecific(currentKey, clock.map { Unmanaged.passUnretained($0).toOpaque() })
    }

    /// Nanoseconds on the running clock when called from a virtual loop, else the host's monotonic clock
    /// (for time that only rate-limits or ages things: warnings, slab tracks).
    static func nowOrHost() -> Int64 {
        if let clock = current { return clock.now }
        return LockStatClock.now()
    }
}
