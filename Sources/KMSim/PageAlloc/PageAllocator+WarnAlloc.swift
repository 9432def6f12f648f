extension PageAllocator {
    /// `warn_alloc()` (mm/page_alloc.c, 6.12): "<comm>: <message>, mode:%#x(%pGg), nodemask=(null)" and
    /// the `dump_stack()` line, unless `__GFP_NOWARN`. Every caller (the page allocator's slow path and
    /// vmalloc's failures) shares one rate limit, `nopage_rs` (`10*HZ`, burst 1: one report per 10 s): a
    /// refused report is counted (`warnAllocSuppressed`), and the first report of a new interval after
    /// refusals is preceded by "warn_alloc: N callbacks suppressed".
    func warnAlloc(_ gfp: GFPFlags, _ message: String, context: ExecutionContext) {
        guard !gfp.contains(.noWarn) else { return }
        let decision = reclaimLink.allowWarning()
        guard decision.allowed else {
            reclaimLink.current?.count(.warnAllocSuppressed, cpu: context.cpu)
            return
        }
        let mode = "0x" + String(gfp.rawValue, radix: 16)
        let prefix = decision.suppressed > 0 ? "warn_alloc: \(decision.suppressed) callbacks suppressed\n" : ""
        let stack = reclaimLink.current?.debug.dumpStackInfo(context: context)
            ?? "CPU: \(context.cpu) PID: \(context.pid) Comm: \(Self.comm(context))"
        bugReports.record(.allocFailure, prefix + """
            \(Self.comm(context)): \(message), mode:\(mode)(\(gfp)), nodemask=(null)
            \(stack)

            """)
    }
}
