/// A hook for tests to inject synthetic lock_stat samples through the same accounting the lock uses.
extension LockClass {
    /// Records, on `cpu`, the given wait and hold samples (nanoseconds), bounces, and contention points
    /// (each site in `contentionSites` / `contendingSites` counted once per occurrence).
    func record(cpu: Int, waitTimes: [Int64] = [], holdTimes: [Int64] = [], conBounces: Int = 0,
                acqBounces: Int = 0, contentionSites: [StaticString] = [],
                contendingSites: [StaticString] = []) {
        for wait in waitTimes { recordWait(wait, cpu: cpu) }
        for hold in holdTimes { recordHoldTime(hold, cpu: cpu) }
        addRetiredAcquisitions(Int64(holdTimes.count))
        stats.add(LockStatField.conBounces, Int64(conBounces), cpu: cpu)
        stats.add(LockStatField.acqBounces, Int64(acqBounces), cpu: cpu)
        for site in contentionSites {
            recordContended(cpu: cpu, bounced: false, siteKey: LockSite.key(site), holderSiteKey: 0)
        }
        for site in contendingSites {
            recordContended(cpu: cpu, bounced: false, siteKey: 0, holderSiteKey: LockSite.key(site))
        }
    }
}
