/// `reclaim_throttle()` (mm/vmscan.c, 6.12): a reclaimer that is not getting anywhere sleeps on its
/// node's wait queue for the reason's timeout, or until reclaim elsewhere makes the wait pointless.
extension PageReclaim {
    /// `enum vmscan_throttle_state`, the reasons kmsim has.
    enum ThrottleReason {
        /// Dirty pages the reclaimer may not write are waiting on writeback (`VMSCAN_THROTTLE_WRITEBACK`):
        /// HZ/10, woken when SWAP_CLUSTER_MAX pages have been written since the first waiter came.
        case writeback
        /// No progress at the highest priority (`VMSCAN_THROTTLE_NOPROGRESS`): one jiffy (HZ = 1000),
        /// woken when a reclaimer gets above 12 % efficiency.
        case noProgress

        var timeout: Duration {
            switch self {
            case .writeback: .milliseconds(100)
            case .noProgress: .milliseconds(1)
            }
        }
    }

    /// Sleeps for `reason`. Only tasks in process context get here (reclaim is `async`).
    nonisolated(nonsending)
    func reclaimThrottle(node: Int, reason: ThrottleReason, context: ExecutionContext) async {
        let log = allocator.eventLog
        let traced = log.isEnabled ? log.now() : nil
        defer { if let traced { log.recordSlice(.throttle, track: log.track(of: context), since: traced, argument: Int64(node)) } }
        let state = nodeStates[node]
        switch reason {
        case .writeback:
            count(.throttleWriteback, cpu: context.cpu)
            if state.writebackThrottled.add(1, ordering: .relaxed).newValue == 1 {
                state.reclaimStart.store(state.written.load(ordering: .relaxed), ordering: .relaxed)
            }
            _ = await state.writebackWait.wait(context: context, timeout: reason.timeout)
            state.writebackThrottled.subtract(1, ordering: .relaxed)
        case .noProgress:
            count(.throttleNoProgress, cpu: context.cpu)
            _ = await state.noProgressWait.wait(context: context, timeout: reason.timeout)
        }
    }

    /// `consider_reclaim_throttle()`: wakes the NOPROGRESS sleepers when this pass reclaimed more than an
    /// eighth of what it scanned; throttles a direct reclaimer that got nothing at priority 1.
    nonisolated(nonsending)
    func considerReclaimThrottle(nodes: [Int], _ sc: ScanControl, context: ExecutionContext) async {
        if sc.nrReclaimed > sc.nrScanned >> 3 {
            for node in nodes where nodeStates[node].noProgressWait.waiterCount > 0 {
                nodeStates[node].noProgressWait.wakeAll()
            }
        }
        if sc.isKswapd { return }
        if sc.priority == 1 && sc.nrReclaimed == 0, let node = nodes.first {
            await reclaimThrottle(node: node, reason: .noProgress, context: context)
        }
    }
}
