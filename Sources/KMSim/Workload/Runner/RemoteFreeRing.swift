import Atomics

/// A bounded single-producer single-consumer ring of objects one CPU side hands to another CPU to free:
/// the runner's stand-in for an object travelling between CPUs (larson's inherited chunk arrays, an skb
/// steered by RPS), so the consumer's `kfree` runs on the consumer's CPU and SLUB takes its remote-free
/// path there.
///
/// One ring per (producing side, consuming CPU) pair (`RemoteFreeMailboxes`), so no two producers or
/// consumers share a ring and no lock is taken: the producer publishes a slot with a releasing store of
/// `tail`, the consumer takes it after an acquiring load, and returns the slot with a releasing store of
/// `head`. `head` and `tail` live 128 bytes apart so the two CPUs do not bounce one cache line.
/// `@unchecked Sendable`: slots are plain memory whose ownership passes through those
/// acquire/release pairs; the producer is one serial queue (a CPU's process side or IRQ side) and the
/// consumer is one serial queue (the target CPU's process side).
final class RemoteFreeRing: @unchecked Sendable {
    let capacity: Int
    private let mask: Int
    private let slots: UnsafeMutablePointer<RemoteObject>
    private let indices: UnsafeMutableRawPointer
    private let head: UnsafeAtomic<Int>
    private let tail: UnsafeAtomic<Int>

    /// A ring of `capacity` (rounded up to a power of two) objects.
    init(capacity: Int) {
        var size = 1
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        slots = .allocate(capacity: size)
        slots.initialize(repeating: .empty, count: size)
        indices = .allocate(byteCount: 256, alignment: 128)
        let headCell = indices.bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        let tailCell = (indices + 128).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        headCell.initialize(to: UnsafeAtomic<Int>.Storage(0))
        tailCell.initialize(to: UnsafeAtomic<Int>.Storage(0))
        head = UnsafeAtomic(at: headCell)
        tail = UnsafeAtomic(at: tailCell)
    }

    deinit {
        slots.deallocate()
        indices.deallocate()
    }

    /// Producer: queues `object`; false when the ring is full (the caller frees it locally instead).
    @inline(__always)
    func push(_ object: RemoteObject) -> Bool {
        let t = tail.load(ordering: .relaxed)
        guard t - head.load(ordering: .acquiring) < capacity else { return false }
        slots[t & mask] = object
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Consumer: the oldest queued object, or nil when the ring is empty.
    @inline(__always)
    func pop() -> RemoteObject? {
        let h = head.load(ordering: .relaxed)
        guard h != tail.load(ordering: .acquiring) else { return nil }
        let object = slots[h & mask]
        head.store(h + 1, ordering: .releasing)
        return object
    }
}
