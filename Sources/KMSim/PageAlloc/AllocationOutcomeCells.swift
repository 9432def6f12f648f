/// One word per execution context (`PerCPUCounters.row(of:)`: each CPU's process, softirq and hardirq
/// sides, then each kswapd) saying where the allocations made since the word was last taken were
/// served: the latest `AllocationOutcome` reached, whether a zone other than the preferred one served
/// (another zone of the preferred node, or another node), and the lowest free pages left below MIN.
///
/// The fast path writes nothing unless a fallback zone served it (then one OR into a line the zone
/// statistics' branch already decided on), so a word that reads 0 means "fast, from the preferred zone".
/// The caller that wants the answer (the workload runner, a test) `take`s the word after its
/// allocation call, which also clears it for the next one.
///
/// Synchronisation: a row is written and taken only by the host thread acting as that context, one
/// at a time (the execution model never runs one CPU side on two threads at once; a CPU's serial queue
/// orders its successive threads), so plain loads and stores suffice. Each row has its own 128-byte
/// line, so CPUs never share one. The storage is allocated at boot and freed by the allocator's
/// `deinit`; the struct is only pointers, hence `@unchecked Sendable`.
struct AllocationOutcomeCells: @unchecked Sendable {
    /// Words from one row to the next: 128 bytes.
    static let stride = 16
    /// Bits 0-3: the `AllocationOutcome` raw value (0 is `fast`).
    static let outcomeMask: UInt64 = 0xf
    /// A zone of the preferred node other than the preferred zone served (a lower zone of the zonelist).
    static let otherZoneBit: UInt64 = 1 << 4
    /// Another node served (`NUMA_MISS`).
    static let otherNodeBit: UInt64 = 1 << 5
    /// The latest page allocation was admitted below the plain MIN watermark (read by the slow path's step).
    static let belowMinBit: UInt64 = 1 << 6
    /// `dipShift` holds a depth.
    static let hasDipBit: UInt64 = 1 << 7
    /// Bits 16-47: the lowest free pages after an allocation below MIN, in hundredths of a percent of MIN.
    static let dipShift: UInt64 = 16
    static let dipMask: UInt64 = 0xffff_ffff

    let base: UnsafeMutablePointer<UInt64>
    let rows: Int

    init(rows: Int) {
        self.rows = rows
        base = .allocate(capacity: rows * Self.stride)
        base.initialize(repeating: 0, count: rows * Self.stride)
    }

    func deallocate() { base.deallocate() }

    /// The word of `row`, then 0 in its place: where the allocations since the last take were served.
    @inline(__always)
    func take(row: Int) -> UInt64 {
        let cell = base + row &* Self.stride
        let word = cell.pointee
        if word != 0 { cell.pointee = 0 }
        return word
    }

    /// ORs `bits` into `row`'s word.
    @inline(__always)
    func insert(_ bits: UInt64, row: Int) {
        let cell = base + row &* Self.stride
        cell.pointee |= bits
    }

    /// Marks the latest page allocation of `row` as admitted below MIN, leaving `basisPoints` (free
    /// pages after it, in hundredths of a percent of MIN) as the depth when it is the lowest so far.
    func noteBelowMin(basisPoints: Int, row: Int) {
        let cell = base + row &* Self.stride
        var word = cell.pointee
        let depth = UInt64(clamping: basisPoints) & Self.dipMask
        if word & Self.hasDipBit == 0 || depth < (word >> Self.dipShift) & Self.dipMask {
            word = word & ~(Self.dipMask << Self.dipShift) | depth << Self.dipShift
        }
        cell.pointee = word | Self.belowMinBit | Self.hasDipBit
    }

    /// Records the slow-path step that served `row`'s latest page allocation: `step`, or `reserve` /
    /// `noWatermarks` when it was the first attempt (`afterKswapdWakeup`) and the zone was below MIN.
    /// The word keeps the latest step any allocation since the last take reached.
    func noteServed(_ step: AllocationOutcome, noWatermarks: Bool, row: Int) {
        let cell = base + row &* Self.stride
        var word = cell.pointee
        var outcome = step
        if step == .afterKswapdWakeup && word & Self.belowMinBit != 0 {
            outcome = noWatermarks ? .noWatermarks : .reserve
        }
        word &= ~Self.belowMinBit
        if UInt64(outcome.rawValue) > word & Self.outcomeMask {
            word = word & ~Self.outcomeMask | UInt64(outcome.rawValue)
        }
        cell.pointee = word
    }

    /// A taken word, decoded.
    struct Served: Equatable {
        var outcome: AllocationOutcome
        var otherZone: Bool
        var otherNode: Bool
        /// Free pages after the deepest allocation below MIN, in hundredths of a percent of MIN.
        var dipBasisPoints: Int?

        init(_ word: UInt64) {
            outcome = AllocationOutcome(rawValue: Int(word & AllocationOutcomeCells.outcomeMask)) ?? .fast
            otherZone = word & AllocationOutcomeCells.otherZoneBit != 0
            otherNode = word & AllocationOutcomeCells.otherNodeBit != 0
            dipBasisPoints = word & AllocationOutcomeCells.hasDipBit != 0
                ? Int((word >> AllocationOutcomeCells.dipShift) & AllocationOutcomeCells.dipMask) : nil
        }
    }
}
