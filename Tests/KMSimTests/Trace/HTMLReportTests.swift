import Foundation
import Testing
@testable import KMSim

/// `--html`: one self-contained page whose plots hold data, read back as written and as headless Chromium
/// parses it.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct HTMLReportTests {
    static let plotPrefixes = ["free-pages-node0-", "ops-per-second", "latency-percentiles", "lock-wait",
                               "buddyinfo-node0-", "pageblocks-node0-", "reclaim-events", "pages-migrated"]

    static func result() async throws -> RunResult {
        let spec = try VirtualRunTests.stress(cpusPerNode: 2, memory: "64MiB", irqRate: 20_000)
        var options = RunOptions()
        options.durationSeconds = 0.002
        options.sampleEverySeconds = 0.0001
        return await (try WorkloadRunner(spec: spec, options: options)).run()
    }

    /// Every figure of `html`: its id and `data-points`.
    static func figures(_ html: String) -> [String: Int] {
        var figures: [String: Int] = [:]
        for piece in html.components(separatedBy: "<figure ").dropFirst() {
            guard let idRange = piece.range(of: "id=\""), let idEnd = piece[idRange.upperBound...].firstIndex(of: "\""),
                  let pointsRange = piece.range(of: "data-points=\""),
                  let pointsEnd = piece[pointsRange.upperBound...].firstIndex(of: "\"") else { continue }
            figures[String(piece[idRange.upperBound..<idEnd])] = Int(piece[pointsRange.upperBound..<pointsEnd])
        }
        return figures
    }

    static func checkPlots(_ figures: [String: Int]) {
        for prefix in plotPrefixes {
            let matching = figures.filter { $0.key.hasPrefix(prefix) }
            #expect(!matching.isEmpty, "no \(prefix) plot")
            for (id, points) in matching { #expect(points > 0, "\(id) has no data points") }
        }
    }

    @Test func everyPlotIsPresentWithDataAndNothingIsLoadedFromElsewhere() async throws {
        let html = HTMLReport.render(try await Self.result())
        Self.checkPlots(Self.figures(html))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        #expect(!html.contains("https://"))
        #expect(html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1,
                "the only URL is the SVG namespace")
        #expect(html.contains("&amp;zone-&gt;lock"), "lock class names are escaped")
    }

    @Test func withoutATimelineThePageSaysSo() async throws {
        let spec = try VirtualRunTests.stress(cpusPerNode: 1, memory: "64MiB")
        var options = RunOptions()
        options.durationSeconds = 0.0005
        options.sampleEverySeconds = nil
        let html = HTMLReport.render(await (try WorkloadRunner(spec: spec, options: options)).run())
        #expect(html.contains("No timeline"))
        #expect(Self.figures(html)["latency-percentiles", default: 0] > 0)
    }

    @Test func aSweepPlotsEachColumnAgainstItsKnob() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-sweep-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("sweep.html")
        let result = try KMSimExecutable.run(["sweep", "larson", "--cpus", "2,3,4", "--duration", "100us", "--quiet",
                                              "--html", page.path])
        #expect(result.status == 0, "\(result.errors)")
        let html = try String(contentsOf: page, encoding: .utf8)
        let figures = Self.figures(html)
        #expect(figures.count == SweepHTMLReport.columns.count)
        for column in SweepHTMLReport.columns { #expect(figures[column.id] == 3, "\(column.id): one point per run") }
        #expect(html.contains("<code>machine.cpusPerNode</code>"), "plotted against the swept knob")
        #expect(!html.contains("<script"))
    }

    @Test(.enabled(if: ExternalTool.chromium != nil,
                   "headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"))
    func headlessChromiumRendersEveryPlot() async throws {
        let chromium = try #require(ExternalTool.chromium)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        try Data(HTMLReport.render(try await Self.result()).utf8).write(to: page)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(directory.path)/profile"]
        let dom = try ExternalTool.run(chromium, flags + ["--dump-dom", page.absoluteString])
        #expect(dom.status == 0)
        Self.checkPlots(Self.figures(dom.output))
        #expect(dom.output.contains("<polyline") && dom.output.contains("<rect"))
        let screenshot = directory.appendingPathComponent("report.png")
        let shot = try ExternalTool.run(chromium, flags + ["--screenshot=\(screenshot.path)", "--window-size=1000,3000", page.absoluteString])
        #expect(shot.status == 0)
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
    }
}
