import ArgumentParser
import KMSim

/// `kmsim workloads`: the bundled workloads, one line each.
struct WorkloadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workloads",
        abstract: "List the bundled workloads that `kmsim run NAME` runs.")

    @Flag(help: "Print [{\"name\", \"description\"}] as JSON.")
    var json = false

    func run() throws {
        let entries = BundledWorkloads.entries()
        if json {
            try printJSON(entries)
            return
        }
        let width = (entries.map(\.name.count).max() ?? 0) + 2
        for entry in entries {
            print(entry.name + String(repeating: " ", count: width - entry.name.count) + entry.description)
        }
    }
}
