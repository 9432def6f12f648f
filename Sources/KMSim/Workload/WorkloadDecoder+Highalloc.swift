import Yams

extension WorkloadDecoder {
    static let highallocKeys = ["cpu", "order", "share", "interval", "start"]

    /// `highalloc: {cpu: 0, order: 9, share: 50%, interval: 10ms, start: 1s}`.
    mutating func decodeHighalloc(_ node: Node) -> HighallocSpec? {
        guard let mapping = reader.mapping(node, "highalloc", allowed: Self.highallocKeys) else { return nil }
        var spec = HighallocSpec()
        var failed = false
        if let value = mapping["cpu"] {
            let cpus = machine?.cpuCount ?? 1
            if let cpu = reader.int(value, "cpu", in: 0...max(0, cpus - 1)) { spec.cpu = cpu } else { failed = true }
        }
        if let value = mapping["order"] {
            if let order = reader.int(value, "order", in: 1...PageAllocator.maxOrder) { spec.order = order } else { failed = true }
        }
        if let value = mapping["share"] {
            if let share = reader.fraction(value, "share") {
                if share > 0 {
                    spec.share = share
                } else {
                    reader.error("share: found 0%, expected a share of memory above 0%", at: value)
                    failed = true
                }
            } else {
                failed = true
            }
        }
        if let value = mapping["interval"] {
            if let seconds = reader.seconds(value, "interval") { spec.intervalSeconds = seconds } else { failed = true }
        }
        if let value = mapping["start"] {
            if let seconds = reader.seconds(value, "start", allowZero: true) { spec.startSeconds = seconds } else { failed = true }
        }
        return failed ? nil : spec
    }
}
