/// The last few [start, end) intervals of something held in virtual time, a ring of `count`: a spin
/// lock's holds (who must wait for it) and a CPU's interrupts-off sections (which interrupts are
/// deferred). Both ask the same question: when is the thing free for an arrival at t?
struct HoldIntervals {
    static let count = 8
    private var bounds = [Int64](repeating: 0, count: HoldIntervals.count * 2)
    private var nextSlot = 0

    mutating func record(from start: Int64, to end: Int64) {
        bounds[nextSlot * 2] = start
        bounds[nextSlot * 2 + 1] = end
        nextSlot = (nextSlot + 1) % Self.count
    }

    /// The end of the interval covering `time`, following intervals that begin where the previous one
    /// ended; nil when none covers it.
    func end(covering time: Int64) -> Int64? {
        var end: Int64?
        var probe = time
        var moved = true
        while moved {
            moved = false
            for slot in 0..<Self.count where bounds[slot * 2] <= probe && probe < bounds[slot * 2 + 1] {
                probe = bounds[slot * 2 + 1]
                end = probe
                moved = true
            }
        }
        return end
    }
}
