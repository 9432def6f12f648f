import Atomics
import Dispatch
import Foundation
import KMSim

/// SLUB's benchmarks: the kmalloc/kfree and kmem_cache pairs on one CPU (two double-word
/// compare-and-swaps per pair, the floor here being about 1.7× glibc's pair), and a producer/consumer
/// pair of CPUs where every free is a remote free.
enum SlabBenchmarks {
    static let all: [Benchmark] = [
        Benchmark(name: "kmalloc64", operation: "kmalloc(64, GFP_KERNEL) + kfree on one CPU; baseline malloc(64) + free",
                  kmsim: kmallocPair, baseline: mallocPair, target: 2.0),
        Benchmark(name: "kmem_cache64", operation: "kmem_cache_alloc + kmem_cache_free of a 64-byte cache; baseline malloc(64) + free",
                  kmsim: kmemCachePair, baseline: mallocPair, target: 2.0),
        Benchmark(name: "kmalloc64.producer-consumer.2cpu",
                  operation: "CPU 0 kmallocs 64 bytes, CPU 1 kfrees them (SPSC ring); baseline the same with malloc/free",
                  kmsim: kmallocProducerConsumer, baseline: mallocProducerConsumer, target: 2.0),
    ]

    /// A machine small enough to boot fast: one node, two CPUs, 256 MiB.
    static func bootMachine() throws -> Machine {
        try Machine(spec: MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: 256 << 20))
    }

    static func elapsed(_ body: () -> Void) -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return DispatchTime.now().uptimeNanoseconds - start
    }

    @Sendable static func kmallocPair(_ iterations: Int) throws -> UInt64 {
        let machine = try bootMachine()
        let slab = machine.slab
        let context = ExecutionContext.task(cpu: 0)
        return elapsed {
            for _ in 0..<iterations {
                let object = slab.kmalloc(64, gfp: .kernel, context: context)
                blackHole(object)
                slab.kfree(object, context: context)
            }
        }
    }

    @Sendable static func kmemCachePair(_ iterations: Int) throws -> UInt64 {
        let machine = try bootMachine()
        guard let cache = machine.slab.kmemCacheCreate(name: "bench-64", size: 64) else {
            throw CLIError.badInput("cannot create the benchmark cache")
        }
        let context = ExecutionContext.task(cpu: 0)
        return elapsed {
            for _ in 0..<iterations {
                let object = cache.alloc(gfp: .kernel, context: context)
                blackHole(object)
                cache.free(object, context: context)
            }
        }
    }

    @Sendable static func mallocPair(_ iterations: Int) -> UInt64 {
        elapsed {
            for _ in 0..<iterations {
                let object = malloc(64)
                blackHole(object)
                free(object)
            }
        }
    }

    @Sendable static func kmallocProducerConsumer(_ iterations: Int) throws -> UInt64 {
        let machine = try bootMachine()
        let slab = machine.slab
        return producerConsumer(iterations,
                                produce: { slab.kmalloc(64, gfp: .kernel, context: .task(cpu: 0)) },
                                consume: { slab.kfree($0, context: .task(cpu: 1)) })
    }

    @Sendable static func mallocProducerConsumer(_ iterations: Int) -> UInt64 {
        producerConsumer(iterations, produce: { malloc(64) }, consume: { free($0) })
    }

    /// One thread produces `iterations` pointers into a lock-free single-producer single-consumer ring,
    /// another consumes them; the time from start to the last consumption.
    static func producerConsumer(_ iterations: Int, produce: @escaping @Sendable () -> UnsafeMutableRawPointer?,
                                 consume: @escaping @Sendable (UnsafeMutableRawPointer?) -> Void) -> UInt64 {
        let ring = PointerRing(capacity: 1024)
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        group.enter()
        Thread {
            for _ in 0..<iterations {
                let object = produce()
                while !ring.push(UInt(bitPattern: object)) {}
            }
            group.leave()
        }.start()
        group.enter()
        Thread {
            for _ in 0..<iterations {
                var value: UInt? = nil
                while value == nil { value = ring.pop() }
                consume(UnsafeMutableRawPointer(bitPattern: value ?? 0))
            }
            group.leave()
        }.start()
        group.wait()
        return DispatchTime.now().uptimeNanoseconds - start
    }
}

/// A single-producer single-consumer ring of addresses; head and tail on their own cache lines.
final class PointerRing: @unchecked Sendable {
    let slots: UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>
    let capacity: Int
    let head = ManagedAtomic<Int>(0)
    let padding = [UInt8](repeating: 0, count: 128)
    let tail = ManagedAtomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
        slots = UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>.allocate(capacity: capacity)
        slots.initialize(repeating: UnsafeAtomic<UInt>.Storage(0), count: capacity)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    func push(_ value: UInt) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t - head.load(ordering: .acquiring) == capacity { return false }
        UnsafeAtomic<UInt>(at: slots + t % capacity).store(value, ordering: .relaxed)
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    @inline(__always)
    func pop() -> UInt? {
        let h = head.load(ordering: .relaxed)
        if h == tail.load(ordering: .acquiring) { return nil }
        let value = UnsafeAtomic<UInt>(at: slots + h % capacity).load(ordering: .relaxed)
        head.store(h + 1, ordering: .releasing)
        return value
    }
}

/// Keeps the optimiser from deleting an allocation whose result is unused (LLVM removes malloc/free
/// pairs it can see through); costs both sides of a benchmark the same call.
@inline(never)
func blackHole(_ pointer: UnsafeMutableRawPointer?) {
    blackHoleSink.store(UInt(bitPattern: pointer), ordering: .relaxed)
}

let blackHoleSink = ManagedAtomic<UInt>(0)
