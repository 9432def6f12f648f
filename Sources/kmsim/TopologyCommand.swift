import ArgumentParser
import Foundation
import KMSim

/// `kmsim topology`: the host's NUMA layout from libnuma and where a simulated machine would run on it.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Show the host's NUMA topology and where each simulated node would run.",
        discussion: """
            Reads the host's nodes, CPUs, memory and node distances through libnuma, then maps the \
            simulated machine's nodes onto the host's nodes round-robin: every simulated CPU of a node \
            runs on the host CPUs of its host node, and the node's memory is allocated there.

            Examples:
              kmsim topology
              kmsim topology --nodes 4 --cpus-per-node 8 --json
            """
    )

    @Option(help: "Number of simulated NUMA nodes.")
    var nodes: Int = 1

    @Option(name: .customLong("cpus-per-node"), help: "Simulated CPUs per node.")
    var cpusPerNode: Int = 2

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let spec = MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode)
        do {
            try spec.validate()
        } catch {
            throw CLIError.badInput(error.description)
        }
        let host = HostTopology.current()
        let placement = spec.placement(on: host)
        if json {
            struct Output: Encodable { var host: HostTopology; var simulated: [NodePlacement] }
            try printJSON(Output(host: host, simulated: placement))
            return
        }
        print(TopologyReport(host: host, placement: placement).text)
    }
}

/// The text form of `kmsim topology`, laid out like `numactl --hardware`.
struct TopologyReport {
    var host: HostTopology
    var placement: [NodePlacement]

    var text: String {
        var lines: [String] = []
        if !host.numaAvailable {
            lines.append("libnuma: NUMA is not available on this host; treating it as one node with every online CPU")
        }
        lines.append("available: \(host.nodes.count) nodes (\(host.nodes.map { String($0.id) }.joined(separator: ",")))")
        for node in host.nodes {
            lines.append("node \(node.id) cpus: \(node.cpus.map(String.init).joined(separator: " "))")
            lines.append("node \(node.id) size: \(node.memoryTotalBytes >> 20) MB")
            lines.append("node \(node.id) free: \(node.memoryFreeBytes >> 20) MB")
        }
        lines.append("node distances:")
        lines.append("node " + host.nodes.map { String(format: "%4d", $0.id) }.joined(separator: ""))
        for (row, node) in host.nodes.enumerated() {
            lines.append(String(format: "%3d: ", node.id) + host.distances[row].map { String(format: "%4d", $0) }.joined(separator: ""))
        }
        lines.append("")
        lines.append("simulated machine: \(placement.count) nodes, \(placement.map(\.simulatedCPUs.count).reduce(0, +)) CPUs")
        for node in placement {
            let cpus = node.simulatedCPUs.map(String.init).joined(separator: ",")
            let hostCPUs = node.hostCPUs.map(String.init).joined(separator: ",")
            lines.append("sim node \(node.simulatedNode) (cpus \(cpus)) -> host node \(node.hostNode) (host cpus \(hostCPUs))")
        }
        return lines.joined(separator: "\n")
    }
}
