@testable import KMSim

/// A small machine with SLUB on top, for the slab tests.
struct SlabTestMachine {
    let pageAllocator: PageAllocator
    let bugReports: BugReports
    let slab: SlabAllocator
    let pfnCount: Int

    init(debug: SlabFlags = [], debugCaches: Set<String> = [], cpus: Int = 2) {
        pfnCount = 16384
        pageAllocator = PageAllocator(pages: pfnCount, nodes: 1, cpuNodes: Array(repeating: 0, count: cpus))
        bugReports = BugReports()
        slab = SlabAllocator(pageAllocator: pageAllocator, cpuNodes: Array(repeating: 0, count: cpus), nodeCount: 1,
                             lockStat: LockStatRegistry(cpuCount: cpus), bugReports: bugReports,
                             debug: debug, debugCaches: debugCaches)
    }

    /// The texts of the reports of `kind`.
    func reports(_ kind: SlabBugKind) -> [String] {
        bugReports.reports.filter { $0.kind == kind.bugKind }.map(\.text)
    }

    /// Census problems of every cache, empty when all invariants hold.
    func problems() -> [String] { slab.caches.flatMap { $0.census(pfnCount: pfnCount).problems } }
}
