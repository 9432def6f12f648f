import Testing
@testable import KMSim

/// /proc/lock_stat against a hand-checked rendering of fixed synthetic statistics. The expected text
/// follows kernel/locking/lockdep_proc.c's `seq_header()` / `seq_stats()` printf formats.
struct SyncProcLockStatTests {
    static let expected = """
        lock_stat version 0.4
        -----------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------
                                      class name    con-bounces    contentions   waittime-min   waittime-max waittime-total   waittime-avg    acq-bounces   acquisitions   holdtime-min   holdtime-max holdtime-total   holdtime-avg
        -----------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------

                                     &zone->lock:             3              3           1.23          10.00          16.91           5.64              3              5           0.05        1000.00        1032.15         206.43
                                     -----------
                                     &zone->lock              2          [<0000000000000000>] rmqueue_bulk
                                     &zone->lock              2          [<0000000000000000>] free_pcppages_bulk
                                     -----------
                                     &zone->lock              1          [<0000000000000000>] free_one_page

        .............................................................................................................................................................................................................................

           &a_very_long_lock_class_name_for_trun:             0              1           0.01           0.01           0.01           0.01              0              1           0.01           0.01           0.01           0.01
           -------------------------------------
           &a_very_long_lock_class_name_for_trun              1          [<0000000000000000>] vmap_lock
                                      &pcp->lock:             0              0           0.00           0.00           0.00           0.00              0              2           0.04           0.06           0.10           0.05

        """

    @Test func rendersKernelLayout() {
        let registry = LockStatRegistry(cpuCount: 2)
        let zone = registry.lockClass(named: "&zone->lock")
        let pcp = registry.lockClass(named: "&pcp->lock")
        _ = registry.lockClass(named: "oom_lock")
        let long = registry.lockClass(named: "&a_very_long_lock_class_name_for_truncation->lock")

        zone.record(cpu: 0, waitTimes: [1234, 5678], holdTimes: [100, 2_000, 30_000], conBounces: 1,
                    acqBounces: 2, contentionSites: ["rmqueue_bulk", "rmqueue_bulk", "free_pcppages_bulk"],
                    contendingSites: ["free_one_page"])
        zone.record(cpu: 1, waitTimes: [10_000], holdTimes: [50, 999_995], conBounces: 2, acqBounces: 1,
                    contentionSites: ["free_pcppages_bulk"])
        pcp.record(cpu: 0, holdTimes: [40, 60])
        long.record(cpu: 1, waitTimes: [7], holdTimes: [8], contentionSites: ["vmap_lock"])

        let rendered = registry.renderProcLockStat()
        #expect(rendered == Self.expected)
        if rendered != Self.expected {
            for (got, want) in zip(rendered.split(separator: "\n", omittingEmptySubsequences: false),
                                   Self.expected.split(separator: "\n", omittingEmptySubsequences: false))
            where got != want {
                Issue.record("first differing line:\n\(got)\n\(want)")
                break
            }
        }
    }

    @Test func headerOnlyWhenNothingWasAcquired() {
        let registry = LockStatRegistry(cpuCount: 1)
        _ = registry.lockClass(named: "vmap_area_lock")
        let lines = registry.renderProcLockStat().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6)
        #expect(lines[0] == "lock_stat version 0.4")
        #expect(lines[1] == Substring(String(repeating: "-", count: 221)))
        #expect(lines[2].count == 220)
        #expect(lines[4] == "" && lines[5] == "")
    }

    @Test(arguments: [(Int64(0), "0.00"), (4, "0.00"), (5, "0.01"), (1234, "1.23"), (1995, "2.00"),
                      (999_994, "999.99"), (999_995, "1000.00"), (123_456_789, "123456.79")])
    func snprintTime(nanoseconds: Int64, text: String) {
        #expect(LockStatRegistry.formatTime(nanoseconds) == text)
    }
}
