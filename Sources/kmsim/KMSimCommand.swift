import ArgumentParser
import KMSim

/// The `kmsim` command: one subcommand per job, each in its own file.
@main
struct KMSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmsim",
        abstract: "Simulate how the Linux kernel allocates memory on a many-CPU NUMA machine.",
        subcommands: [GFPCommand.self]
    )
}
