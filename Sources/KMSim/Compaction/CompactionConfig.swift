/// The compaction sysctls a workload may set (`compaction:` section): whether compaction runs at all
/// (a kernel built without CONFIG_COMPACTION when off), `vm.compaction_proactiveness` and
/// `vm.extfrag_threshold` (kernel/sysctl.c, mm/compaction.c; defaults 20 and 500).
public struct CompactionConfig: Sendable, Equatable {
    /// Off: no direct compaction, no kcompactd, costly requests fail after one reclaim round as in a
    /// kernel without CONFIG_COMPACTION.
    public var enabled: Bool
    /// `vm.compaction_proactiveness` (0...100): how low kcompactd keeps each node's fragmentation score.
    public var proactiveness: Int
    /// `vm.extfrag_threshold` (0...1000): a costly request whose zone's fragmentation index is at or
    /// below this fails for lack of memory rather than compacting.
    public var extfragThreshold: Int

    public init(enabled: Bool = true, proactiveness: Int = 20, extfragThreshold: Int = 500) {
        self.enabled = enabled
        self.proactiveness = min(max(proactiveness, 0), 100)
        self.extfragThreshold = min(max(extfragThreshold, 0), 1000)
    }
}
