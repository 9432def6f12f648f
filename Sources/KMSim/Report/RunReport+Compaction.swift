/// The report's compaction figures: the JSON `compaction` object and the terminal's compaction line.
extension RunReport {
    public struct Compaction: Codable, Sendable, Equatable {
        /// `compact_stall`: allocations that ran direct compaction.
        public var stalls: Int
        /// `compact_success`: direct compactions after which the allocation succeeded.
        public var success: Int
        /// `compact_fail`.
        public var fail: Int
        /// `pgmigrate_success`: pages moved by compaction.
        public var pagesMigrated: Int
        /// `compact_daemon_wake`: kcompactd wake-ups that compacted.
        public var kcompactdWakeups: Int

        public static let zero = Compaction(stalls: 0, success: 0, fail: 0, pagesMigrated: 0, kcompactdWakeups: 0)

        /// The figures from a /proc/vmstat snapshot.
        static func from(vmstat: [String: Int]) -> Compaction {
            Compaction(stalls: vmstat["compact_stall"] ?? 0, success: vmstat["compact_success"] ?? 0,
                       fail: vmstat["compact_fail"] ?? 0, pagesMigrated: vmstat["pgmigrate_success"] ?? 0,
                       kcompactdWakeups: vmstat["compact_daemon_wake"] ?? 0)
        }
    }

    /// `compaction: stalls N, success N, fail N, pages migrated N, kcompactd wakeups N`.
    var compactionLine: String {
        "compaction: stalls \(compaction.stalls), success \(compaction.success), fail \(compaction.fail), "
            + "pages migrated \(compaction.pagesMigrated), kcompactd wakeups \(compaction.kcompactdWakeups)"
    }
}

extension RunReport {
    /// One stress-highalloc pass: blocks asked for, blocks had, and the success rate in percent.
    public struct HighallocPass: Codable, Sendable, Equatable {
        public var pass: Int
        public var requested: Int
        public var allocated: Int
        public var successPercent: Double

        public init(pass: Int, requested: Int, allocated: Int) {
            self.pass = pass
            self.requested = requested
            self.allocated = allocated
            successPercent = requested > 0 ? (Double(allocated) * 1000 / Double(requested)).rounded() / 10 : 0
        }
    }

    /// `highalloc pass N: A of R blocks (P %)` per pass.
    var highallocLines: [String] {
        (highalloc ?? []).map { pass in
            "highalloc pass \(pass.pass): \(pass.allocated) of \(pass.requested) blocks (\(pass.successPercent) %)"
        }
    }
}
