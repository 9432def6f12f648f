/// The end of a run's running phase: the duration elapsed, every task group task did its operations, or
/// the simulated kernel panicked (`BugReports.panic`, e.g. `out_of_memory()` with nothing to kill). A
/// panic halts the kernel at once, so the run stops there: tasks see `isStopping`, a pending duration
/// wait is cut short, and the report is that of the run so far, with the panic named (exit status 3).
extension WorkloadRunner {
    func waitForEnd(workers: [Task<Void, Never>]) async {
        if let seconds = durationSeconds {
            let timer = Task { await scheduleTimeout(nanoseconds: nanoseconds(seconds: seconds)) }
            machine.bugReports.whenPanicked { [weak self] in
                self?.stopping.store(true, ordering: .relaxed)
                timer.cancel()
            }
            // A run of phased groups ends when their tasks do, the duration being a bound.
            let finisher = endsWithPhases ? Task {
                for task in workers { await task.value }
                timer.cancel()
            } : nil
            // The caller's cancellation still ends the wait, as when it slept in scheduleTimeout itself.
            _ = await withTaskCancellationHandler { await timer.value } onCancel: { timer.cancel() }
            finisher?.cancel()
        } else {
            machine.bugReports.whenPanicked { [weak self] in self?.stopping.store(true, ordering: .relaxed) }
            for task in workers { await task.value }
        }
    }
}
