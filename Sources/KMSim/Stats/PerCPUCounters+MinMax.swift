import Atomics

/// Cells that keep an extreme rather than a sum: lockdep's `lock_time.min` / `.max`, kept per CPU and
/// merged when read (`lock_time_add`). `Int64.max` marks a minimum with no sample yet, so a row never has
/// to know whether it has seen a sample before.
extension PerCPUCounters {
    /// The value that means "no minimum recorded".
    static let noMinimum = Int64.max

    /// Lowers counter `index` of `cpu`'s row to `value` if it is smaller. A compare-and-swap loop, since
    /// the CPU's process and interrupt sides may both be recording; usually a single load.
    func lowerMinimum(_ index: Int, to value: Int64, cpu: Int) {
        let cell = cell(index, cpu: cpu)
        var current = cell.load(ordering: .relaxed)
        while value < current {
            let (exchanged, original) = cell.weakCompareExchange(
                expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Raises counter `index` of `cpu`'s row to `value` if it is larger.
    func raiseMaximum(_ index: Int, to value: Int64, cpu: Int) {
        let cell = cell(index, cpu: cpu)
        var current = cell.load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = cell.weakCompareExchange(
                expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The smallest value of counter `index` over all rows, or nil if every row holds `noMinimum`.
    func minimum(_ index: Int) -> Int64? {
        let smallest = (0..<cpuCount).map { value(index, cpu: $0) }.min() ?? Self.noMinimum
        return smallest == Self.noMinimum ? nil : smallest
    }

    /// The largest value of counter `index` over all rows.
    func maximum(_ index: Int) -> Int64 {
        (0..<cpuCount).map { value(index, cpu: $0) }.max() ?? 0
    }

    /// Sets counter `index` to `value` in every row (used to clear statistics).
    func setAll(_ index: Int, to value: Int64) {
        for cpu in 0..<cpuCount {
            cell(index, cpu: cpu).store(value, ordering: .relaxed)
        }
    }
}
