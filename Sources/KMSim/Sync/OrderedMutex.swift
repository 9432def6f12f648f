import Synchronization

/// A `Synchronization.Mutex` whose critical sections ThreadSanitizer can see ordered.
///
/// On Linux, `Mutex`'s lock and unlock are futex operations inside the standard library, which is not
/// built with TSan instrumentation, so TSan sees no happens-before between two critical sections on
/// different threads and reports races on the protected value that cannot happen. Each critical section
/// here starts with an acquiring load of a handoff word and ends with a releasing increment of it: the
/// edge TSan needs, at the cost of one uncontended atomic on a line the lock holder already owns.
public final class OrderedMutex<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>
    private let handoff = Atomic<UInt>(0)

    public init(_ value: consuming sending Value) {
        mutex = Mutex(value)
    }

    /// `Mutex.withLock`, ordered for TSan.
    public func withLock<Result, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            _ = handoff.load(ordering: .acquiring)
            defer { handoff.add(1, ordering: .releasing) }
            return try body(&value)
        }
    }

    /// `Mutex.withLockIfAvailable`, ordered for TSan: runs `body` only when the lock is free at once
    /// (a trylock), nil otherwise.
    public func withLockIfAvailable<Result, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        try mutex.withLockIfAvailable { (value: inout sending Value) throws(E) -> sending Result in
            _ = handoff.load(ordering: .acquiring)
            defer { handoff.add(1, ordering: .releasing) }
            return try body(&value)
        }
    }
}
