/// One phase of a phased task group (`phases:`): what each task of the group does between two
/// barriers. Phases turn a task group into a run-once benchmark such as the LLFree kernel module's
/// (luhsra/linux-alloc-bench): "every CPU allocates N pages; barrier; every CPU frees them", timed per
/// phase and CPU.
///
/// Every task of the group waits at a barrier before each phase, so all of them start a phase together
/// (the benchmark's `cycles` start mark) and none frees an object another task is still allocating.
public struct PhaseSpec: Sendable, Equatable {
    /// What the tasks do in the phase.
    public enum Action: Sendable, Equatable {
        /// Each task makes this many allocations of the group's mix and keeps every object it gets.
        case allocate(Int)
        /// Each task frees every object it keeps, oldest first.
        case freeOwn
        /// The objects every task keeps are shuffled across the group (seeded) and each task frees an
        /// equal share, mostly objects other CPUs allocated (LLFree's "rand": remote frees).
        case freeShuffled
    }

    /// The phase's name in the report (`alloc`, `free` in the bundled LLFree workloads).
    public var name: String
    public var action: Action

    public init(name: String, action: Action) {
        self.name = name
        self.action = action
    }

    /// Allocations a phase may ask of each task: the objects are kept in a per-task array until a free
    /// phase, 8 bytes each.
    public static let maximumAllocations = 10_000_000
}
