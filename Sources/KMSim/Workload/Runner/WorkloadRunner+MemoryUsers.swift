import Synchronization

/// The workload's memory users: tasks that read and write page cache and fault anonymous memory through
/// the reclaim subsystem's memory-user API (`PageReclaim.readFile`/`writeFile`/`touchAnonymous`, and
/// `balanceDirtyPages` for writers under their `dirtyRatio`), so
/// their pages sit on the LRU lists where kswapd, direct reclaim and the OOM killer find them. Each is a
/// registered task (`registerTask`): the OOM killer may pick it, frees its memory and calls the runner's
/// kill hook, which stops the task.
extension WorkloadRunner {
    /// Pages a memory-user task touches per gate entry and executor hop.
    static let memoryUserBatch = 64
    /// Pages a writer dirties between `balance_dirty_pages_ratelimited()` checks (the kernel's
    /// `ratelimit_pages` floor of 32 pages).
    static let dirtyRatelimitPages = 32

    /// Starts every memory user's tasks from `pid` on; returns them and the next free pid.
    func startMemoryUsers(from firstPID: Int32) -> (tasks: [Task<Void, Never>], nextPID: Int32) {
        var tasks: [Task<Void, Never>] = []
        var pid = firstPID
        for user in spec.memoryUsers {
            for cpu in user.cpus.cpus(on: spec.machine) {
                for _ in 0..<user.tasksPerCPU {
                    tasks.append(cpus[cpu].startTask(pid: pid) { context, runqueue in
                        await self.runMemoryUser(user, context: context, runqueue: runqueue)
                    })
                    pid += 1
                }
            }
        }
        return (tasks, pid)
    }

    /// One memory-user task: maps its file or anonymous memory and touches it page by page, round and
    /// round, at `bandwidth` bytes per second (unthrottled without), until the run stops (its memory
    /// stays) or the OOM killer kills it (it exits: `do_exit()` frees what the kill left).
    ///
    /// Isolated to the CPU's runqueue like the task groups, and the memory-user API it calls is
    /// `nonisolated(nonsending)`, so a page that needs no reclaim never leaves the CPU's actor. (Run
    /// nonisolated, every page hopped to the CPU's queue behind the actor's own jobs, which the actor
    /// drains first while its allocating tasks keep yielding back to it: the writers got a few dozen
    /// turns a second and page cache never built up beside a task group.)
    func runMemoryUser(_ user: MemoryUserSpec, context: ExecutionContext, runqueue: isolated CPURunqueue) async {
        let reclaim = machine.reclaim
        let killed = KillFlag()
        guard let task = reclaim.registerTask(pid: context.pid, comm: user.name,
                                              onKill: { _, _ in killed.flag.store(true, ordering: .relaxed) }) else { return }
        let pages = max(1, Int(user.bytes / 4096))
        let region = user.kind == .anonymous ? reclaim.mapAnonymous(task, pages: pages) : reclaim.mapFile(task, pages: pages)
        let start = nowNanoseconds()
        let dirtyRatio = user.dirtyRatio ?? MemoryUserSpec.defaultDirtyRatio
        var dirtied = 0
        var index = 0
        var done = 0
        while !isStopping && !Task.isCancelled && !killed.flag.load(ordering: .relaxed) {
            await gate.enter()
            for _ in 0..<Self.memoryUserBatch where !killed.flag.load(ordering: .relaxed) {
                switch user.kind {
                case .pageCacheReader: _ = await reclaim.readFile(region, page: index, context: context)
                case .pageCacheWriter:
                    _ = await reclaim.writeFile(region, page: index, context: context)
                    dirtied += 1
                    if dirtied == Self.dirtyRatelimitPages {
                        dirtied = 0
                        await reclaim.balanceDirtyPages(region, dirtyRatio: dirtyRatio, context: context)
                    }
                case .anonymous: _ = await reclaim.touchAnonymous(region, page: index, context: context)
                }
                index = index + 1 == pages ? 0 : index + 1
            }
            gate.leave()
            done += Self.memoryUserBatch
            if let bandwidth = user.bandwidth, bandwidth > 0 {
                let due = start &+ nanoseconds(seconds: Double(done) * 4096 / Double(bandwidth))
                let now = nowNanoseconds()
                if due > now { await scheduleTimeout(nanoseconds: due - now) }
            } else {
                await runqueue.condResched()
            }
        }
        // A killed task exits: do_exit() frees what the kill left, like any other allocator work, so it
        // waits for an open gate (a --check walking the lists must not see it half done). A task still
        // alive when the run stops keeps its page cache and anonymous memory, as task groups keep their
        // live objects, so --proc-dir's meminfo and the LRU lists show the machine as the run left it.
        guard killed.flag.load(ordering: .relaxed) else { return }
        await gate.enter()
        reclaim.exitTask(task, context: context)
        gate.leave()
    }
}

/// Set by a task's OOM kill hook (any thread), read by the task between pages.
final class KillFlag: Sendable {
    let flag = Atomic<Bool>(false)
}
