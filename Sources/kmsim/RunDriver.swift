import ArgumentParser
import Dispatch
import Foundation
import KMSim

/// Runs a workload for `kmsim run` and `kmsim stress`: boots the runner, draws the progress line, prints
/// the terminal report, writes `--json` and `--proc-dir`, and exits with the run's status (0 completed,
/// 1 invariant violated or `--fail-on-bug` with BUG reports, 3 the simulated kernel panicked; bad input
/// exits 2 before anything runs).
enum RunDriver {
    static func run(_ spec: WorkloadSpec, options runOptions: RunOptions, output: RunOutputOptions) throws {
        var options = runOptions
        options.check = output.check
        if let clock = output.clock { options.clock = clock }
        options.injectInvariantViolation = output.injectInvariantViolation
        if let text = output.compactEvery {
            guard let seconds = TimeSpan.parseDuration(text), seconds >= 0.001 && seconds <= 1e6 else {
                throw CLIError.badInput("--compact-every: found '\(text)', expected a duration from 1ms to 1000000s (\(TimeSpan.expected()))")
            }
            options.compactEverySeconds = seconds
        }
        do {
            if let text = output.failslab { options.failslab = try FaultBootOption.parse(text, option: "--failslab") }
            if let text = output.failPageAlloc {
                options.failPageAlloc = try FaultBootOption.parse(text, option: "--fail-page-alloc")
            }
        } catch {
            throw CLIError.badInput(error.description)
        }
        try output.applySampling(to: &options)
        try output.applyTrace(to: &options)
        let terminal = isatty(1) == 1
        if !output.quiet { options.progressInterval = terminal ? 0.25 : 5 }
        let runner: WorkloadRunner
        do {
            runner = try WorkloadRunner(spec: spec, options: options)
        } catch {
            throw CLIError.badInput("cannot boot the machine: \(error)")
        }
        let quiet = output.quiet
        let finished = blocking {
            await runner.run { progress in
                guard !quiet else { return }
                if terminal {
                    FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + progress.line).utf8))
                } else {
                    FileHandle.standardOutput.write(Data((progress.line + "\n").utf8))
                }
            }
        }
        guard let result = finished else { throw ExitCode.failure }
        if terminal && !quiet { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
        print(result.report.text)
        if output.dmesg {
            let log = runner.machine.bugReports.renderLog()
            if log.isEmpty {
                print("kernel log: empty")
            } else {
                print("kernel log:\n" + log, terminator: "")
            }
        }
        if let path = output.jsonFile { try writeJSON(result.report, to: path) }
        if let path = output.htmlFile {
            do {
                try Data(HTMLReport.render(result).utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw CLIError.badInput("cannot write --html \(path): \(error.localizedDescription)")
            }
        }
        if let path = output.traceFile { try writeTrace(runner.perfettoTrace(result.report), runner: runner, to: path) }
        if let directory = output.latencyHistograms {
            do {
                try LatencyHistogramFiles.write(result, to: URL(fileURLWithPath: directory))
            } catch {
                throw CLIError.badInput("cannot write --latency-histograms \(directory): \(error.localizedDescription)")
            }
        }
        if let directory = output.procDirectory {
            do {
                try ProcFS.writeRunFiles(to: URL(fileURLWithPath: directory), machine: runner.machine)
            } catch {
                throw CLIError.badInput("cannot write --proc-dir \(directory): \(error.localizedDescription)")
            }
        }
        let status = result.exitStatus(failOnBug: output.failOnBug)
        if status != 0 { throw ExitCode(status) }
    }

    /// Writes the report with sorted keys, to standard output for "-".
    static func writeJSON(_ report: RunReport, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(report)
        if path == "-" {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        do {
            try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.badInput("cannot write --json \(path): \(error.localizedDescription)")
        }
    }

    /// Writes a Perfetto trace, warning for each cap that left events out (from when, and what
    /// `--duration` would fit).
    static func writeTrace(_ trace: PerfettoTrace.Encoded, runner: WorkloadRunner, to path: String) throws {
        do {
            try Data(trace.bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.badInput("cannot write --trace \(path): \(error.localizedDescription)")
        }
        let dropped = runner.machine.pageAllocator.eventLog.dropped
        for warning in dropped.warnings(capacity: runner.options.traceCapacity,
                                        fastPathCapacity: runner.options.traceFastPathCapacity,
                                        lanes: max(0, trace.dropped - dropped.total)) {
            printWarning(warning)
        }
    }

    /// Runs async work to completion from the synchronous command entry point.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value
    }
}

/// Carries a result out of the task `RunDriver.blocking` waits for. `@unchecked Sendable`: written once
/// by that task before it signals the semaphore, read after the wait returns.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
