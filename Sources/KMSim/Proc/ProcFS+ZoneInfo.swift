extension ProcFS {
    /// The zone counters /proc/zoneinfo prints (`zone_stat_item` names, 6.12). kmsim maintains
    /// nr_free_pages; the LRU, mlock, bounce, zsmalloc and CMA counters belong to later issues and read 0.
    static let zoneStatNames = [
        "nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon", "nr_zone_inactive_file",
        "nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock", "nr_bounce",
        "nr_zspages", "nr_free_cma",
    ]

    /// /proc/zoneinfo (`zoneinfo_show_print()`, 6.12) for every zone of every node: the watermarks, the
    /// zone counters and NUMA events, then per online CPU its pageset (`count`, `high`, `batch`,
    /// `high_min`, `high_max`) and its `vm stats threshold`, then `node_unreclaimable` and `start_pfn`.
    /// The per-node stats block the kernel prints before a node's first populated zone is left out
    /// (kmsim keeps no node LRU statistics yet).
    public static func zoneinfo(_ machine: Machine) -> String {
        var text = ""
        for node in 0..<machine.spec.nodes {
            for type in ZoneType.allCases {
                text += zoneinfo(machine.pageAllocator.zone(node: node, type: type), machine: machine)
            }
        }
        return text
    }

    static func zoneinfo(_ zone: Zone, machine: Machine) -> String {
        var text = "Node \(zone.node), zone \(padLeft(zone.type.kernelName, 8))"
        text += "\n  pages free     \(zone.freePages)"
        text += "\n        boost    \(zone.watermarkBoost)"
        text += "\n        min      \(zone.watermarkMin)"
        text += "\n        low      \(zone.watermarkLow)"
        text += "\n        high     \(zone.watermarkHigh)"
        text += "\n        promo    \(zone.watermarkPromo)"
        text += "\n        spanned  \(zone.spannedPages)"
        text += "\n        present  \(zone.presentPages)"
        text += "\n        managed  \(zone.managedPages)"
        text += "\n        cma      0"
        text += "\n        protection: (" + zone.lowmemReserve.map(String.init).joined(separator: ", ") + ")"
        guard zone.isPopulated else { return text + "\n" }
        for name in zoneStatNames {
            text += "\n      \(padRight(name, 12)) \(name == "nr_free_pages" ? zone.freePages : 0)"
        }
        for item in NUMAStatItem.allCases {
            text += "\n      \(padRight(item.kernelName, 12)) \(zone.numaEvents.sum(item.rawValue))"
        }
        text += "\n  pagesets"
        let threshold = statThreshold(zone, machine: machine)
        for cpu in 0..<machine.spec.cpuCount {
            let pcp = zone.pcpSnapshot(cpu: cpu, lockingCPU: cpu)
            text += "\n    cpu: \(cpu)"
            text += "\n              count:    \(pcp.count)"
            text += "\n              high:     \(pcp.high)"
            text += "\n              batch:    \(pcp.batch)"
            text += "\n              high_min: \(pcp.highMin)"
            text += "\n              high_max: \(pcp.highMax)"
            text += "\n  vm stats threshold: \(threshold)"
        }
        text += "\n  node_unreclaimable:  \(nodeUnreclaimable(machine, node: zone.node) ? 1 : 0)"
        text += "\n  start_pfn:           \(zone.startPFN)"
        return text + "\n"
    }

    /// zoneinfo's `node_unreclaimable`: `pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES` (16 kswapd runs
    /// in a row that reclaimed nothing; the node is hopeless until a page is freed or reclaimed).
    static func nodeUnreclaimable(_ machine: Machine, node: Int) -> Bool {
        machine.reclaim.nodeStates[node].kswapdFailures.load(ordering: .relaxed) >= PageReclaim.maxReclaimRetries
    }

    /// The `vm stats threshold` of `zone`'s pagesets: `calculate_normal_threshold()`, or
    /// `calculate_pressure_threshold()` while the node's kswapd is awake and the zone's per-CPU drift
    /// could take it from low to below min (`percpu_drift_mark` set by `refresh_zone_stat_thresholds()`);
    /// `kswapd_try_to_sleep()` switches them with `set_pgdat_percpu_threshold()` around its sleep.
    static func statThreshold(_ zone: Zone, machine: Machine) -> Int {
        let cpus = machine.spec.cpuCount
        let normal = statThreshold(managedPages: zone.managedPages, onlineCPUs: cpus)
        let kswapd = machine.reclaim.kswapds[zone.node]
        guard kswapd.kthread.isStarted && !kswapd.isSleeping,
              hasPercpuDriftMark(normalThreshold: normal, zone: zone, onlineCPUs: cpus) else { return normal }
        return pressureThreshold(low: zone.watermarkLow, min: zone.watermarkMin, onlineCPUs: cpus)
    }

    /// `refresh_zone_stat_thresholds()`: a zone gets a `percpu_drift_mark` when every CPU's allowed drift
    /// together (`num_online_cpus() * threshold`) exceeds the distance from low to min.
    static func hasPercpuDriftMark(normalThreshold: Int, zone: Zone, onlineCPUs: Int) -> Bool {
        onlineCPUs * normalThreshold > zone.watermarkLow - zone.watermarkMin
    }

    /// `calculate_pressure_threshold()`: `(low - min) / online CPUs`, at least 1 and at most 125.
    static func pressureThreshold(low: Int, min minimum: Int, onlineCPUs: Int) -> Int {
        min(125, max(1, (low - minimum) / max(onlineCPUs, 1)))
    }

    /// `calculate_normal_threshold()`: the per-CPU vmstat drift allowed before folding,
    /// `2 * fls(cpus) * (1 + fls(managed in 128 MiB units))`, at most 125.
    static func statThreshold(managedPages: Int, onlineCPUs: Int) -> Int {
        func fls(_ value: Int) -> Int { value <= 0 ? 0 : Int.bitWidth - value.leadingZeroBitCount }
        let memory = managedPages >> (27 - MachineSpec.pageShift)
        return min(125, 2 * fls(onlineCPUs) * (1 + fls(memory)))
    }
}
