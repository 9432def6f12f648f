import ArgumentParser
import Foundation
import KMSim

/// One benchmark of `kmsim bench`: kmsim's operation and its glibc baseline, measured in the same run.
struct Benchmark: Sendable {
    /// The name `--filter` matches, e.g. `kmalloc64`.
    let name: String
    /// What one operation is, for the report.
    let operation: String
    /// Runs `iterations` operations of kmsim's side and returns the elapsed nanoseconds.
    let kmsim: @Sendable (_ iterations: Int) throws -> UInt64
    /// Runs `iterations` operations of the baseline and returns the elapsed nanoseconds.
    let baseline: @Sendable (_ iterations: Int) -> UInt64
    /// The ratio this benchmark should stay under.
    let target: Double
}

/// Every benchmark `kmsim bench` knows; subsystems add theirs here.
enum BenchRegistry {
    static let all: [Benchmark] = SlabBenchmarks.all
}

/// One benchmark's result.
struct BenchResult: Encodable {
    let name: String
    let operation: String
    let iterations: Int
    let kmsimNanosecondsPerOp: Double
    let baselineNanosecondsPerOp: Double
    let ratio: Double
    let target: Double
    let withinTarget: Bool
}

/// `kmsim bench`: runs the benchmarks (release builds only make sense) and prints each next to its
/// baseline as nanoseconds per operation and a ratio. Each side runs `--repeats` times after a warm-up;
/// the fastest run counts, so noise from the shared host inflates neither side.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kmsim's allocators against glibc malloc/free in the same run, as ratios."
    )

    @Option(help: "Run only benchmarks whose name contains this text.")
    var filter: String?

    @Option(help: "Operations per run.")
    var iterations = 2_000_000

    @Option(help: "Runs per side; the fastest counts.")
    var repeats = 5

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard iterations > 0, repeats > 0 else { throw CLIError.badInput("--iterations and --repeats must be positive") }
        let selected = BenchRegistry.all.filter { filter == nil || $0.name.contains(filter ?? "") }
        guard !selected.isEmpty else {
            throw CLIError.badInput("no benchmark matches '\(filter ?? "")'; known: \(BenchRegistry.all.map(\.name).joined(separator: ", "))")
        }
        var results: [BenchResult] = []
        for benchmark in selected {
            _ = try benchmark.kmsim(iterations / 10)
            _ = benchmark.baseline(iterations / 10)
            var kmsimBest = UInt64.max
            var baselineBest = UInt64.max
            for _ in 0..<repeats {
                kmsimBest = min(kmsimBest, try benchmark.kmsim(iterations))
                baselineBest = min(baselineBest, benchmark.baseline(iterations))
            }
            let kmsimPerOp = Double(kmsimBest) / Double(iterations)
            let baselinePerOp = Double(baselineBest) / Double(iterations)
            let ratio = kmsimPerOp / baselinePerOp
            results.append(BenchResult(name: benchmark.name, operation: benchmark.operation, iterations: iterations,
                                       kmsimNanosecondsPerOp: kmsimPerOp, baselineNanosecondsPerOp: baselinePerOp,
                                       ratio: ratio, target: benchmark.target, withinTarget: ratio <= benchmark.target))
        }
        if json {
            try printJSON(results)
            return
        }
        print("benchmark                          kmsim ns/op  baseline ns/op   ratio  target")
        for result in results {
            let name = result.name.padding(toLength: 34, withPad: " ", startingAt: 0)
            print(name + String(format: " %11.2f %15.2f %7.2fx  ≤%.1fx%@", result.kmsimNanosecondsPerOp,
                                result.baselineNanosecondsPerOp, result.ratio, result.target,
                                result.withinTarget ? "" : "  (over)"))
        }
    }
}
