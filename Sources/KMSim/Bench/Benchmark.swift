/// One named microbenchmark of `kmsim bench`: a body measured against a glibc baseline doing the same
/// kind of work, both on `threads` host threads at once.
///
/// `makeSubject` and `makeBaseline` build fresh state for a round (a booted machine, say) and return
/// the loop to time: `run(thread, iterations)` performs `iterations` operations on host thread `thread`
/// (0..<threads), so the timed loop is one closure call per thread per round, not per operation.
/// Subsystems register theirs by adding a `[Benchmark]` to `BenchmarkRegistry.all`.
public struct Benchmark: Sendable {
    public let name: String
    /// One line on what is measured and what the baseline is.
    public let summary: String
    public let threads: Int
    public let makeSubject: @Sendable () throws -> BenchmarkLoop
    public let makeBaseline: @Sendable () throws -> BenchmarkLoop

    public init(name: String, summary: String, threads: Int = 1,
                subject: @escaping @Sendable () throws -> BenchmarkLoop,
                baseline: @escaping @Sendable () throws -> BenchmarkLoop) {
        self.name = name
        self.summary = summary
        self.threads = threads
        self.makeSubject = subject
        self.makeBaseline = baseline
    }
}

/// The timed loop of one round; the closure keeps whatever state it captured alive.
public struct BenchmarkLoop: Sendable {
    public let run: @Sendable (_ thread: Int, _ iterations: Int) -> Void

    public init(_ run: @escaping @Sendable (_ thread: Int, _ iterations: Int) -> Void) {
        self.run = run
    }
}

/// The result of one benchmark: medians over the rounds, nanoseconds per operation per thread.
public struct BenchmarkResult: Sendable, Codable, Equatable {
    public var name: String
    public var nsPerOp: Double
    public var baselineNsPerOp: Double
    public var ratio: Double
}
