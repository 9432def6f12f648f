import Glibc
import Synchronization

/// SLUB's benchmarks: the kmalloc/kfree and kmem_cache pairs on one CPU (two compare-and-swaps of the
/// packed {freelist, tid} word per pair, see `FreelistTid`), the floor those two CAS set on this host,
/// and a producer/consumer pair of CPUs where every free is a remote free (`__slab_free`).
public enum SlabBenchmarks {
    public static var all: [Benchmark] {
        [
            Benchmark(name: "kmalloc64", summary: "kmalloc(64, GFP_KERNEL) + kfree on one CPU vs malloc(64) + free",
                      subject: { try kmallocPair() }, baseline: { GlibcBaselines.mallocFree(size: 64) }),
            Benchmark(name: "kmem_cache64", summary: "kmem_cache_alloc + kmem_cache_free of a 64-byte cache vs malloc(64) + free",
                      subject: { try kmemCachePair() }, baseline: { GlibcBaselines.mallocFree(size: 64) }),
            Benchmark(name: "cmpxchg.pair", summary: "the floor of a SLUB pair: two uncontended lock cmpxchg of a {freelist, tid} word vs malloc(64) + free",
                      subject: { freelistTidCASPair() }, baseline: { GlibcBaselines.mallocFree(size: 64) }),
            Benchmark(name: "kmalloc64.producer-consumer.2cpu",
                      summary: "CPU 0 kmallocs 64 bytes, CPU 1 kfrees them (remote frees) vs the same with malloc/free on 2 threads",
                      threads: 2, subject: { try kmallocProducerConsumer() }, baseline: { mallocProducerConsumer() }),
        ]
    }

    static func kmallocPair() throws -> BenchmarkLoop {
        let machine = try PageAllocBenchmarks.benchMachine()
        return BenchmarkLoop { _, iterations in
            let slab = machine.slab
            let context = ExecutionContext.task(cpu: 0)
            for index in 0..<iterations {
                guard let object = slab.kmalloc(64, gfp: .kernel, context: context) else { continue }
                object.storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                slab.kfree(object, context: context)
            }
        }
    }

    static func kmemCachePair() throws -> BenchmarkLoop {
        let machine = try PageAllocBenchmarks.benchMachine()
        guard let cache = machine.slab.kmemCacheCreate(name: "bench-64", size: 64) else {
            throw BenchmarkSetupError(message: "cannot create the benchmark cache")
        }
        return BenchmarkLoop { _, iterations in
            let context = ExecutionContext.task(cpu: 0)
            for index in 0..<iterations {
                guard let object = cache.alloc(gfp: .kernel, context: context) else { continue }
                object.storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                cache.free(object, context: context)
            }
        }
    }

    /// Two compare-and-swaps of a {freelist, tid} word per iteration, as the SLUB fast paths make them:
    /// what a pair cannot go below on this host.
    static func freelistTidCASPair() -> BenchmarkLoop {
        let cell = FreelistTidCell()
        let packing = FreelistTid(directMapBase: 4096)
        return BenchmarkLoop { _, iterations in
            var word = cell.word.load(ordering: .relaxed)
            for _ in 0..<iterations {
                let taken = packing.word(after: word, object: 4096)
                _ = cell.word.compareExchange(expected: word, desired: taken, ordering: .acquiringAndReleasing)
                word = packing.word(after: taken, object: 0)
                _ = cell.word.compareExchange(expected: taken, desired: word, ordering: .acquiringAndReleasing)
            }
        }
    }

    static func kmallocProducerConsumer() throws -> BenchmarkLoop {
        let machine = try PageAllocBenchmarks.benchMachine()
        let slab = machine.slab
        return BenchmarkLoop.producerConsumer(
            produce: { slab.kmalloc(64, gfp: .kernel, context: .task(cpu: 0)) },
            consume: { slab.kfree($0, context: .task(cpu: 1)) })
    }

    static func mallocProducerConsumer() -> BenchmarkLoop {
        BenchmarkLoop.producerConsumer(produce: { malloc(64) }, consume: { free($0) })
    }
}

/// One {freelist, tid} word in a class of its own (the floor benchmark's cell).
final class FreelistTidCell: Sendable {
    let word = Atomic<UInt64>(0)
}

/// A benchmark whose setup failed (a cache that could not be created, say).
public struct BenchmarkSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
