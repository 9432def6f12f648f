import Yams

extension WorkloadDecoder {
    static let compactionKeys = ["enabled", "proactiveness", "extfragThreshold", "compactEvery"]

    /// `compaction: {enabled: true, proactiveness: 20, extfragThreshold: 500, compactEvery: 1s}`.
    mutating func decodeCompaction(_ node: Node) -> CompactionSpec? {
        guard let mapping = reader.mapping(node, "compaction", allowed: Self.compactionKeys) else { return nil }
        var spec = CompactionSpec()
        var failed = false
        if let value = mapping["enabled"] {
            if let enabled = reader.bool(value, "enabled") { spec.config.enabled = enabled } else { failed = true }
        }
        if let value = mapping["proactiveness"] {
            if let proactiveness = reader.int(value, "proactiveness", in: 0...100) {
                spec.config.proactiveness = proactiveness
            } else {
                failed = true
            }
        }
        if let value = mapping["extfragThreshold"] {
            if let threshold = reader.int(value, "extfragThreshold", in: 0...1000) {
                spec.config.extfragThreshold = threshold
            } else {
                failed = true
            }
        }
        if let value = mapping["compactEvery"] {
            if let seconds = reader.seconds(value, "compactEvery") {
                if seconds < 0.001 || seconds > 1e6 {
                    reader.error("compactEvery: found \(TimeSpan.format(seconds)), expected 1ms to 1000000s", at: value)
                    failed = true
                }
                spec.compactEverySeconds = seconds
            } else {
                failed = true
            }
        }
        return failed ? nil : spec
    }
}
