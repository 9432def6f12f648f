/// Where kernel-style reports go (the simulated `dmesg`): each call receives one report's lines, without
/// trailing newlines. Counting is done by the reporter; the sink only stores or prints.
public typealias BugReportSink = @Sendable (_ lines: [String]) -> Void
