import Foundation

extension ProcFS {
    /// Writes every view `kmsim run --proc-dir` promises: `ProcFS.write`'s (buddyinfo, pagetypeinfo,
    /// zoneinfo, vmstat, lock_stat, nodeN/numastat) plus `proc/slabinfo`, `proc/meminfo`,
    /// `proc/vmallocinfo`, `sys/kernel/debug/extfrag/{extfrag_index,unusable_index}`, and `dmesg`: the
    /// simulated kernel log (BUG reports, warnings, OOM kills).
    public static func writeRunFiles(to directory: URL, machine: Machine) throws {
        try write(to: directory, machine: machine)
        let proc = directory.appendingPathComponent("proc")
        try Data(machine.slab.renderProcSlabinfo().utf8).write(to: proc.appendingPathComponent("slabinfo"))
        try Data(meminfo(machine).utf8).write(to: proc.appendingPathComponent("meminfo"))
        try Data(vmallocinfo(machine.vmalloc).utf8).write(to: proc.appendingPathComponent("vmallocinfo"))
        try writeExtfrag(to: directory, machine: machine)
        try Data(machine.bugReports.renderLog().utf8).write(to: directory.appendingPathComponent("dmesg"))
    }
}
