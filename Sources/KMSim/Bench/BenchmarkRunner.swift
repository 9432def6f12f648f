import Atomics
import Foundation

/// Runs benchmarks: for each round, the subject then the baseline, each on its threads released
/// together, timed from the release until the last thread finishes; reports the medians.
public struct BenchmarkRunner: Sendable {
    public var rounds: Int
    public var iterations: Int

    public init(rounds: Int = 7, iterations: Int = 500_000) {
        self.rounds = max(1, rounds)
        self.iterations = max(1, iterations)
    }

    /// Runs one benchmark; throws what its setup throws.
    public func run(_ benchmark: Benchmark) throws -> BenchmarkResult {
        var subject: [Double] = []
        var baseline: [Double] = []
        // One untimed warm-up of each (page faults in the arena, malloc's arenas, lazy binding).
        _ = time(try benchmark.makeSubject(), threads: benchmark.threads, iterations: iterations / 10 + 1)
        _ = time(try benchmark.makeBaseline(), threads: benchmark.threads, iterations: iterations / 10 + 1)
        for _ in 0..<rounds {
            subject.append(time(try benchmark.makeSubject(), threads: benchmark.threads, iterations: iterations))
            baseline.append(time(try benchmark.makeBaseline(), threads: benchmark.threads, iterations: iterations))
        }
        let ns = Self.median(subject)
        let base = Self.median(baseline)
        return BenchmarkResult(name: benchmark.name, nsPerOp: ns, baselineNsPerOp: base, ratio: base > 0 ? ns / base : 0)
    }

    /// Nanoseconds per operation of one round.
    func time(_ loop: BenchmarkLoop, threads: Int, iterations: Int) -> Double {
        if threads == 1 {
            let start = DispatchTime.now().uptimeNanoseconds
            loop.run(0, iterations)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
        }
        let ready = ManagedAtomic<Int>(0)
        let go = ManagedAtomic<Bool>(false)
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            Thread {
                ready.wrappingIncrement(ordering: .relaxed)
                while !go.load(ordering: .acquiring) {}
                loop.run(thread, iterations)
                group.leave()
            }.start()
        }
        while ready.load(ordering: .relaxed) < threads {}
        let start = DispatchTime.now().uptimeNanoseconds
        go.store(true, ordering: .releasing)
        group.wait()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
