/// The random draws of one batch of a task's operations, made in one tight pass before the batch's
/// allocator calls: for each operation the mix entry, the scoped section and the size.
///
/// Why the runner generates ahead: drawing per operation between allocator calls interleaved the
/// generator's code and branches (entry weights, a switch per size distribution, scope thresholds) with
/// the allocator's, and the allocator ran slower for it. Drawing a batch at once hoists the per-distribution
/// switch out of the loop (`SizeDistribution.fill`) and leaves the allocation loop reading three arrays,
/// as a trace-driven benchmark would; the draws still happen inside the timed run, so they count as runner
/// overhead in `RunnerOverhead`.
///
/// Flat storage for `capacity` operations, owned by one task (`runWorker`), which calls `deallocate()`.
/// Not `Sendable`: it never leaves its task.
struct BatchTrace {
    let capacity: Int
    /// Index into the group's mix (`RunPlan.Group.operations`).
    let entries: UnsafeMutablePointer<Int32>
    /// 0 outside every scoped section, `i + 1` inside `TaskGroupSpec.scoped[i]`.
    let scopes: UnsafeMutablePointer<Int32>
    /// Bytes, or the page order for `alloc_pages`.
    let sizes: UnsafeMutablePointer<UInt64>

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        entries = .allocate(capacity: self.capacity)
        entries.initialize(repeating: 0, count: self.capacity)
        scopes = .allocate(capacity: self.capacity)
        scopes.initialize(repeating: 0, count: self.capacity)
        sizes = .allocate(capacity: self.capacity)
        sizes.initialize(repeating: 0, count: self.capacity)
    }

    func deallocate() {
        entries.deallocate()
        scopes.deallocate()
        sizes.deallocate()
    }

    /// Draws the first `count` operations (`count <= capacity`) of `group` with `generator`.
    func fill(_ group: RunPlan.Group, plan: RunPlan, count: Int, using generator: inout SplitMix64) {
        let count = min(count, capacity)
        if group.operations.count == 1 {
            entries.update(repeating: 0, count: count)
            plan.operations[group.operations[0]].size.fill(sizes, count: count, using: &generator)
        } else {
            for index in 0..<count {
                let entry = group.pickEntry(using: &generator)
                entries[index] = Int32(entry)
                sizes[index] = plan.operations[group.operations[entry]].size.sample(using: &generator)
            }
        }
        if group.scopeThresholds.isEmpty {
            scopes.update(repeating: 0, count: count)
        } else {
            for index in 0..<count { scopes[index] = Int32(group.pickScope(using: &generator)) }
        }
    }
}
