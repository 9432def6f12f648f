import ArgumentParser
import Foundation
import KMSim

/// `kmsim gfp EXPR`: explains a GFP mask the way the 6.12 page allocator reads it.
struct GFPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gfp",
        abstract: "Explain a GFP mask: %pGg names, zone, migratetype, reclaim and watermark (Linux 6.12).",
        discussion: """
            EXPR is written as in kernel C source: flag names joined by '|' (spaces allowed, names are \
            case-sensitive), or a hex (0x...) or decimal value. The old names __GFP_WAIT (now __GFP_RECLAIM) \
            and __GFP_HIGHIO (gone, ignored) are accepted with a warning.

            The report shows the value, the canonical names the kernel's %pGg prints, the target zone and the \
            zone fallback order, the migratetype, whether the caller may sleep (and so which contexts may use \
            the mask), which reclaim it allows, and the watermark it allocates against: the fast path always \
            checks LOW; the slow path checks MIN, less for __GFP_HIGH (50 % of min), GFP_ATOMIC (37.5 %), and \
            none at all for __GFP_MEMALLOC.

            Examples:
              kmsim gfp 'GFP_KERNEL | __GFP_ZERO'
              kmsim gfp GFP_ATOMIC
              kmsim gfp 0x820 --json
              kmsim gfp '__GFP_DMA|__GFP_HIGHMEM'     (invalid zone combination: error)
            """
    )

    @Argument(help: "The GFP expression, e.g. 'GFP_KERNEL|__GFP_ZERO' or 0xcc0.")
    var expression: String

    @Flag(name: .long, help: "Print a JSON object (sorted keys) instead of text.")
    var json = false

    func run() throws {
        let parsed: GFPParseResult
        let report: GFPReport
        do {
            parsed = try GFPFlags.parse(expression)
            report = try GFPReport(expression: expression, parsed: parsed)
        } catch {
            throw CLIError.badInput("\(error)")
        }
        for warning in report.warnings {
            printWarning(warning)
        }
        if json {
            try printJSON(report)
        } else {
            print(report.text)
        }
    }
}
