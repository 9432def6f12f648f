import ArgumentParser
import KMSim

/// The `kmsim` command: one subcommand per job, each in its own file.
@main
struct KMSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmsim",
        abstract: "Simulate how the Linux kernel allocates memory on a many-CPU NUMA machine.",
        subcommands: [
            RunCommand.self,
            StressCommand.self,
            WorkloadsCommand.self,
            BenchCommand.self,
            TestVmallocCommand.self,
            GFPCommand.self,
            TopologyCommand.self,
            CostsCommand.self,
            SweepCommand.self,
        ]
    )

    /// Runs the command line, turning kmsim's input errors into one `error:` line and exit status 2. A
    /// command line the argument parser rejects (unknown option, missing or malformed value) is bad input
    /// too: its message and usage, then status 2 rather than the parser's EX_USAGE (64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            printError(error.description)
            Self.exit(withError: ExitCode(2))
        } catch {
            if exitCode(for: error) == .validationFailure {
                printToStandardError(fullMessage(for: error))
                Self.exit(withError: ExitCode(2))
            }
            Self.exit(withError: error)
        }
    }
}
