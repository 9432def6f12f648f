import Atomics
import Dispatch
import Synchronization
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
        Benchmark(name: "cmpxchg16b.pair",
                  operation: "the floor of an alloc+free pair: two uncontended lock cmpxchg16b; baseline malloc(64) + free",
                  kmsim: doubleWordCASPair, baseline: mallocPair, target: 2.0),
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

    /// Two double-word compare-and-swaps of a per-CPU-like {freelist, tid} pair per iteration, what the
    /// SLUB fast paths cannot go below here.
    @Sendable static func doubleWordCASPair(_ iterations: Int) -> UInt64 {
        let pair = DoubleWordCell()
        return elapsed {
            for index in 0..<iterations {
                let tid = UInt(truncatingIfNeeded: index) &* 4
                _ = pair.word.compareExchange(expected: WordPair(first: 0, second: tid),
                                              desired: WordPair(first: 1, second: tid &+ 2),
                                              ordering: .acquiringAndReleasing)
                _ = pair.word.compareExchange(expected: WordPair(first: 1, second: tid &+ 2),
                                              desired: WordPair(first: 0, second: tid &+ 4),
                                              ordering: .acquiringAndReleasing)
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
        let producer = ExecutionContext.task(cpu: 0)
        let consumer = ExecutionContext.task(cpu: 1)
        return producerConsumer(iterations,
                                produce: { slab.kmalloc(64, gfp: .kernel, context: producer) },
                                consume: { slab.kfree($0, context: consumer) })
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
                while !ring.push(UInt(bitPattern: object)) { sched_yield() }
            }
            group.leave()
        }.start()
        group.enter()
        Thread {
            for _ in 0..<iterations {
                var value: UInt? = nil
                while true {
                    value = ring.pop()
                    if value != nil { break }
                    sched_yield()
                }
                consume(UnsafeMutableRawPointer(bitPattern: value ?? 0))
            }
            group.leave()
        }.start()
        group.wait()
        return DispatchTime.now().uptimeNanoseconds - start
    }
}

/// A single-producer single-consumer ring of addresses: `head` and `tail` on cache lines of their own
/// (128-byte aligned raw memory), the slots after them; all accesses through `UnsafeAtomic`. The
/// producer's releasing store of `tail` publishes a slot, the consumer's releasing store of `head`
/// returns it. Immutable pointers, freed in `deinit`, hence `@unchecked Sendable`.
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
}

/// One `Atomic<WordPair>` in a class of its own (the floor benchmark's cell).
final class DoubleWordCell: Sendable {
    let word = Atomic(WordPair(first: 0, second: 0))
}

/// Keeps the optimiser from deleting an allocation whose result is unused (LLVM removes malloc/free
/// pairs it can see through); costs both sides of a benchmark the same call.
@inline(never)
func blackHole(_ pointer: UnsafeMutableRawPointer?) {
    blackHoleSink.store(UInt(bitPattern: pointer), ordering: .relaxed)
}

let blackHoleSink = Atomic<UInt>(0)
