import ArgumentParser
import Foundation
import KMSim

/// `kmsim bench`: runs the registered microbenchmarks in-process, each beside its glibc baseline measured
/// in the same run, and prints ns/op, the baseline's ns/op and their ratio (medians over the rounds).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run kmsim's microbenchmarks against glibc malloc/free baselines."
    )

    @Option(name: .long, help: "Run only benchmarks whose name starts with or contains this text.")
    var filter: String?

    @Option(name: .long, help: "Also write the results as JSON to this file.")
    var json: String?

    @Option(name: .long, help: "Timed rounds per benchmark; the median is reported.")
    var rounds: Int = 7

    @Option(name: .long, help: "Operations per thread in each round.")
    var iterations: Int = 500_000

    @Flag(name: .long, help: "List the benchmarks and exit.")
    var list = false

    func run() throws {
        guard rounds >= 1 else { throw CLIError.badInput("--rounds must be at least 1, got \(rounds)") }
        guard iterations >= 1 else { throw CLIError.badInput("--iterations must be at least 1, got \(iterations)") }
        let benchmarks = BenchmarkRegistry.matching(filter)
        guard !benchmarks.isEmpty else {
            let names = BenchmarkRegistry.all.map(\.name).joined(separator: ", ")
            throw CLIError.badInput("no benchmark matches '\(filter ?? "")'; known: \(names)")
        }
        if list {
            for benchmark in benchmarks { print("\(benchmark.name)  \(benchmark.summary)") }
            return
        }
        let runner = BenchmarkRunner(rounds: rounds, iterations: iterations)
        print("\("benchmark".padding(toLength: 22, withPad: " ", startingAt: 0)) \("ns/op".leftPadded(10)) \("glibc ns/op".leftPadded(12)) \("ratio".leftPadded(7))")
        var results: [BenchmarkResult] = []
        for benchmark in benchmarks {
            let result: BenchmarkResult
            do { result = try runner.run(benchmark) } catch {
                throw CLIError.badInput("\(benchmark.name): could not set up: \(error)")
            }
            results.append(result)
            print("\(result.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%10.1f", result.nsPerOp)) \(String(format: "%12.1f", result.baselineNsPerOp)) \(String(format: "%6.2fx", result.ratio))")
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try encoder.encode(results).write(to: URL(fileURLWithPath: json))
            } catch {
                throw CLIError.badInput("cannot write \(json): \(error.localizedDescription)")
            }
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
