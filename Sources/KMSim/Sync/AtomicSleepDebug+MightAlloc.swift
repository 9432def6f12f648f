extension AtomicSleepDebug {
    /// Where `might_alloc()`'s `might_sleep_if()` sits: it is an inline function in a header, so the kernel's
    /// report names the header, not the allocator's caller.
    public static let mightAllocFile = "include/linux/sched/mm.h"
    public static let mightAllocLine = 337

    /// `might_alloc(gfp)`: `might_sleep_if(gfpflags_allow_blocking(gfp))`. A blocking GFP mask from atomic
    /// context reports and counts; the allocation then proceeds without blocking. Returns true when the
    /// allocation may block (its mask allows it and the context may sleep).
    @discardableResult
    public func mightAlloc(gfp: GFPFlags, context: ExecutionContext,
                           file: String = AtomicSleepDebug.mightAllocFile,
                           line: Int = AtomicSleepDebug.mightAllocLine) -> Bool {
        guard gfp.allowsBlocking else { return false }
        return mightSleep(context: context, file: file, line: line)
    }
}
