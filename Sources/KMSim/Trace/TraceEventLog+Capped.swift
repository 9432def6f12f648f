/// What `kmsim` says when a trace was capped: how many events were left out, from which instant of the
/// run's clock, and how long a `--duration` would have fit.
extension TraceEventLog.Dropped {
    /// One warning per cap that was reached (none when nothing was left out). `capacity` and
    /// `fastPathCapacity` are the caps the run used; `lanes` counts slices left out because a CPU side
    /// needed more than `PerfettoTrace.maxLanes` lanes.
    public func warnings(capacity: Int = TraceEventLog.defaultCapacity,
                         fastPathCapacity: Int = TraceEventLog.defaultFastPathCapacity, lanes: Int = 0) -> [String] {
        var warnings: [String] = []
        if events > 0 {
            let when = firstEventNs.map { " from \(Self.instant($0)) of the run's clock on" } ?? ""
            warnings.append("--trace: the trace keeps at most \(capacity) events (slow paths, reclaim, compaction, interrupts, "
                            + "lock waits, ...); \(events) event(s)\(when) were left out. Trace a shorter --duration"
                            + (firstEventNs.map { " (\(Self.fitting($0)) fits)" } ?? "") + " to see them all")
        }
        if fastPath > 0 {
            let when = firstFastPathNs.map { " from \(Self.instant($0)) of the run's clock on" } ?? ""
            warnings.append("--trace-all: the trace keeps at most \(fastPathCapacity) allocations and frees; \(fastPath) of them\(when) "
                            + "were left out (the other events have room of their own and are all kept). Trace a shorter --duration"
                            + (firstFastPathNs.map { " (\(Self.fitting($0)) fits)" } ?? "") + " to see every allocation and free")
        }
        if lanes > 0 {
            warnings.append("--trace: \(lanes) slice(s) were left out because they overlapped more than \(PerfettoTrace.maxLanes) "
                            + "others on one CPU side")
        }
        return warnings
    }

    /// An instant of the run's clock to three significant digits, `5.11ms`.
    static func instant(_ nanoseconds: Int64) -> String {
        var value = max(0, nanoseconds)
        var scale: Int64 = 1
        while value >= 1000 {
            value = (value + 5) / 10
            scale *= 10
        }
        return TimeSpan.format(Double(value * scale) / 1e9)
    }

    /// A `--duration` no longer than `nanoseconds`, rounded down to two significant digits (at least 1 µs).
    static func fitting(_ nanoseconds: Int64) -> String {
        var value = max(1_000, nanoseconds)
        var scale: Int64 = 1
        while value >= 100 {
            value /= 10
            scale *= 10
        }
        return TimeSpan.format(Double(max(1_000, value * scale)) / 1e9)
    }
}
