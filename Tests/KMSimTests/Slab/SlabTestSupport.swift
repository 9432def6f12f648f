@testable import KMSim

/// A small booted machine (one node, 64 MiB) with SLUB on top, for the slab tests.
struct SlabTestMachine {
    let machine: Machine
    var pageAllocator: PageAllocator { machine.pageAllocator }
    var bugReports: BugReports { machine.bugReports }
    var slab: SlabAllocator { machine.slab }
    var pfnCount: Int { machine.spec.pagesPerNode * machine.spec.nodes }

    init(debug: SlabFlags = [], debugCaches: Set<String> = [], nodes: Int = 1, cpusPerNode: Int = 2) throws {
        machine = try Machine(spec: MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode, memoryPerNode: 64 << 20),
                               slubDebug: debug, slubDebugCaches: debugCaches)
    }

    /// The texts of the reports of `kind`.
    func reports(_ kind: SlabBugKind) -> [String] {
        bugReports.reports.filter { $0.kind == kind.bugKind }.map(\.text)
    }

    /// The machine's invariants (page conservation, every cache's census, slab page accounting).
    func problems() -> [String] { machine.checkInvariants() }
}
