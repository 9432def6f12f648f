/// /proc/lock_stat, byte for byte as kernel/locking/lockdep_proc.c prints it (`seq_header()`,
/// `seq_stats()`, `snprint_time()`), for the write-only classes kmsim has.
extension LockStatRegistry {
    /// Width of the table: `40 + 1 + 12 * (14 + 1)` in `seq_line()` calls.
    static let procLockStatWidth = 40 + 1 + 12 * (14 + 1)

    /// The contents of /proc/lock_stat: header, then one row per class that was ever acquired, sorted by
    /// contentions, most first (`lock_stat_cmp()`; the kernel's heap sort leaves ties in no particular
    /// order, kmsim keeps registration order), each contended class followed by its contention points.
    public func renderProcLockStat() -> String {
        let stats = snapshot().enumerated()
            .sorted { ($0.element.contentions, -$0.offset) > ($1.element.contentions, -$1.offset) }
            .map(\.element)
        return Self.renderProcLockStat(stats)
    }

    /// Renders already-gathered statistics in the order given.
    static func renderProcLockStat(_ stats: [LockClassStats]) -> String {
        var out = "lock_stat version 0.4\n"
        out += line("-", offset: 0, length: procLockStatWidth)
        let columns = ["con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total",
                       "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max",
                       "holdtime-total", "holdtime-avg"]
        out += pad("class name", 40) + columns.map { " " + pad($0, 14) }.joined() + "\n"
        out += line("-", offset: 0, length: procLockStatWidth)
        out += "\n"
        for classStats in stats {
            out += renderClass(classStats)
        }
        return out
    }

    /// `seq_stats()` for one class. A class never acquired prints nothing (the row is guarded by
    /// `write_holdtime.nr`), and only a contended class prints contention points.
    static func renderClass(_ stats: LockClassStats) -> String {
        guard stats.acquisitions > 0 else { return "" }
        // snprintf(name, 38, ...) keeps at most 37 bytes of the name.
        let name = String(decoding: Array(stats.name.utf8.prefix(37)), as: UTF8.self)
        let nameLength = name.utf8.count

        var out = pad(name, 40) + ":"
        out += pad(String(stats.conBounces), 14) + " "
        out += lockTime(stats.waitTime)
        out += " " + pad(String(stats.acqBounces), 14) + " "
        out += lockTime(stats.holdTime)
        out += "\n"

        guard stats.contentions > 0 else { return out }
        let noAddress = "[<0000000000000000>]"
        for (i, point) in stats.contentionPoints.prefix(LockStatField.points).enumerated() {
            if i == 0 { out += line("-", offset: 40 - nameLength, length: nameLength) }
            out += pad(name, 40) + " " + pad(String(point.count), 14) + " " + pad(noAddress, 29)
                + " " + point.site + "\n"
        }
        let contending = stats.contendingPoints.prefix(LockStatField.points)
        for (i, point) in contending.enumerated() {
            if i == 0 { out += line("-", offset: 40 - nameLength, length: nameLength) }
            out += pad(name, 40) + " " + pad(String(point.count), 14) + " " + pad(noAddress, 29)
                + " " + point.site + "\n"
        }
        // The kernel tests the contending loop's index here, so the closing dots follow only a class
        // with at least one contending point.
        if !contending.isEmpty {
            out += "\n" + line(".", offset: 0, length: procLockStatWidth) + "\n"
        }
        return out
    }

    /// `seq_lock_time()`: `%14lu` count, then ` %14s` min, max, total and average.
    static func lockTime(_ time: LockTime) -> String {
        pad(String(time.nr), 14) + [time.min, time.max, time.total, time.average]
            .map { " " + pad(formatTime($0), 14) }.joined()
    }

    /// `snprint_time()`: nanoseconds as microseconds with two decimals, rounded half up at the
    /// hundredth (`nr += 5`, then `%lld.%02d` of the quotient and remainder/10 by 1000).
    static func formatTime(_ nanoseconds: Int64) -> String {
        let rounded = nanoseconds + 5
        let (quotient, remainder) = rounded.quotientAndRemainder(dividingBy: 1000)
        let hundredths = Int(remainder / 10)
        return "\(quotient)." + (hundredths < 10 && hundredths >= 0 ? "0" : "") + "\(hundredths)"
    }

    /// `seq_line()`: `offset` spaces, `length` copies of `character`, newline.
    static func line(_ character: Character, offset: Int, length: Int) -> String {
        String(repeating: " ", count: max(offset, 0)) + String(repeating: character, count: max(length, 0))
            + "\n"
    }

    /// `%Ns`: right-justified in `width` columns, never truncated.
    static func pad(_ text: String, _ width: Int) -> String {
        let length = text.utf8.count
        return length >= width ? text : String(repeating: " ", count: width - length) + text
    }
}
