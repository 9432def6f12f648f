/// What the OOM killer knows of a simulated task (`task_struct` + `mm_struct` counters): identity,
/// `oom_score_adj` and its memory footprint. A value, read from the `TaskTable`.
public struct SimulatedTask: Sendable, Equatable {
    public var pid: Int32
    /// `task->comm` (at most 15 characters shown, as TASK_COMM_LEN).
    public var comm: String
    /// `signal->oom_score_adj`, -1000...1000; -1000 (OOM_SCORE_ADJ_MIN) is never killed.
    public var oomScoreAdj: Int
    /// `MM_ANONPAGES`: resident anonymous pages.
    public var anonRSS: Int
    /// `MM_FILEPAGES`: resident pages of the task's mapped files.
    public var fileRSS: Int
    /// `MM_SWAPENTS`: the task's pages on swap.
    public var swapEntries: Int
    /// Pages of kernel memory the runner attributes to the task (slab, kmalloc, vmalloc) and frees
    /// through the kill hook when the task dies; kmsim counts it in the badness like page tables.
    public var kernelPages: Int
    /// `mm->total_vm`: pages mapped (the regions' sizes).
    public var totalVM: Int
    /// Killed by the OOM killer (`tsk_is_oom_victim()`).
    public var oomVictim: Bool

    /// `OOM_SCORE_ADJ_MIN`.
    public static let oomScoreAdjMin = -1000
}

/// How a task dies when the OOM killer picks it: the runner's hook, called with the victim's pid after
/// kmsim has freed the task's user memory, frees what the runner owns for it (its slab objects, its
/// vmalloc areas) and stops its simulated work. It runs synchronously in the killing task's context
/// and must not sleep.
public typealias OOMKillHook = @Sendable (_ pid: Int32, _ context: ExecutionContext) -> Void
