import Atomics
import Glibc

/// A single-producer single-consumer ring of addresses, the hand-off between the two threads of the
/// producer/consumer benchmarks: `head` and `tail` on cache lines of their own (128-byte aligned raw
/// memory), the slots after them; all accesses through `UnsafeAtomic`. The producer's releasing store of
/// `tail` publishes a slot, the consumer's releasing store of `head` returns it. The pointers never
/// change after `init` and the memory is freed in `deinit`, hence `@unchecked Sendable`.
final class PointerRing: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: 256 + capacity * 8, alignment: 128)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: 256 + capacity * 8)
    }

    deinit { base.deallocate() }

    @inline(__always) var head: UnsafeAtomic<Int> { UnsafeAtomic(at: base.assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self)) }
    @inline(__always) var tail: UnsafeAtomic<Int> { UnsafeAtomic(at: (base + 128).assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self)) }
    @inline(__always) func slot(_ index: Int) -> UnsafeAtomic<UInt> {
        UnsafeAtomic(at: (base + 256 + (index % capacity) * 8).assumingMemoryBound(to: UnsafeAtomic<UInt>.Storage.self))
    }

    @inline(__always)
    func push(_ value: UInt) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t - head.load(ordering: .acquiring) == capacity { return false }
        slot(t).store(value, ordering: .relaxed)
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    @inline(__always)
    func pop() -> UInt? {
        let h = head.load(ordering: .relaxed)
        if h == tail.load(ordering: .acquiring) { return nil }
        let value = slot(h).load(ordering: .relaxed)
        head.store(h + 1, ordering: .releasing)
        return value
    }

    /// Thread 0 produces `iterations` pointers, thread 1 consumes as many: the loop of a two-thread
    /// producer/consumer benchmark round.
    static func producerConsumerLoop(produce: @escaping @Sendable () -> UnsafeMutableRawPointer?,
                                     consume: @escaping @Sendable (UnsafeMutableRawPointer?) -> Void) -> BenchmarkLoop {
        let ring = PointerRing(capacity: 1024)
        return BenchmarkLoop { thread, iterations in
            if thread == 0 {
                for _ in 0..<iterations {
                    let object = produce()
                    while !ring.push(UInt(bitPattern: object)) { sched_yield() }
                }
            } else {
                for _ in 0..<iterations {
                    var value = ring.pop()
                    while value == nil {
                        sched_yield()
                        value = ring.pop()
                    }
                    consume(UnsafeMutableRawPointer(bitPattern: value ?? 0))
                }
            }
        }
    }
}
