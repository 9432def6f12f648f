import ArgumentParser
import Foundation
import KMSim

/// `kmsim sweep`: `kmsim sweep WORKLOAD ...` (the default subcommand, `run`) and `kmsim sweep merge`.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a workload once per value of one or more knobs; merge the parts of a sharded sweep.",
        subcommands: [SweepRunCommand.self, SweepMergeCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

/// `kmsim sweep [run] WORKLOAD`: runs a workload once per combination of knob values and prints one row per run.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workload once per value of one or more knobs (their cross product), one row per run.",
        discussion: """
            WORKLOAD is a bundled name or a file, as for `kmsim run`. Knobs: --cpus (CPUs per node), --nodes, \
            and --set KEY=V1,V2,... for any workload key by its path (machine.minFreeKbytes, reclaim.swappiness, \
            taskGroups.0.tasksPerCPU, costs.pcpHit); several knobs give their cross product, the first varying \
            slowest. Every point is validated like a workload file before anything runs; a bad value names its \
            flag and exits 2. Points run on the virtual clock unless --clock real, each in a child `kmsim run`.

            Exit status: 0 every run completed, 1 a run found a violated invariant (its row is still shown), \
            2 bad input or a run that could not be made.

            Examples:
              kmsim sweep larson --cpus 2,4,8,16 --duration 2ms
              kmsim sweep netrx-irq-storm --set machine.watermarkScaleFactor=10,100,1000 --csv wsf.csv
              kmsim sweep larson --cpus 2,4,8,16 --shard 0/4 --json part0.json
              kmsim sweep merge part0.json part1.json part2.json part3.json --json all.json
            """
    )

    @Argument(help: "A bundled workload name or a workload file.")
    var workload: String

    @Option(help: ArgumentHelp("CPUs per node, one run per value: 1,2,4,8.", valueName: "LIST"))
    var cpus: String?

    @Option(help: ArgumentHelp("NUMA nodes, one run per value: 1,2.", valueName: "LIST"))
    var nodes: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("A workload key by path and its values: machine.minFreeKbytes=8192,65536. Repeatable.", valueName: "KEY=V1,V2,..."))
    var settings: [String] = []

    @Option(help: "Override each run's duration: 200us, 2ms, 1s.")
    var duration: String?

    @Option(help: ArgumentHelp("The engine: virtual (the default for sweeps) or real, in which case each row says how many host cores its run had.", valueName: "virtual|real"))
    var clock: RunClock = .virtual

    @Option(help: "Points run at once, each in its own process (default: the host's cores).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only every N-th point starting at K (0 <= K < N); join the parts with `kmsim sweep merge`.", valueName: "K/N"))
    var shard: String?

    @Option(name: .customLong("json"), help: ArgumentHelp("Write [{point, knobs, report}] to FILE ('-' for standard output).", valueName: "FILE"))
    var jsonFile: String?

    @Option(name: .customLong("csv"), help: ArgumentHelp("Write the table as CSV to FILE ('-' for standard output).", valueName: "FILE"))
    var csvFile: String?

    @Option(name: .customLong("html"), help: ArgumentHelp("Write the table and each column plotted against the first knob as a self-contained HTML page to FILE.", valueName: "FILE"))
    var htmlFile: String?

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func run() throws {
        if let duration {
            guard let seconds = TimeSpan.parse(duration), seconds > 0 else {
                throw CLIError.badInput("--duration: found '\(duration)', expected a duration above zero such as 200us, 2ms or 1s")
            }
        }
        let jobCount = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        guard jobCount >= 1 else { throw CLIError.badInput("--jobs: found \(jobCount), expected at least 1") }
        let selectedShard = try shard.map(Self.parseShard)
        let source: SweepSource
        do {
            let resolved = try SweepSource.resolve(workload)
            source = resolved.0
            for warning in resolved.1.warnings { printWarning(warning.description) }
        } catch {
            for diagnostic in error.errors { printError(diagnostic.description) }
            throw ExitCode(2)
        }
        let plan: SweepPlan
        do {
            var knobs: [SweepKnob] = []
            if let nodes { knobs.append(try SweepKnob.nodes(nodes)) }
            if let cpus { knobs.append(try SweepKnob.cpus(cpus)) }
            for setting in settings { knobs.append(try SweepKnob.set(setting)) }
            plan = try SweepPlan(source: source, knobs: knobs)
        } catch {
            for message in error.messages { printError(message) }
            throw ExitCode(2)
        }
        let points = selectedShard.map { plan.shard($0.index, of: $0.count) } ?? plan.points
        let settings = SweepRunSettings(clock: clock, duration: duration, jobs: jobCount)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-sweep-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError.badInput("cannot create a directory for the runs under \(FileManager.default.temporaryDirectory.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = SweepChildProcess(executable: SweepChildProcess.currentExecutable(), directory: directory)
        let total = points.count
        let quiet = quiet
        let outcome = RunDriver.blocking { () -> Result<SweepExecution.Result, any Error> in
            do {
                return .success(try await SweepExecution.run(points, settings: settings, runner: child.runner) { entry, done in
                    guard !quiet else { return }
                    printToStandardError("[\(done)/\(total)] point \(entry.point) done")
                })
            } catch {
                return .failure(error)
            }
        }
        let result: SweepExecution.Result
        switch outcome {
        case .success(let value)?: result = value
        case .failure(let error as SweepError)?: throw CLIError.badInput(error.description)
        case .failure(let error)?: throw CLIError.badInput("the sweep stopped: \(error)")
        case nil: throw ExitCode.failure
        }
        try SweepOutput.write(result.entries, knobOrder: plan.knobs.map(\.path), jsonFile: jsonFile, csvFile: csvFile,
                              htmlFile: htmlFile)
        if result.exitStatus != 0 {
            printWarning("a run found a violated invariant (see its report's invariants.violations)")
            throw ExitCode(result.exitStatus)
        }
    }

    /// `K/N` with 0 <= K < N.
    static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (0..<count).contains(index) else {
            throw CLIError.badInput("--shard: found '\(text)', expected K/N with 0 <= K < N such as 0/4")
        }
        return (index, count)
    }
}

/// Prints a sweep's table and writes its `--json` and `--csv` files (`sweep` and `sweep merge`).
enum SweepOutput {
    static func write(_ entries: [SweepEntry], knobOrder: [String]?, jsonFile: String?, csvFile: String?,
                      htmlFile: String? = nil) throws {
        let rows: [SweepRow]
        do {
            rows = try entries.map { try SweepRow($0, order: knobOrder) }
        } catch {
            throw CLIError.badInput("a report lacks a figure the table needs: \(error)")
        }
        if jsonFile != "-" && csvFile != "-" { print(SweepTable.text(rows)) }
        if let jsonFile {
            let data: Data
            do { data = try SweepDocument.encode(entries) } catch { throw CLIError.badInput("cannot encode the sweep: \(error)") }
            try emit(data, to: jsonFile, flag: "--json")
        }
        if let csvFile { try emit(Data(SweepTable.csv(rows).utf8), to: csvFile, flag: "--csv") }
        if let htmlFile { try emit(Data(SweepHTMLReport.render(rows).utf8), to: htmlFile, flag: "--html") }
    }

    private static func emit(_ data: Data, to path: String, flag: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.badInput("cannot write \(flag) \(path): \(error.localizedDescription)")
        }
    }
}

/// `kmsim sweep merge A.json B.json ...`: joins the `--json` documents of a sweep's shards.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the --json documents of a sweep's shards, ordered by point, and print the table.",
        discussion: """
            On the virtual clock the merged document equals the unsharded sweep's byte for byte. A point \
            present in two files must be the same run; files from different sweeps are refused (exit 2).
            """
    )

    @Argument(help: "The shards' --json files.")
    var files: [String]

    @Option(name: .customLong("json"), help: ArgumentHelp("Write the merged document to FILE ('-' for standard output).", valueName: "FILE"))
    var jsonFile: String?

    @Option(name: .customLong("csv"), help: ArgumentHelp("Write the table as CSV to FILE ('-' for standard output).", valueName: "FILE"))
    var csvFile: String?

    @Option(name: .customLong("html"), help: ArgumentHelp("Write the table and each column plotted against the first knob as a self-contained HTML page to FILE.", valueName: "FILE"))
    var htmlFile: String?

    func run() throws {
        guard !files.isEmpty else { throw CLIError.badInput("merge: expected at least one --json file of a sweep shard") }
        var shards: [(file: String, entries: [SweepEntry])] = []
        do {
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw SweepError("\(file): cannot read the file")
                }
                shards.append((file, try SweepDocument.decode(data, file: file)))
            }
            let merged = try SweepDocument.merge(shards)
            let gaps = SweepDocument.missingPoints(merged)
            if !gaps.isEmpty {
                printWarning("points \(gaps.map(String.init).joined(separator: ", ")) are in none of the files: a shard is missing")
            }
            try SweepOutput.write(merged, knobOrder: nil, jsonFile: jsonFile, csvFile: csvFile, htmlFile: htmlFile)
        } catch let error as SweepError {
            throw CLIError.badInput(error.description)
        }
    }
}
