import Synchronization

/// The OOM killer's state (mm/oom_kill.c): `oom_lock` and the kill count.
///
/// `oom_lock` is a mutex in the kernel that the allocator only ever trylocks
/// (`__alloc_pages_may_oom()` sleeps a jiffy and retries when it is taken), so kmsim makes it an
/// instrumented `SpinLock` of class `oom_lock` taken with `tryLock`: the holder never sleeps while
/// holding it (kills are synchronous) and waiters wait by sleeping outside it.
public final class OOMKiller: Sendable {
    /// `oom_lock`.
    public let oomLock: SpinLock
    let kills = Atomic<Int>(0)

    init(lockClass: LockClass) {
        oomLock = SpinLock(class: lockClass)
    }

    /// `out_of_memory()`'s `panic("System is deadlocked on memory\n")` when nothing can be killed.
    public static let oomPanicReason = "System is deadlocked on memory"

    /// Tasks killed so far.
    public var killCount: Int { kills.load(ordering: .relaxed) }

    /// `oom_badness()`: resident pages + swap entries + the task's kernel pages (the kernel's page
    /// tables), plus `oom_score_adj` in thousandths of all memory and swap; nil for an unkillable task
    /// (OOM_SCORE_ADJ_MIN) or one already dying.
    public static func badness(_ task: SimulatedTask, totalPages: Int) -> Int? {
        if task.oomScoreAdj == SimulatedTask.oomScoreAdjMin || task.oomVictim { return nil }
        let points = task.anonRSS + task.fileRSS + task.swapEntries + task.kernelPages
        return points + task.oomScoreAdj * (totalPages / 1000)
    }
}

extension BugKind {
    /// `out_of_memory()`'s kill report ("... invoked oom-killer", "Out of memory: Killed process ...").
    public static let oomKill = BugKind("oom_kill")
    /// `out_of_memory()` with nothing to kill ("Out of memory and no killable processes..."): kmsim
    /// logs it with the panic that follows, as kind `kernelPanic` (see `PageReclaim.outOfMemory`).
    public static let oomNoVictim = BugKind("oom_no_killable_process")
}

extension PageReclaim {
    /// `totalpages` of `oom_badness()`: RAM plus swap.
    var oomTotalPages: Int { allocator.spec.pagesPerNode * allocator.spec.nodes + swap.totalPages }

    /// `out_of_memory()` for a global OOM, called with `oom_lock` held: picks the task with the highest
    /// badness (`select_bad_process()`), reports it as `dump_header()` and `__oom_kill_process()` do,
    /// frees its user memory (what the OOM reaper and exit would), calls the runner's kill hook and
    /// forgets the task. Returns whether anything was done (`true` also for a `!__GFP_FS` request, for
    /// which the kernel does not kill but reports progress, "The OOM killer does not compensate for
    /// IO-less reclaim").
    ///
    /// Who may be picked: the tasks registered with `registerTask` (the memory users: user processes with
    /// an mm, whose RSS, swap and page tables count), unless `oom_score_adj` is -1000 or they are already
    /// dying. Task group tasks, interrupt handlers, kswapd and kworkers model kernel threads (no mm) and
    /// are never picked. With nothing to pick the kernel logs "Out of memory and no killable
    /// processes..." and panics ("System is deadlocked on memory"): kmsim logs both once and panics the
    /// simulated machine (`BugReports.panic`); the run stops there. A request racing the panic (or made
    /// after it) returns false without logging.
    func outOfMemory(gfp: GFPFlags, order: Int, context: ExecutionContext) -> Bool {
        if !gfp.contains(.fs) { return true }
        if bugReports.hasPanicked { return false }
        let total = oomTotalPages
        var victim: (slot: Int, task: SimulatedTask, points: Int)?
        for (slot, task) in tasks.snapshot() {
            guard let points = OOMKiller.badness(task, totalPages: total) else { continue }
            if let best = victim, best.points >= points { continue }
            victim = (slot, task, points)
        }
        let header = dumpHeader(gfp: gfp, order: order, context: context)
        guard let victim, tasks.markVictim(slot: victim.slot) else {
            bugReports.panic(OOMKiller.oomPanicReason, log: header + "Out of memory and no killable processes...\n")
            return false
        }
        let task = victim.task
        let kB = MachineSpec.pageSize / 1024
        let nodes = allocator.nodes.count > 1 ? "0-\(allocator.nodes.count - 1)" : "0"
        bugReports.record(.oomKill, header + """
            oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=\(nodes),global_oom,task_memcg=/,task=\(String(task.comm.prefix(15))),pid=\(task.pid),uid=0
            Out of memory: Killed process \(task.pid) (\(String(task.comm.prefix(15)))) total-vm:\(task.totalVM * kB)kB, anon-rss:\(task.anonRSS * kB)kB, file-rss:\(task.fileRSS * kB)kB, shmem-rss:0kB, UID:0 pgtables:\(task.kernelPages * kB)kB oom_score_adj:\(task.oomScoreAdj)

            """)
        vmstat.count(.oomKill, 1, context: context)
        oomKiller.kills.add(1, ordering: .relaxed)
        let log = allocator.eventLog
        if log.isEnabled { log.recordInstant(.oomKill, track: log.track(of: context), argument: Int64(task.pid)) }
        if let entry = tasks.unregister(slot: victim.slot) {
            for region in entry.regions { teardown(region, context: context) }
            entry.onKill?(task.pid, context)
        }
        return true
    }

    /// `dump_header()`'s first line (`"%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd"`)
    /// and the `dump_stack()` line.
    func dumpHeader(gfp: GFPFlags, order: Int, context: ExecutionContext) -> String {
        "\(PageAllocator.comm(context)) invoked oom-killer: gfp_mask=0x\(String(gfp.rawValue, radix: 16))(\(gfp)), order=\(order), oom_score_adj=0\n"
            + debug.dumpStackInfo(context: context) + "\n"
    }
}
