import Yams

extension WorkloadDecoder {
    static let reclaimKeys = ["swap", "ioLatency", "swappiness", "kswapd"]
    /// The largest swap device a workload may declare.
    static let maximumSwapBytes: UInt64 = 1 << 50

    /// `reclaim: {swap: 0, ioLatency: 20us, swappiness: 60, kswapd: true}`.
    mutating func decodeReclaim(_ node: Node) -> ReclaimSpec? {
        guard let mapping = reader.mapping(node, "reclaim", allowed: Self.reclaimKeys) else { return nil }
        var spec = ReclaimSpec()
        var failed = false
        if let value = mapping["swap"] {
            if let bytes = reader.bytes(value, "swap", in: 0...Self.maximumSwapBytes) { spec.swapBytes = bytes } else { failed = true }
        }
        if let value = mapping["ioLatency"] {
            if let seconds = reader.seconds(value, "ioLatency", allowZero: true) {
                if seconds > 1 {
                    reader.error("ioLatency: found \(TimeSpan.format(seconds)), expected at most 1s per page", at: value)
                    failed = true
                }
                spec.ioNanosecondsPerPage = UInt64((seconds * 1e9).rounded())
            } else {
                failed = true
            }
        }
        if let value = mapping["swappiness"] {
            if let swappiness = reader.int(value, "swappiness", in: 0...200) { spec.swappiness = swappiness } else { failed = true }
        }
        if let value = mapping["kswapd"] {
            if let enabled = reader.bool(value, "kswapd") { spec.kswapd = enabled } else { failed = true }
        }
        return failed ? nil : spec
    }
}
