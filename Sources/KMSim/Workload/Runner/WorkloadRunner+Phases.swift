/// Phased task groups (`PhaseSpec`): each task runs the group's phases once, meeting the group's other
/// tasks at a barrier before each, and times every phase on the run's clock (simulated nanoseconds on
/// the virtual clock), as the LLFree benchmark module times its CPUs between barriers.
extension WorkloadRunner {
    /// How often a task waiting at a phase barrier looks again: 1 µs of simulated time on the virtual
    /// clock (where it costs an event), 20 µs on the real engine (a host timer each time).
    var barrierPollNanoseconds: UInt64 { virtualClock == nil ? 20_000 : 1_000 }

    /// One task of a phased group, `ordinal` among the group's tasks.
    func runPhasedWorker(group groupIndex: Int, ordinal: Int, context: inout ExecutionContext,
                         runqueue: isolated CPURunqueue) async {
        guard let state = phaseStates[groupIndex] else { return }
        let group = plan.groups[groupIndex]
        let cpu = context.cpu
        var scratch = WorkerScratch(runner: self, group: group, context: context, lifetime: .forever)
        let counts = scratch.counts
        for (index, phase) in group.spec.phases.enumerated() {
            if phase.action == .freeShuffled {
                state.handIn(scratch.live.takeAll(), ordinal: ordinal)
            }
            guard await passBarrier(index, of: state, shuffling: phase.action == .freeShuffled, group: groupIndex) else { return }
            let start = nowNanoseconds()
            var done = 0
            switch phase.action {
            case .allocate(let count):
                while done < count && !isStopping && !Task.isCancelled {
                    await gate.enter()
                    done += await runBatch(group, operations: min(batchOperations, count - done), trace: scratch.trace,
                                           live: &scratch.live, generator: &scratch.generator, context: &context,
                                           counts: counts, runqueue: runqueue)
                    gate.leave()
                    counters.flush(counts, cpu: cpu)
                    await runqueue.condResched()
                }
            case .freeOwn:
                done = await free(scratch.live.takeAll(), context: context, runqueue: runqueue)
            case .freeShuffled:
                done = await free(state.takeShare(ordinal: ordinal), context: context, runqueue: runqueue)
            }
            state.record(phase: index, ordinal: ordinal, .init(operations: done, nanoseconds: nowNanoseconds() &- start))
        }
    }

    /// Waits at the barrier before phase `barrier` until every task of the group has arrived; the last
    /// one shuffles the handed-in objects first when the phase is a shuffled free. False when the run
    /// stopped meanwhile.
    private func passBarrier(_ barrier: Int, of state: GroupPhaseState, shuffling: Bool, group: Int) async -> Bool {
        _ = state.arrive(at: barrier) {
            guard shuffling else { return }
            var generator = SplitMix64(seed: spec.seed ^ (UInt64(group) << 32 | UInt64(barrier)) &* 0xD1B5_4A32_D192_ED03)
            state.shuffle(using: &generator)
        }
        while !state.isReleased(barrier) {
            guard !isStopping, await scheduleTimeout(nanoseconds: barrierPollNanoseconds) else { return false }
        }
        return true
    }

    /// Frees `objects` in order on this CPU, a batch per executor hop; how many it freed (fewer when the
    /// run stopped).
    private func free(_ objects: [LiveObject], context: ExecutionContext, runqueue: isolated CPURunqueue) async -> Int {
        var done = 0
        while done < objects.count && !isStopping && !Task.isCancelled {
            await gate.enter()
            let end = min(objects.count, done + batchOperations)
            for index in done..<end { release(objects[index], context: context) }
            done = end
            gate.leave()
            await runqueue.condResched()
        }
        return done
    }

    /// Whether the run ends when its tasks do: every task group is phased (`duration` is then a bound).
    var endsWithPhases: Bool {
        !plan.groups.isEmpty && plan.groups.allSatisfy { !$0.spec.phases.isEmpty }
    }
}
