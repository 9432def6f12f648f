/// `--check`: the machine's invariants (`Machine.checkInvariants()`: page conservation and free-list
/// integrity per zone, the slab census) need the allocators still, so they are checked with the run
/// paused at a safe point (`RunGate`: no task batch and no interrupt handler in progress; tasks wait,
/// interrupts arriving meanwhile are dropped and counted). Two invariants hold at any instant and need no
/// pause: no sleeping wait was entered from atomic context (`atomicWaits` = 0), and the kernel log holds
/// no BUG report the workload did not provoke on purpose. The final check runs after every task and
/// interrupt source has stopped.
extension WorkloadRunner {
    /// What the checks found.
    struct CheckLog: Sendable {
        var checked = 0
        var violations: [String] = []
    }

    /// Violations kept in the report; the rest are counted.
    static let maximumViolationsKept = 100

    func checkPeriodically() async {
        let interval = max(nanoseconds(seconds: options.checkInterval), 10_000_000)
        while !isStopping && !Task.isCancelled {
            guard await scheduleTimeout(nanoseconds: interval) else { return }
            guard !isStopping else { return }
            await gate.pause()
            machine.vmalloc.waitForDeferredWork()
            recordCheck(machine.checkInvariants() + instantViolations())
            gate.resume()
        }
    }

    /// The final check; the caller has stopped the run and closed the gate.
    func checkInvariants(final: Bool) async {
        machine.vmalloc.waitForDeferredWork()
        var problems = machine.checkInvariants() + instantViolations()
        if final && options.injectInvariantViolation {
            problems.append("injected violation (test hook RunOptions.injectInvariantViolation)")
        }
        if let virtualClock {
            recordVirtualCheck(problems, at: virtualRun.stoppedAt ?? virtualClock.latest)
        } else {
            recordCheck(problems)
        }
    }

    /// A virtual-clock check: each violation names the simulated time and the seed, so re-running the
    /// workload with that seed reproduces it at that moment.
    func recordVirtualCheck(_ problems: [String], at time: Int64) {
        recordCheck(problems.map { "\($0) (virtual clock t=\(time) ns, seed \(spec.seed))" })
    }


    /// The invariants that hold at every instant.
    func instantViolations() -> [String] {
        var problems: [String] = []
        let atomicWaits = debug.atomicWaits
        if atomicWaits > 0 {
            problems.append("atomicWaits is \(atomicWaits): a sleeping wait was entered from atomic context")
        }
        let provoked = provokedBugKinds
        for (kind, count) in machine.bugReports.counts.sorted(by: { $0.key.rawValue < $1.key.rawValue })
        where !Self.nonBugKinds.contains(kind) && !provoked.contains(kind) {
            problems.append("\(count) \(kind.rawValue) report(s) the workload did not provoke")
        }
        return problems
    }

    /// A problem found outside a check (an interrupt source that did not start): reported as a violation.
    func recordViolation(_ problem: String) {
        checks.withLock { log in
            if !log.violations.contains(problem) && log.violations.count < Self.maximumViolationsKept {
                log.violations.append(problem)
            }
        }
    }

    func recordCheck(_ problems: [String]) {
        checks.withLock { log in
            log.checked += 1
            for problem in problems where !log.violations.contains(problem) && log.violations.count < Self.maximumViolationsKept {
                log.violations.append(problem)
            }
        }
    }
}
