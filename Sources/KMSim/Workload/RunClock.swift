/// Which engine runs a workload: the host's threads and clock, or the virtual clock.
public enum RunClock: String, Sendable, Equatable, CaseIterable {
    /// Real host threads, wall-clock time (the default): real races, ThreadSanitizer, the host's speed.
    case real
    /// Simulated time on one host thread (`VirtualClock`): deterministic, any machine size.
    case virtual
}
