import ArgumentParser
import Foundation
import KMSim

/// `kmsim run [NAME|FILE]`: runs a bundled workload or a workload file.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workload (bundled name or YAML file) and report in the kernel's terms.",
        discussion: """
            Without an argument runs atomic-vs-sleeping. NAME is a bundled workload (see `kmsim workloads`), \
            found from any directory; FILE is a path to a workload YAML file (format: README.md, "Workload files"). \
            A file with errors prints every error as FILE:LINE:COLUMN and exits 2 without running.

            Exit status: 0 the run completed (BUG reports the workload provokes on purpose are results), \
            1 kmsim found a violated invariant in its own state (or --fail-on-bug and BUG reports were made), \
            2 bad input, 3 the simulated kernel panicked (the run stopped there; the report names the panic).

            Examples:
              kmsim run
              kmsim run larson --duration 2s --json larson.json
              kmsim run my-workload.yaml --check --proc-dir /tmp/kmsim-proc
            """
    )

    @Argument(help: "A bundled workload name or a workload file.")
    var workload: String?

    @Option(help: "Override the workload's duration: 500ms, 4s, 2m.")
    var duration: String?

    @Option(help: "Override the workload's seed.")
    var seed: UInt64?

    @Flag(name: .customLong("measure-overhead"), help: "Measure the runner's overhead over the bare kmalloc/kfree calls of the first task group (all frees local), instead of a normal run. The runner side samples the timeline as --sample-every says (default 10ms) and records the trace events with --trace (and --trace-all); no file is written.")
    var measureOverhead = false

    @OptionGroup var output: RunOutputOptions

    func run() throws {
        var options = RunOptions()
        if let duration {
            guard let seconds = TimeSpan.parseDuration(duration) else {
                throw CLIError.badInput("--duration: found '\(duration)', expected \(TimeSpan.expected())")
            }
            options.durationSeconds = seconds
        }
        options.seed = seed
        let parsed: ParsedWorkload
        do {
            parsed = try BundledWorkloads.resolve(workload)
        } catch {
            for warning in error.warnings { printWarning(warning.description) }
            for diagnostic in error.errors { printError(diagnostic.description) }
            throw ExitCode(2)
        }
        for warning in parsed.warnings { printWarning(warning.description) }
        if measureOverhead {
            let seconds = options.durationSeconds ?? 3
            let spec = parsed.spec
            try output.applySampling(to: &options)
            try output.applyTrace(to: &options)
            let runnerOptions = options
            let measured = RunDriver.blocking { () -> Result<RunnerOverhead.Result, any Error> in
                do {
                    return .success(try await RunnerOverhead.measure(spec: spec, seconds: seconds, options: runnerOptions))
                } catch {
                    return .failure(error)
                }
            }
            let result: RunnerOverhead.Result
            switch measured {
            case .success(let value)?: result = value
            case .failure(let error as RunnerOverhead.Unmeasurable)?: throw CLIError.badInput(error.description)
            case .failure(let error)?: throw CLIError.badInput("cannot boot the machine of \(spec.name): \(error)")
            case nil: throw ExitCode.failure
            }
            print(String(format: "runner.overhead %@: runner %.0f ops/s, bare calls %.0f ops/s (medians of %d pairs), overhead %.1f %% (runner side: %@)",
                         spec.name, result.runnerOpsPerSecond, result.rawOpsPerSecond, result.pairs, result.overheadPercent,
                         result.settings))
            if result.sampleEverySeconds != nil {
                print(String(format: "runner.sampling %@: %d samples a round, %.1f us of host CPU a sample, %.3f %% of one host core",
                             spec.name, result.samplesPerRound, result.sampleCostNs / 1000, result.samplingCorePercent))
            }
            if result.runnerFailures > 0 || result.bareFailures > 0 {
                printWarning("\(result.runnerFailures) of the runner's and \(result.bareFailures) of the bare loop's kmalloc calls failed: "
                             + "\(spec.name) runs out of memory, so the runner's allocations wait in reclaim while the bare loop's fail "
                             + "at once, and the ratio is not the runner's overhead")
            }
            return
        }
        try RunDriver.run(parsed.spec, options: options, output: output)
    }
}
