import Atomics

/// `struct fault_attr` at run time (include/linux/fault-inject.h) with `should_fail_ex()`
/// (lib/fault-inject.c, Linux 6.12): the settings, and the counters the decision changes: `times`
/// and `space` (atomics in the kernel too) and `count`, the interval counter (a plain `unsigned long`
/// there, racy by design; an atomic here).
///
/// Synchronisation: the settings are immutable; `times`, `space` and `count` are `UnsafeAtomic`
/// cells allocated in `init` and freed in `deinit`, hence `@unchecked Sendable`.
final class FaultAttr: @unchecked Sendable {
    /// The debugfs directory name (`attr->dname`): `failslab` or `fail_page_alloc`.
    let name: String
    let probability: Int
    let interval: Int
    let verbose: Int
    let taskFilter: Bool
    private let cells: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    private var times: UnsafeAtomic<Int> { UnsafeAtomic(at: cells) }
    private var space: UnsafeAtomic<Int> { UnsafeAtomic(at: cells + 1) }
    private var count: UnsafeAtomic<Int> { UnsafeAtomic(at: cells + 2) }

    init(name: String, spec: FaultAttrSpec) {
        self.name = name
        probability = spec.probability
        interval = spec.interval
        verbose = spec.verbose
        taskFilter = spec.taskFilter
        cells = .allocate(capacity: 3)
        cells.initialize(to: UnsafeAtomic<Int>.Storage(spec.times))
        (cells + 1).initialize(to: UnsafeAtomic<Int>.Storage(spec.space))
        (cells + 2).initialize(to: UnsafeAtomic<Int>.Storage(0))
    }

    deinit { cells.deallocate() }

    /// `atomic_read(&attr->times)`: failures left (-1: no limit).
    var timesLeft: Int { times.load(ordering: .relaxed) }
    /// `atomic_read(&attr->space)`.
    var spaceLeft: Int { space.load(ordering: .relaxed) }

    /// `should_fail_ex()`: in this order, the task's `fail-nth` (process context only: the Nth call
    /// fails whatever the rest says); probability 0; the task filter; `times` used up; `space` not yet
    /// used up (the call uses `size` of it); the interval; the random draw. A failure is logged (unless
    /// `noWarn`, the kernel's FAULT_NOWARN from `__GFP_NOWARN`) and uses one of `times`.
    ///
    /// `faults` supplies the per-task state, the random draws and the log.
    func shouldFail(size: Int, noWarn: Bool, context: ExecutionContext, faults: FaultInjection) -> Bool {
        if context.kind == .task, let nth = faults.failNthCell(pid: context.pid) {
            let remaining = nth.load(ordering: .relaxed)
            if remaining > 0 {
                nth.store(remaining - 1, ordering: .relaxed)
                if remaining - 1 == 0 { return fail(noWarn: noWarn, context: context, faults: faults) }
                return false
            }
        }
        if probability == 0 { return false }
        if taskFilter && !(context.kind == .task && faults.makesItFail(pid: context.pid)) { return false }
        if times.load(ordering: .relaxed) == 0 { return false }
        if space.load(ordering: .relaxed) > size {
            space.wrappingDecrement(by: size, ordering: .relaxed)
            return false
        }
        if interval > 1 {
            let counted = count.wrappingIncrementThenLoad(ordering: .relaxed)
            if counted % interval != 0 { return false }
        }
        if probability <= faults.randomBelow100(cpu: context.cpu) { return false }
        return fail(noWarn: noWarn, context: context, faults: faults)
    }

    /// The `fail:` label: `fail_dump()` unless FAULT_NOWARN, then `atomic_dec_not_zero(&attr->times)`
    /// unless `times` is -1.
    private func fail(noWarn: Bool, context: ExecutionContext, faults: FaultInjection) -> Bool {
        if !noWarn && verbose > 0 { faults.dump(self, context: context) }
        var current = times.load(ordering: .relaxed)
        while current != -1 && current != 0 {
            let (exchanged, original) = times.weakCompareExchange(expected: current, desired: current - 1,
                                                                  ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        return true
    }
}
