import Testing
@testable import KMSim

struct SyncLockStatRegistryTests {
    @Test func sameNameSameClass() {
        let registry = LockStatRegistry(cpuCount: 2)
        let first = registry.lockClass(named: "vmap_area_lock")
        let again = registry.lockClass(named: "vmap_area_lock")
        let other = registry.lockClass(named: "free_vmap_area_lock")
        #expect(first === again)
        #expect(first !== other)
        #expect(registry.classes.map(\.name) == ["vmap_area_lock", "free_vmap_area_lock"])
    }

    @Test func snapshotSumsCPUsAndResetClears() {
        let registry = LockStatRegistry(cpuCount: 3)
        let zone = registry.lockClass(named: "&zone->lock")
        zone.record(cpu: 0, waitTimes: [300], holdTimes: [10, 20], conBounces: 1, contentionSites: ["a"])
        zone.record(cpu: 2, waitTimes: [100, 500], holdTimes: [5], acqBounces: 4, contentionSites: ["b", "a"])

        let stats = zone.snapshot()
        #expect(stats.waitTime == LockTime(min: 100, max: 500, total: 900, nr: 3))
        #expect(stats.holdTime == LockTime(min: 5, max: 20, total: 35, nr: 3))
        #expect(stats.conBounces == 1 && stats.acqBounces == 4)
        #expect(stats.contentionPoints == [LockContentionPoint(site: "a", count: 2),
                                           LockContentionPoint(site: "b", count: 1)])

        registry.reset()
        #expect(registry.snapshot() == [LockClassStats(name: "&zone->lock")])
    }

    @Test func onlyFourContentionPointsAreKept() {
        let registry = LockStatRegistry(cpuCount: 1)
        let lockClass = registry.lockClass(named: "&n->list_lock")
        lockClass.record(cpu: 0, contentionSites: ["s1", "s2", "s3", "s4", "s5", "s2"])
        #expect(lockClass.snapshot().contentionPoints.map(\.site) == ["s1", "s2", "s3", "s4"])
        #expect(lockClass.snapshot().contentionPoints.map(\.count) == [1, 2, 1, 1])
    }
}
