/// `lock_stats()`: folds a class's per-CPU rows into one `LockClassStats`, as /proc/lock_stat's open
/// does before printing. Writers are not stopped, so fields may be from slightly different moments.
extension LockClass {
    /// The class's statistics summed over every CPU.
    public func snapshot() -> LockClassStats {
        func time(count: Int, min: Int, max: Int, total: Int) -> LockTime {
            LockTime(min: stats.minimum(min) ?? 0, max: stats.maximum(max),
                     total: stats.sum(total), nr: Int(stats.sum(count)))
        }
        func points(_ table: LockSiteTable, base: Int) -> [LockContentionPoint] {
            table.names().enumerated().map { slot, site in
                LockContentionPoint(site: site, count: Int(stats.sum(base + slot)))
            }
        }
        return LockClassStats(
            name: name,
            contentionPoints: points(contentionSites, base: LockStatField.contentionPoint),
            contendingPoints: points(contendingSites, base: LockStatField.contendingPoint),
            waitTime: time(count: LockStatField.contentions, min: LockStatField.waitMin,
                           max: LockStatField.waitMax, total: LockStatField.waitTotal),
            holdTime: LockTime(min: stats.minimum(LockStatField.holdMin) ?? 0,
                               max: stats.maximum(LockStatField.holdMax),
                               total: stats.sum(LockStatField.holdTotal), nr: Int(acquisitionCount())),
            conBounces: Int(stats.sum(LockStatField.conBounces)),
            acqBounces: Int(stats.sum(LockStatField.acqBounces)))
    }
}
