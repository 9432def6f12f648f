import Foundation
import Synchronization
@testable import KMSim

/// A thread-safe list of events the tests append to from tasks and handlers.
final class EventLog<Element: Sendable>: Sendable {
    private let items = OrderedMutex<[Element]>([])

    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// A shared counter tests bump from handlers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// Waits until `condition` holds or `seconds` pass; returns whether it held. An event-count wait: the
/// tests assert on the outcome, never on how long it took.
func eventually(within seconds: Double = 20, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        await scheduleTimeout(nanoseconds: 2_000_000)
    }
    return condition()
}

/// A small machine for the CPU tests: 2 nodes × 2 CPUs on the host's topology.
func makeCPUs(nodes: Int = 2, cpusPerNode: Int = 2) -> SimulatedCPUs {
    SimulatedCPUs(spec: MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode), host: HostTopology.current(),
                  debug: AtomicSleepDebug(bugReports: BugReports()))
}

extension SimulatedCPUs {
    /// The lines of every kept bug report, oldest first.
    var reportLines: [[String]] {
        debug.bugReports.reports.map { $0.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }
}
