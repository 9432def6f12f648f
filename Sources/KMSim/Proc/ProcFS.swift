import Foundation

/// The /proc and /sys views of a machine, each rendered byte-for-byte in the layout of the kernel
/// function named on it (mm/vmstat.c, drivers/base/node.c), plus `write(to:machine:)` to lay them out
/// as a directory tree that tools such as `cat` or procps read.
///
/// The renderers read counters without stopping the machine, as the kernel's do; the free-list walks
/// of /proc/pagetypeinfo and the per-CPU list counts take the locks that guard them.
public enum ProcFS {
    /// Writes every view under `directory`: `proc/buddyinfo`, `proc/pagetypeinfo`, `proc/zoneinfo`,
    /// `proc/vmstat`, `proc/lock_stat` and `sys/devices/system/node/nodeN/numastat`.
    public static func write(to directory: URL, machine: Machine) throws {
        let files = FileManager.default
        let proc = directory.appendingPathComponent("proc")
        try files.createDirectory(at: proc, withIntermediateDirectories: true)
        let views: [(String, String)] = [
            ("buddyinfo", buddyinfo(machine)),
            ("pagetypeinfo", pagetypeinfo(machine)),
            ("zoneinfo", zoneinfo(machine)),
            ("vmstat", vmstat(machine)),
            ("lock_stat", machine.lockStat.renderProcLockStat()),
        ]
        for (name, text) in views {
            try Data(text.utf8).write(to: proc.appendingPathComponent(name))
        }
        for node in 0..<machine.spec.nodes {
            let nodeDirectory = directory.appendingPathComponent("sys/devices/system/node/node\(node)")
            try files.createDirectory(at: nodeDirectory, withIntermediateDirectories: true)
            try Data(numastat(machine, node: node).utf8).write(to: nodeDirectory.appendingPathComponent("numastat"))
        }
    }

    /// C's `%*s` / `%*lu`: right-aligned in `width` columns.
    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// C's `%-*s`: left-aligned in `width` columns.
    static func padRight(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// The populated zones of `node`, lowest first (`walk_zones_in_node(..., assert_populated=true)`).
    static func populatedZones(_ machine: Machine, node: Int) -> [Zone] {
        ZoneType.allCases.map { machine.pageAllocator.zone(node: node, type: $0) }.filter(\.isPopulated)
    }
}
