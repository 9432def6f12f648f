import CNuma

/// Binding host threads to host NUMA nodes, so a simulated CPU's work runs on the node its memory lives on.
///
/// libnuma's `numa_run_on_node` and `numa_sched_setaffinity(0, ...)` act on the calling thread only, which
/// is what kmsim needs: each Dispatch worker binds itself the first time it runs a simulated CPU's work.
public enum HostPinning {
    /// Binds the calling host thread to the CPUs of `hostNode`. Returns false (and leaves the thread as it
    /// was) when libnuma refuses, e.g. the node has no CPUs or NUMA is unavailable.
    @discardableResult
    public static func bindCurrentThread(toHostNode hostNode: Int) -> Bool {
        guard numa_available() >= 0 else { return false }
        return numa_run_on_node(Int32(hostNode)) == 0
    }

    /// Binds the calling host thread to an explicit set of host CPUs.
    @discardableResult
    public static func bindCurrentThread(toCPUs cpus: [Int]) -> Bool {
        guard numa_available() >= 0, !cpus.isEmpty else { return false }
        guard let mask = numa_allocate_cpumask() else { return false }
        defer { numa_bitmask_free(mask) }
        for cpu in cpus { numa_bitmask_setbit(mask, UInt32(cpu)) }
        return numa_sched_setaffinity(0, mask) == 0
    }

    /// The host CPUs the calling thread may run on, read back with `numa_sched_getaffinity(0, ...)`.
    public static func currentThreadAffinity() -> [Int] {
        guard numa_available() >= 0 else { return [] }
        guard let mask = numa_allocate_cpumask() else { return [] }
        defer { numa_bitmask_free(mask) }
        guard numa_sched_getaffinity(0, mask) >= 0 else { return [] }
        return HostCPUSet(bitmask: mask).cpus
    }
}
