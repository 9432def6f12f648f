import Atomics

extension PerCPUCounters {
    /// Rows per simulated CPU for counters kept per execution context: a CPU's process side, softirq
    /// side and hard-interrupt side each own one row, so each row has a single writer.
    static let contextRows = 3

    /// Rows of a block counted per execution context: `contextRows` per CPU, then one per kernel thread
    /// that runs on a host thread of its own (`MachineSpec.kernelThreadCount`: kswapd, then kcompactd,
    /// one of each per node), each of which has a single writer.
    static func rows(cpuCount: Int, kernelThreads: Int) -> Int { cpuCount * contextRows + kernelThreads }

    /// The row of kernel thread `index` (kswapd of node `index`, or kcompactd of node `index - nodes`),
    /// after every CPU's rows.
    static func kernelThreadRow(_ index: Int, cpuCount: Int) -> Int { cpuCount * contextRows + index }

    /// The row of `context` in a block created with `rows(cpuCount:kernelThreads:)` rows: its CPU's row
    /// for its kind, or a kernel thread's own row (`ExecutionContext.counterRow` holds either).
    @inline(__always)
    static func row(of context: ExecutionContext) -> Int {
        Int(context.counterRow)
    }

    /// A CPU's row for a context kind: process, softirq and hardirq side by side. Saturates to -1 (out of
    /// every block's range, so the rows' bounds checks refuse it) for a CPU no row can number.
    static func cpuRow(cpu: Int, kind: ExecutionContext.Kind) -> Int32 {
        let offset: Int
        switch kind {
        case .task: offset = 0
        case .softirq: offset = 1
        case .hardirq: offset = 2
        }
        guard cpu >= 0 && cpu <= (Int(Int32.max) - offset) / contextRows else { return -1 }
        return Int32(cpu * contextRows + offset)
    }

    /// `__this_cpu_add()`: adds `delta` to a row only one host thread writes (a relaxed load and store,
    /// no locked instruction), as the kernel's per-CPU vmstat updates run with interrupts or preemption
    /// off. Readers still sum with relaxed loads. Two host threads acting as the same CPU and context at
    /// once would lose counts (never memory safety); the execution model never does that.
    ///
    /// The row is bounds-checked (it comes from an execution context); `index` only in debug builds:
    /// every caller passes the raw value of the counter enum whose case count sized the block
    /// (`VMStatItem`, `NUMAStatItem`), so it cannot be out of range, and this is the allocator's fast
    /// path, where the second check was a tenth of the counting's instructions.
    @inline(__always)
    func addSingleWriter(_ index: Int, _ delta: Int64, row: Int) {
        assert(UInt(bitPattern: index) < UInt(bitPattern: counterCount), "per-CPU counter index out of range")
        cells.addSingleWriter(index, delta, row: row)
    }

    /// `addSingleWriter` of 1 to two counters of the same row, with one bounds check and one row
    /// address: `zone_statistics()` counts two NUMA events per allocation.
    @inline(__always)
    func incrementPairSingleWriter(_ first: Int, _ second: Int, row: Int) {
        assert(UInt(bitPattern: first) < UInt(bitPattern: counterCount)
               && UInt(bitPattern: second) < UInt(bitPattern: counterCount), "per-CPU counter index out of range")
        precondition(UInt(bitPattern: row) < UInt(bitPattern: cpuCount), "per-CPU counter row out of range")
        let firstCell = uncheckedCell(first, cpu: row), secondCell = uncheckedCell(second, cpu: row)
        firstCell.store(firstCell.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        secondCell.store(secondCell.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}
