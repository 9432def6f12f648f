/// Durations as users write them: `500ms`, `4s`, `2m`, `1.5s`, `250us`; a bare number is seconds.
///
/// The companion of `ByteSize` for time. (Not named `Duration`, which would shadow the standard
/// library's type throughout the module.) Parsing never traps: a missing number, an unknown unit, a
/// negative or non-finite value is nil.
public enum TimeSpan {
    /// Units and their length in seconds, longest spelling first so `ms` wins over `m`.
    private static let units: [(String, Double)] = [
        ("min", 60), ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// The longest duration any flag or key accepts (`--duration`, `duration:`, a lifetime): 10^6 s,
    /// about 11.6 days. Each duration becomes nanoseconds in a `UInt64` (a timer, a deadline of now plus
    /// the duration, an object's death time); the bound keeps every such value below 10^16 ns, far from
    /// the 1.8 × 10^19 at which the conversion would trap.
    public static let maximumSeconds: Double = 1_000_000
    /// `maximumSeconds` as messages and the README state it.
    public static let maximumText = "1000000s (about 11.6 days)"

    /// What a duration flag or key expects, for messages.
    public static func expected(allowZero: Bool = false) -> String {
        (allowZero ? "a duration" : "a duration above zero") + " of at most \(maximumText) such as 500ms, 4s or 2m"
    }

    /// Seconds within `0...maximumSeconds` (above zero unless `allowZero`), or nil: what every duration
    /// flag and key accepts.
    public static func parseDuration(_ text: String, allowZero: Bool = false) -> Double? {
        parse(text).flatMap { ($0 > 0 || allowZero) && $0 <= maximumSeconds ? $0 : nil }
    }

    /// Seconds, or nil when `text` is not a non-negative number with an optional unit.
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces()
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, let value = Double(number), value.isFinite else { return nil }
        let unit = trimmed.dropFirst(number.count).trimmingSpaces()
        if unit.isEmpty { return value }
        guard let scale = units.first(where: { $0.0 == unit })?.1 else { return nil }
        let seconds = value * scale
        return seconds.isFinite ? seconds : nil
    }

    /// Formats seconds with the largest unit that keeps the number at least 1: `500ms`, `4s`, `2m`.
    public static func format(_ seconds: Double) -> String {
        func trimmed(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        if seconds >= 60, (seconds / 60) == (seconds / 60).rounded() { return "\(trimmed(seconds / 60))m" }
        if seconds >= 1 || seconds == 0 { return "\(trimmed(seconds))s" }
        if seconds >= 1e-3 { return "\(trimmed((seconds * 1e3 * 1e6).rounded() / 1e6))ms" }
        return "\(trimmed((seconds * 1e6 * 1e3).rounded() / 1e3))us"
    }
}

/// Shares as users write them: `30%`, `0.5%`, or a fraction `0.3`. The result is a fraction in 0...1.
public enum Percentage {
    /// The fraction, or nil when `text` is not a percentage within 0%...100% or a fraction within 0...1.
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces()
        let isPercent = trimmed.hasSuffix("%")
        let number = isPercent ? String(trimmed.dropLast()).trimmingSpaces() : trimmed
        guard number.first.map({ $0.isASCII && ($0.isNumber || $0 == ".") }) == true,
              let value = Double(number), value.isFinite else { return nil }
        let fraction = isPercent ? value / 100 : value
        return (0...1).contains(fraction) ? fraction : nil
    }
}

/// Rates as users write them: `20000`, `20000/s`, and for bandwidths `64MiB/s`.
public enum Rate {
    /// Events per second, or nil when `text` is not a non-negative finite number with an optional `/s`.
    public static func parsePerSecond(_ text: String) -> Double? {
        let number = withoutPerSecond(text)
        guard number.first.map({ $0.isASCII && ($0.isNumber || $0 == ".") }) == true,
              let value = Double(number), value.isFinite else { return nil }
        return value
    }

    /// Bytes per second, or nil when `text` is not a byte size with an optional `/s`.
    public static func parseBandwidth(_ text: String) -> UInt64? {
        ByteSize.parse(withoutPerSecond(text))
    }

    /// A rate as messages and the README state it: `0.001`, `1000000`.
    public static func format(_ perSecond: Double) -> String {
        perSecond == perSecond.rounded() && abs(perSecond) < 1e15 ? String(Int64(perSecond)) : String(perSecond)
    }

    private static func withoutPerSecond(_ text: String) -> String {
        let trimmed = text.trimmingSpaces()
        return trimmed.hasSuffix("/s") ? String(trimmed.dropLast(2)).trimmingSpaces() : trimmed
    }
}
