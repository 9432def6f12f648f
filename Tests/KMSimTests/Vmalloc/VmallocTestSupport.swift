import Foundation
@testable import KMSim

/// A small machine with vmalloc booted on it: 1 node of 128 MiB and 4 CPUs unless asked.
func makeVmallocMachine(nodes: Int = 1, cpusPerNode: Int = 4, memoryPerNode: UInt64 = 128 << 20,
                        cpus: SimulatedCPUs? = nil) throws -> (Machine, Vmalloc) {
    let machine = try Machine(spec: MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode, memoryPerNode: memoryPerNode))
    return (machine, try Vmalloc(machine: machine, cpus: cpus))
}

/// Free pages of every zone of the machine, after draining the per-CPU lists into the buddy lists so
/// that pages cached there count too (page conservation checks). Call while the machine is quiet.
func freePages(_ machine: Machine) -> Int {
    machine.pageAllocator.drainAllPages(context: .task(cpu: 0))
    return machine.pageAllocator.zones.reduce(0) { $0 + $1.freePages }
}

/// The texts of the machine's bug reports of one kind.
func reportTexts(_ machine: Machine, _ kind: BugKind) -> [String] {
    machine.bugReports.reports.filter { $0.kind == kind }.map(\.text)
}
