import Synchronization

/// What the tasks of one phased task group (`PhaseSpec`) share: the barriers between their phases, the
/// objects they hand in for a shuffled free, and each task's time per phase.
///
/// Barriers are counted, not reset: barrier `b` (the one before phase `b`) is complete when `arrivals`
/// reaches `taskCount * (b + 1)`; its last arriver runs the barrier's action (the shuffle) and then
/// publishes `released = b + 1` with a releasing store that waiting tasks load acquiring, so what the
/// action wrote is visible to every task past the barrier. The pool and the samples are touched a few
/// times per task per phase, under their mutexes.
final class GroupPhaseState: Sendable {
    /// One task's figures for one phase.
    struct Sample: Sendable {
        var operations = 0
        var nanoseconds: UInt64 = 0
    }

    let taskCount: Int
    let phaseCount: Int
    private let arrivals = Atomic<Int>(0)
    private let released = Atomic<Int>(0)
    /// Objects handed in before a shuffled free, then each task's share of them, by task ordinal.
    private let pool: Mutex<[[LiveObject]]>
    /// `phase * taskCount + ordinal`.
    private let samples: Mutex<[Sample]>

    init(taskCount: Int, phaseCount: Int) {
        self.taskCount = taskCount
        self.phaseCount = phaseCount
        pool = Mutex(Array(repeating: [], count: taskCount))
        samples = Mutex(Array(repeating: Sample(), count: taskCount * phaseCount))
    }

    /// Arrives at barrier `barrier`; the last task to arrive runs `action` and releases the others.
    /// Returns whether this task was the last.
    func arrive(at barrier: Int, action: () -> Void) -> Bool {
        let arrived = arrivals.add(1, ordering: .acquiringAndReleasing).newValue
        guard arrived == taskCount * (barrier + 1) else { return false }
        action()
        released.store(barrier + 1, ordering: .releasing)
        return true
    }

    /// Whether barrier `barrier` has been released.
    func isReleased(_ barrier: Int) -> Bool { released.load(ordering: .acquiring) > barrier }

    /// Hands in the objects task `ordinal` keeps, for the shuffle.
    func handIn(_ objects: [LiveObject], ordinal: Int) {
        pool.withLock { $0[ordinal] = objects }
    }

    /// Shuffles every handed-in object with `generator` (Fisher-Yates) and deals each task an equal
    /// share (the first `total % taskCount` tasks one more). Run by the barrier's last arriver.
    func shuffle(using generator: inout SplitMix64) {
        pool.withLock { pool in
            var all = pool.flatMap { $0 }
            if all.count > 1 {
                for index in stride(from: all.count - 1, to: 0, by: -1) {
                    all.swapAt(index, Int(generator.next(below: UInt64(index + 1))))
                }
            }
            var start = 0
            for ordinal in 0..<taskCount {
                let share = all.count / taskCount + (ordinal < all.count % taskCount ? 1 : 0)
                pool[ordinal] = Array(all[start..<(start + share)])
                start += share
            }
        }
    }

    /// Takes task `ordinal`'s share of the shuffled objects.
    func takeShare(ordinal: Int) -> [LiveObject] {
        pool.withLock { pool in
            defer { pool[ordinal] = [] }
            return pool[ordinal]
        }
    }

    func record(phase: Int, ordinal: Int, _ sample: Sample) {
        samples.withLock { $0[phase * taskCount + ordinal] = sample }
    }

    /// Each task's figures for `phase`, by ordinal.
    func samples(phase: Int) -> [Sample] {
        samples.withLock { Array($0[(phase * taskCount)..<((phase + 1) * taskCount)]) }
    }
}
