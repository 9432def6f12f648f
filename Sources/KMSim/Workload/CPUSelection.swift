/// Which simulated CPUs something runs on: `all`, CPU numbers, or whole nodes.
///
/// Written as the kernel's cpulist (`0-3,8`, `/sys/devices/system/cpu/online`), a YAML list of numbers and
/// ranges, `all`, or `nodeN`. Nodes stay symbolic so a description reads as it was written; `cpus(on:)`
/// gives the CPU numbers.
public enum CPUSelection: Sendable, Equatable {
    case all
    /// Explicit CPU numbers, ascending, without duplicates.
    case cpus([Int])
    /// Every CPU of these nodes, ascending node numbers.
    case nodes([Int])

    /// The CPU numbers on `machine`, ascending. Out-of-range entries are dropped (validation has
    /// rejected them already for a parsed spec).
    public func cpus(on machine: MachineSpec) -> [Int] {
        switch self {
        case .all:
            return Array(0..<machine.cpuCount)
        case .cpus(let list):
            return list.filter { (0..<machine.cpuCount).contains($0) }
        case .nodes(let nodes):
            return nodes.filter { (0..<machine.nodes).contains($0) }.flatMap { machine.cpus(ofNode: $0) }
        }
    }
}
