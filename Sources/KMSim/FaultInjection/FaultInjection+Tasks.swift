import Atomics

/// What the kernel keeps per task for fault injection (`task_struct.make_it_fail`, `.fail_nth`, written
/// through `/proc/<pid>/make-it-fail` and `/proc/<pid>/task/<tid>/fail-nth`), and kmsim's mark of which
/// caller an injection hit.
extension FaultInjection {
    /// `echo N > /proc/<pid>/fail-nth` (0 clears it) and `echo 0|1 > /proc/<pid>/make-it-fail`, for a
    /// task about to run. Pids at or above `pidCapacity` are ignored.
    public func setTask(pid: Int32, makeItFail fails: Bool, failNth nth: Int) {
        guard pid > 0 && Int(pid) < Self.pidCapacity else { return }
        UnsafeAtomic<Int>(at: failNth + Int(pid)).store(max(nth, 0), ordering: .relaxed)
        UnsafeAtomic<Int>(at: makeItFail + Int(pid)).store(fails ? 1 : 0, ordering: .relaxed)
    }

    /// `cat /proc/<pid>/fail-nth`: the calls still to go (0 once the Nth call has failed).
    public func failNth(pid: Int32) -> Int {
        failNthCell(pid: pid)?.load(ordering: .relaxed) ?? 0
    }

    /// The `fail_nth` cell of a task, nil for pids without one.
    @inline(__always)
    func failNthCell(pid: Int32) -> UnsafeAtomic<Int>? {
        guard pid > 0 && Int(pid) < Self.pidCapacity else { return nil }
        return UnsafeAtomic<Int>(at: failNth + Int(pid))
    }

    /// `current->make_it_fail`.
    @inline(__always)
    func makesItFail(pid: Int32) -> Bool {
        guard pid > 0 && Int(pid) < Self.pidCapacity else { return false }
        return UnsafeAtomic<Int>(at: makeItFail + Int(pid)).load(ordering: .relaxed) != 0
    }

    /// The mark slot of a caller: a task's pid, else its CPU and context kind (interrupt sides run their
    /// handlers one at a time).
    @inline(__always)
    func markSlot(_ context: ExecutionContext) -> Int {
        if context.kind == .task && context.pid > 0 && Int(context.pid) < Self.pidCapacity { return Int(context.pid) }
        let cpu = context.cpu >= 0 && context.cpu < cpuCount ? context.cpu : 0
        let kind = ExecutionContext.Kind.allCases.firstIndex(of: context.kind) ?? 0
        return Self.pidCapacity + cpu * ExecutionContext.Kind.allCases.count + kind
    }

    func mark(_ context: ExecutionContext) {
        UnsafeAtomic<Int>(at: marks + markSlot(context)).wrappingIncrement(ordering: .relaxed)
    }

    /// Whether an injection hit this caller since its last call, clearing the mark: the runner asks
    /// after each allocation, so a NULL is counted as injected when the injection caused it.
    public func takeInjected(_ context: ExecutionContext) -> Bool {
        UnsafeAtomic<Int>(at: marks + markSlot(context)).exchange(0, ordering: .relaxed) != 0
    }
}
