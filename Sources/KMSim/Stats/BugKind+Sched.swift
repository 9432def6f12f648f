extension BugKind {
    /// `__might_resched()`: "BUG: sleeping function called from invalid context at ...".
    public static let sleepingInAtomic = BugKind("sleeping_function_invalid_context")
    /// `smp_call_function_many_cond()`'s warning: waiting for other CPUs from atomic context.
    public static let smpCallFromAtomic = BugKind("smp_call_function_from_atomic")
}
