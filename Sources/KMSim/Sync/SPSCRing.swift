import Atomics

/// A bounded single-producer single-consumer ring: how one serial context hands values to another
/// without a lock. The runner's remote frees use it (an object travelling from one CPU side to the CPU
/// that frees it, as larson's chunk arrays or an RPS-steered skb do), and so do the producer/consumer
/// benchmarks (an address from the allocating thread to the freeing one).
///
/// The producer publishes a slot with a releasing store of `tail`, the consumer takes it after an
/// acquiring load and returns the slot with a releasing store of `head`; `head` and `tail` live 128 bytes
/// apart so the two sides do not bounce one cache line. `@unchecked Sendable`: the slots are plain memory
/// whose ownership passes through those acquire/release pairs, which is only sound with exactly one
/// producer and one consumer at a time — every user documents which serial context is which.
final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    let capacity: Int
    private let mask: Int
    private let slots: UnsafeMutablePointer<Element>
    private let indices: UnsafeMutableRawPointer
    private let head: UnsafeAtomic<Int>
    private let tail: UnsafeAtomic<Int>

    /// A ring of `capacity` (rounded up to a power of two) elements.
    init(capacity: Int) {
        var size = 1
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        slots = .allocate(capacity: size)
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

    /// Producer: queues `element`; false when the ring is full.
    @inline(__always)
    func push(_ element: Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        guard t - head.load(ordering: .acquiring) < capacity else { return false }
        (slots + (t & mask)).initialize(to: element)
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Consumer: the oldest queued element, or nil when the ring is empty.
    @inline(__always)
    func pop() -> Element? {
        let h = head.load(ordering: .relaxed)
        guard h != tail.load(ordering: .acquiring) else { return nil }
        let element = slots[h & mask]
        head.store(h + 1, ordering: .releasing)
        return element
    }
}
