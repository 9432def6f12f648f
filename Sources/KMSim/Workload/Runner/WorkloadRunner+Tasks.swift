/// The process-context side of a run: one simulated task per task group member, each running its mix in
/// batches of `options.batchOperations` per executor hop and awaiting between batches, so the CPU runs
/// its other tasks (and, once reclaim lands, sleeping allocations can wait) as under a PREEMPT_NONE
/// kernel's `cond_resched()`.
extension WorkloadRunner {
    struct StartedTasks {
        /// Task group members (the run in operation-count mode ends when they do).
        var workers: [Task<Void, Never>] = []
        /// Every task started, including bug tasks and drain workers.
        var all: [Task<Void, Never>] = []
    }

    /// First pid given to a workload task (`kmsim/101` in reports).
    static let firstPID: Int32 = 101

    func startTasks() -> StartedTasks {
        var started = StartedTasks()
        var pid = Self.firstPID
        for (groupIndex, group) in plan.groups.enumerated() {
            var ordinal = 0
            for cpu in group.cpus {
                for _ in 0..<group.spec.tasksPerCPU {
                    let task = cpus[cpu].startTask(pid: pid) { [ordinal] context, runqueue in
                        if group.spec.phases.isEmpty {
                            await self.runWorker(group: groupIndex, context: &context, runqueue: runqueue)
                        } else {
                            await self.runPhasedWorker(group: groupIndex, ordinal: ordinal, context: &context, runqueue: runqueue)
                        }
                        self.workerFinished()
                    }
                    started.workers.append(task)
                    pid += 1
                    ordinal += 1
                }
            }
        }
        for bug in plan.bugs where bug.spec.kind != .sleepingAllocInIRQ {
            for cpu in bug.cpus {
                started.all.append(cpus[cpu].startTask(pid: pid) { context, runqueue in
                    await self.runBugTask(bug, context: &context, runqueue: runqueue)
                })
                pid += 1
            }
        }
        let users = startMemoryUsers(from: pid)
        started.all += users.tasks
        pid = users.nextPID
        let withWorkers = Set(plan.groups.flatMap(\.cpus))
        for cpu in 0..<spec.machine.cpuCount where mailboxes.receives[cpu] && !withWorkers.contains(cpu) {
            started.all.append(cpus[cpu].startTask(pid: pid) { context, runqueue in
                await self.runDrainWorker(context: &context, runqueue: runqueue)
            })
            pid += 1
        }
        if let compactor = startCompaction(pid: pid) { started.all.append(compactor) }
        if let highalloc = startHighalloc(pid: pid + 1) { started.all.append(highalloc) }
        started.all += startVMStatUpdates(pid: pid + 2)
        started.all += started.workers
        return started
    }

    /// One task of a group: batches until the run stops (or its operation count is done).
    func runWorker(group groupIndex: Int, context: inout ExecutionContext, runqueue: isolated CPURunqueue) async {
        let group = plan.groups[groupIndex]
        let cpu = context.cpu
        var scratch = WorkerScratch(runner: self, group: group, context: context, lifetime: group.spec.lifetime)
        let counts = scratch.counts
        var limit = Int.max
        if case .operations(let n) = spec.length { limit = n }
        var batch = batchOperations
        if let rate = group.spec.opsPerSecond { batch = max(1, min(batch, Int(rate / 1000))) }
        let start = nowNanoseconds()
        var done = 0
        while done < limit && !isStopping && !Task.isCancelled {
            await gate.enter()
            let n = min(batch, limit - done)
            drainIncoming(cpu: cpu, context: context, counts: counts)
            done += await runBatch(group, operations: n, trace: scratch.trace, live: &scratch.live,
                                   generator: &scratch.generator, context: &context, counts: counts, runqueue: runqueue)
            gate.leave()
            counters.flush(counts, cpu: cpu)
            // A paced task sleeps until its next batch is due; one behind its pace (a slow host, a
            // debug build) calls cond_resched() like an unpaced one, so the CPU's other tasks (the
            // compact_memory writer, a memory user) still get their turn.
            if let rate = group.spec.opsPerSecond, case let due = start &+ UInt64(Double(done) / rate * 1e9),
               case let now = nowNanoseconds(), due > now {
                await scheduleTimeout(nanoseconds: due - now)
            } else {
                await runqueue.condResched()
            }
        }
    }

    /// Frees what other CPUs handed to this one, and the received interrupt objects whose lifetime ended.
    /// On the virtual clock they come from the CPU's one queue (`VirtualRemoteQueues`).
    /// Runs on the CPU's process side (inside a batch, or in the drain worker).
    func drainIncoming(cpu: Int, context: ExecutionContext, counts: UnsafeMutablePointer<Int64>) {
        let state = processStates[cpu]
        let now = nowNanoseconds()
        let log = machine.pageAllocator.eventLog
        let tracing = log.isEnabled
        /// Frees a received object, ending its `--trace` flow when its hand-over was sampled.
        func free(_ object: LiveObject) {
            if tracing { log.recordRemoteFree(address: object.address, track: .process(cpu: cpu)) }
            release(object, context: context)
        }
        func receive(_ received: RemoteObject) {
            let deferral = received.deferral
            if deferral >= 0, state.deferred[deferral] != nil {
                if let evicted = state.deferred[deferral]?.admit(received.object, now: now, using: &state.generator) {
                    free(evicted)
                }
            } else {
                free(received.object)
            }
        }
        if let queues = mailboxes.virtualQueues {
            queues.drain(cpu, receive)
        } else {
            for ring in mailboxes.incoming[cpu] {
                while let received = ring.pop() { receive(received) }
            }
        }
        for index in state.deferred.indices where state.deferred[index] != nil {
            while let expired = state.deferred[index]?.popExpired(now: now) {
                free(expired)
            }
        }
    }

    /// A kworker-like task on a CPU that receives objects but runs no workload task: drains every 200 µs.
    func runDrainWorker(context: inout ExecutionContext, runqueue: isolated CPURunqueue) async {
        let width = RunCounters.width(classCount: plan.classes.count)
        let counts = UnsafeMutablePointer<Int64>.allocate(capacity: width)
        counts.initialize(repeating: 0, count: width)
        defer { counts.deallocate() }
        while !isStopping && !Task.isCancelled {
            await gate.enter()
            drainIncoming(cpu: context.cpu, context: context, counts: counts)
            gate.leave()
            counters.flush(counts, cpu: context.cpu)
            await scheduleTimeout(nanoseconds: 200_000)
        }
    }
}
