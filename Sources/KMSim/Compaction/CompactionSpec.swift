/// A workload's `compaction:` section: `enabled` (default true), `proactiveness`
/// (`vm.compaction_proactiveness`, 20), `extfragThreshold` (`vm.extfrag_threshold`, 500) and `compactEvery`
/// (write /proc/sys/vm/compact_memory that often; `kmsim run --compact-every` overrides it).
public struct CompactionSpec: Sendable, Equatable {
    public var config = CompactionConfig()
    /// Seconds between whole-machine compactions (`compact_memory`), nil for none.
    public var compactEverySeconds: Double?

    public init(config: CompactionConfig = CompactionConfig(), compactEverySeconds: Double? = nil) {
        self.config = config
        self.compactEverySeconds = compactEverySeconds
    }
}
