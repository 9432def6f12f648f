import KMSim

/// What `kmsim gfp` says about a GFP mask; encoded as the `--json` object and printed as text.
struct GFPReport: Encodable {
    /// A JSON value that is written as `null` when absent instead of being left out.
    struct Nullable<Value: Encodable>: Encodable {
        let value: Value?
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            if let value { try container.encode(value) } else { try container.encodeNil() }
        }
    }

    let expression: String
    let mask: String
    let value: UInt32
    let flags: String
    let bits: [String]
    let zone: String
    let zonelist: [String]
    let migratetype: String
    let maySleep: Bool
    let contexts: String
    let wakesKswapd: Bool
    let directReclaim: Bool
    let mayIO: Bool
    let mayFS: Bool
    let usesReserves: Bool
    let noFail: Bool
    let noRetry: Bool
    let retryMayFail: Bool
    let warnsOnFailure: Bool
    let fastPathWatermark: String
    let slowPathWatermark: String
    let reserveFractionOfMin: Nullable<Double>
    let allocFlags: String
    let retryAllocFlags: String
    let onFailure: String
    /// The outcome keys (`AllocationOutcome.key`) an order-0 allocation with this mask can end in.
    let outcomes: [String]
    /// The same for an allocation above order 0, which direct compaction may serve.
    let outcomesAboveOrder0: [String]
    let warnings: [String]

    /// Builds the report; throws the zone error for an invalid zone combination.
    init(expression: String, parsed: GFPParseResult) throws(GFPZoneError) {
        let gfp = parsed.flags
        self.expression = expression
        mask = gfp.hexString
        value = gfp.rawValue
        flags = gfp.description
        bits = gfp.bitNames
        zone = try gfp.zone().kernelName
        zonelist = try gfp.zonelistOrder().map(\.kernelName)
        migratetype = gfp.migratetype.kernelName
        maySleep = gfp.allowsBlocking
        contexts = gfp.allowsBlocking
            ? "process context only: it may sleep in direct reclaim, compaction and the OOM killer"
            : "any context, including hard IRQ, softirq and under spinlocks (it never sleeps; NMI is not supported)"
        wakesKswapd = gfp.wakesKswapd
        directReclaim = gfp.allowsBlocking
        mayIO = gfp.mayIO
        mayFS = gfp.mayFS
        usesReserves = gfp.usesReserves
        noFail = gfp.isNoFail
        noRetry = gfp.isNoRetry
        retryMayFail = gfp.isRetryMayFail
        warnsOnFailure = !gfp.contains(.noWarn)
        fastPathWatermark = "low"
        let first = gfp.allocFlags()
        let retry = gfp.slowPathRetryAllocFlags()
        allocFlags = first.kernelDescription
        retryAllocFlags = retry.kernelDescription
        let scale = 1 << 20
        if let minimum = retry.effectiveMinimum(scale) {
            slowPathWatermark = "min"
            reserveFractionOfMin = Nullable(value: Double(minimum) / Double(scale))
        } else {
            slowPathWatermark = "none"
            reserveFractionOfMin = Nullable(value: nil)
        }
        onFailure = Self.failureBehaviour(gfp)
        outcomes = gfp.reachableOutcomes().map(\.key)
        outcomesAboveOrder0 = gfp.reachableOutcomes(order: 1).map(\.key)
        var warnings = parsed.warnings
        if gfp.hasConflictingMobility {
            warnings.append("__GFP_MOVABLE|__GFP_RECLAIMABLE together trip VM_WARN_ON in gfp_migratetype() and select MIGRATE_HIGHATOMIC")
        }
        self.warnings = warnings
    }

    /// How `__alloc_pages_slowpath` ends when memory stays short, by the retry modifiers.
    private static func failureBehaviour(_ gfp: GFPFlags) -> String {
        if gfp.isNoFail {
            return "never fails: __GFP_NOFAIL loops until memory is found"
        }
        if !gfp.allowsBlocking {
            return "fails at once when no zone passes its watermark: no direct reclaim, no retries"
        }
        if gfp.isNoRetry {
            return "one round of direct reclaim/compaction, then fails; no OOM killer"
        }
        if gfp.isRetryMayFail {
            return "retries reclaim while it makes progress, then fails; no OOM killer"
        }
        return "retries reclaim (up to 16 rounds without progress) and then invokes the OOM killer for order <= 3; "
            + "costly orders (> 3) fail instead"
    }

    /// The human-readable form.
    var text: String {
        func yesNo(_ flag: Bool) -> String { flag ? "yes" : "no" }
        let noDirect = directReclaim ? "" : " (no effect without direct reclaim)"
        let slowPath: String
        if let fraction = reserveFractionOfMin.value {
            slowPath = fraction == 1
                ? "MIN"
                : "MIN, and it may go down to \(Self.percent(fraction)) of min"
        } else {
            slowPath = "MIN first, then no watermarks at all: it may take the last free page"
        }
        var lines = [
            "mask:          \(mask) (\(value))",
            "flags:         \(flags.isEmpty ? "(none: %pGg prints nothing for 0)" : flags)",
            "bits:          \(bits.isEmpty ? "-" : bits.joined(separator: "|"))",
            "zone:          \(zone)",
            "zonelist:      \(zonelist.joined(separator: " -> "))",
            "migratetype:   \(migratetype)",
            "may sleep:     \(yesNo(maySleep)): \(contexts)",
            "reclaim:",
            "  kswapd wakeup:                 \(yesNo(wakesKswapd))",
            "  direct reclaim:                \(yesNo(directReclaim))",
            "  I/O (swap-out):                \(yesNo(mayIO))\(mayIO ? noDirect : "")",
            "  FS (writeback, fs shrinkers):  \(yesNo(mayFS))\(mayFS ? noDirect : "")",
            "watermark:",
            "  fast path:   LOW",
            "  slow path:   \(slowPath)",
            "  alloc flags: \(allocFlags)",
        ]
        if retryAllocFlags != allocFlags {
            lines.append("  retry flags: \(retryAllocFlags)")
        }
        let report = warnsOnFailure ? "prints a page allocation failure report" : "silent (__GFP_NOWARN)"
        lines.append("on failure:    \(onFailure); \(report)")
        let reachable = outcomes.compactMap { key in AllocationOutcome.allCases.first { $0.key == key }?.description }
            .joined(separator: ", ")
        lines.append("outcomes:      \(reachable) (the rows kmsim run's \"where allocations were served\" table can show)")
        if outcomesAboveOrder0 != outcomes {
            lines.append("  above order 0: also after compaction (direct compaction needs order > 0 and __GFP_IO)")
        }
        return lines.joined(separator: "\n")
    }

    /// 0.375 → "37.5 %", 0.5 → "50 %".
    private static func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) %" : "\(tenths / 10).\(tenths % 10) %"
    }
}
