extension ExecutionContext {
    /// `current_gfp_context()` (include/linux/sched/mm.h, 6.12): applies the task's scoped allocation
    /// constraints to a GFP mask. `PF_MEMALLOC_NOIO` clears `__GFP_IO | __GFP_FS` and takes precedence (it is
    /// the weaker context); otherwise `PF_MEMALLOC_NOFS` clears `__GFP_FS`. (`PF_MEMALLOC_PIN`, which clears
    /// `__GFP_MOVABLE`, is not modelled.)
    public func currentGFPContext(_ gfp: GFPFlags) -> GFPFlags {
        if taskFlags.contains(.memallocNoIO) { return gfp.subtracting([.io, .fs]) }
        if taskFlags.contains(.memallocNoFS) { return gfp.subtracting(.fs) }
        return gfp
    }
}
