/// The terminal report's fault injection part: how many failures each capability forced and where
/// (Documentation/fault-injection/fault-injection.rst's failslab and fail_page_alloc).
extension RunReport {
    /// Sites the terminal report lists.
    static let topFaultSites = 8

    /// Whether fault injection forced any failure (the report then shows the `injected` column).
    var hasInjectedFailures: Bool {
        injectedFailures != .zero || classes.contains { $0.injected > 0 }
    }

    /// "fault injection: ..." and the sites with the most injected failures, then a blank line.
    var faultInjectionLines: [String] {
        var lines = ["fault injection: failslab forced \(injectedFailures.failslab) failure(s), "
            + "fail_page_alloc \(injectedFailures.failPageAlloc) (injected NULLs are also counted in failures)"]
        for site in injectedFailureSites.prefix(Self.topFaultSites) {
            lines.append("  " + Self.pad("\(site.fault) \(site.site)", 40) + Self.pad(site.gfp, 12) + Self.left(String(site.count), 10))
        }
        if injectedFailureSites.count > Self.topFaultSites {
            lines.append("  ... \(injectedFailureSites.count - Self.topFaultSites) more site(s) in the JSON report")
        }
        lines.append("")
        return lines
    }
}
