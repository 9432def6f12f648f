/// A workload's `reclaim:` section: the swap device, the simulated I/O cost, `vm.swappiness` and whether
/// kswapd runs. Every field is optional; what is left out keeps `ReclaimConfig.defaults(for:)`.
public struct ReclaimSpec: Sendable, Equatable {
    /// Swap space in bytes (`swap: 0` disables swap, so anonymous memory cannot be reclaimed).
    public var swapBytes: UInt64?
    /// Simulated I/O time per 4 KiB page written back, swapped out or swapped in.
    public var ioNanosecondsPerPage: UInt64?
    /// `vm.swappiness`, 0...200.
    public var swappiness: Int?
    /// Whether each node's kswapd runs (an experiment's knob; the kernel always has kswapd).
    public var kswapd: Bool?

    public init(swapBytes: UInt64? = nil, ioNanosecondsPerPage: UInt64? = nil, swappiness: Int? = nil, kswapd: Bool? = nil) {
        self.swapBytes = swapBytes
        self.ioNanosecondsPerPage = ioNanosecondsPerPage
        self.swappiness = swappiness
        self.kswapd = kswapd
    }

    /// The reclaim configuration for `machine`: its defaults with this section's values applied, and
    /// the workload's compaction settings.
    public func config(for machine: MachineSpec, compaction: CompactionConfig = CompactionConfig()) -> ReclaimConfig {
        var config = ReclaimConfig.defaults(for: machine)
        config.compaction = compaction
        if let swapBytes { config.swapPages = Int(clamping: swapBytes / 4096) }
        if let ioNanosecondsPerPage {
            config.writeNanosecondsPerPage = ioNanosecondsPerPage
            config.swapInNanosecondsPerPage = ioNanosecondsPerPage
        }
        if let swappiness { config.swappiness = swappiness }
        if let kswapd { config.kswapdEnabled = kswapd }
        return config
    }
}
