/// A workload's `highalloc:` section: mmtests' stress-highalloc passes. A task on `cpu` tries to allocate
/// and keep `share` of the machine's memory in blocks of `order` (GFP_HIGHUSER_MOVABLE|__GFP_NOWARN), one
/// attempt every `interval`, from `start` on while the rest of the workload loads the machine (pass 1);
/// frees them and does it again at once (pass 2); then the load is released (the other tasks pause at
/// their next batch), clean page cache and slab caches are dropped (`echo 3 > drop_caches`) and pass 3
/// runs at rest.
public struct HighallocSpec: Sendable, Equatable {
    public var cpu = 0
    public var order = 9
    /// Share of the machine's memory requested per pass, 0...1.
    public var share = 0.5
    /// Seconds between attempts (the allocation rate).
    public var intervalSeconds = 0.01
    /// Seconds into the run when pass 1 begins; nil for a quarter of the run's duration (1 s in
    /// operation-count mode).
    public var startSeconds: Double?

    public init() {}

    /// Blocks each pass asks for on `machine`.
    public func requested(on machine: MachineSpec) -> Int {
        let blocks = Double((machine.memoryPerNode * UInt64(machine.nodes)) >> UInt64(MachineSpec.pageShift + order))
        return max(1, Int(blocks * share))
    }
}
