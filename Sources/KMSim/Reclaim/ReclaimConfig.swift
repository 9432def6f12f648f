/// The knobs of reclaim: the swap device, simulated I/O costs and `vm.swappiness`.
///
/// Defaults: swap of half the machine's memory (a common installer choice; Fedora's zram default is
/// the same order), 20 µs per 4 KiB page written back or swapped out and 20 µs per page swapped in
/// (an NVMe SSD's 4 KiB write latency under load; set 0 for memory-speed I/O), swappiness 60 (the
/// kernel's default).
public struct ReclaimConfig: Sendable, Equatable {
    /// Swap space in pages; 0 disables swap (anonymous pages then cannot be reclaimed).
    public var swapPages: Int
    /// Time a page's writeback or swap-out costs the reclaimer, paid by sleeping.
    public var writeNanosecondsPerPage: UInt64
    /// Time an anonymous fault on a swapped-out page costs, paid by sleeping.
    public var swapInNanosecondsPerPage: UInt64
    /// `vm.swappiness` (0...200): the anon share of scanning against file's `200 - swappiness`.
    public var swappiness: Int
    /// Whether kswapd runs. Off, only direct reclaim frees memory: an experiment's knob (and what tests
    /// use to watch direct reclaim alone); the kernel always has kswapd.
    public var kswapdEnabled: Bool
    /// Compaction's switch and sysctls (the workload's `compaction:` section).
    public var compaction: CompactionConfig

    public init(swapPages: Int, writeNanosecondsPerPage: UInt64 = 20_000, swapInNanosecondsPerPage: UInt64 = 20_000,
                swappiness: Int = 60, kswapdEnabled: Bool = true, compaction: CompactionConfig = CompactionConfig()) {
        self.kswapdEnabled = kswapdEnabled
        self.compaction = compaction
        self.swapPages = max(0, swapPages)
        self.writeNanosecondsPerPage = writeNanosecondsPerPage
        self.swapInNanosecondsPerPage = swapInNanosecondsPerPage
        self.swappiness = min(max(swappiness, 0), 200)
    }

    /// The defaults for a machine: swap of half its memory.
    public static func defaults(for spec: MachineSpec) -> ReclaimConfig {
        ReclaimConfig(swapPages: spec.pagesPerNode * spec.nodes / 2)
    }
}
