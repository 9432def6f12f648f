import Glibc

extension BenchmarkLoop {
    /// The loop of a two-thread producer/consumer round: thread 0 produces `iterations` pointers and
    /// hands them over an `SPSCRing`, thread 1 consumes as many (yielding the host CPU while the ring
    /// is full or empty).
    static func producerConsumer(produce: @escaping @Sendable () -> UnsafeMutableRawPointer?,
                                 consume: @escaping @Sendable (UnsafeMutableRawPointer?) -> Void) -> BenchmarkLoop {
        let ring = SPSCRing<UInt>(capacity: 1024)
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
