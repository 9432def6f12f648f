import ArgumentParser
import Foundation
import KMSim

/// `kmsim costs [NAME|FILE]`: the virtual clock's cost table, each entry with its source, and with a
/// workload's `costs:` overrides applied when a workload is named.
struct CostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costs",
        abstract: "Print the virtual clock's cost table (nanoseconds per allocator path, with sources).",
        discussion: """
            The virtual clock (`kmsim run --clock virtual`) charges simulated time per allocator path from \
            this table. The defaults come from published single-CPU measurements. A workload's `costs:` \
            section overrides entries by name; give the workload to see the table it runs with.

            Examples:
              kmsim costs
              kmsim costs my-workload.yaml
            """
    )

    @Argument(help: "A bundled workload name or a workload file whose costs: overrides to apply.")
    var workload: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        var table = CostTable.defaults
        if let workload {
            do {
                table = try BundledWorkloads.resolve(workload).spec.costs
            } catch {
                for diagnostic in error.errors { printError(diagnostic.description) }
                throw ExitCode(2)
            }
        }
        guard json else { return print(table.rendered(), terminator: "") }
        let entries = VirtualCost.allCases.map { cost -> [String: Any] in
            ["key": cost.key, "nanoseconds": table[cost], "default": cost.defaultNanoseconds, "source": cost.source]
        }
        let data = try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
