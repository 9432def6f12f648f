import Foundation
import Testing
@testable import KMSim

/// `--latency-histograms`: HdrHistogram's percentile-distribution layout, one file per report class.
@Suite(TestTime.limit(minutes: 5)) struct LatencyHistogramFilesTests {
    @Test func fileNamesAreSafeAndDistinct() {
        let row = RunReport.ClassRow(context: "softirq", gfp: "GFP_ATOMIC|__GFP_NOWARN", api: "kmalloc", ops: 0,
                                     failures: 0, latencyNs: .zero)
        #expect(LatencyHistogramFiles.fileName(index: 3, row: row) == "03-softirq-GFP_ATOMIC+__GFP_NOWARN-kmalloc.hgrm")
        var odd = row
        odd.gfp = "a/b c"
        #expect(LatencyHistogramFiles.fileName(index: 12, row: odd) == "12-softirq-a-b-c-kmalloc.hgrm")
    }

    @Test func eachClassGetsAPercentileDistributionEndingAtItsCount() async throws {
        let spec = try VirtualRunTests.stress(cpusPerNode: 2, irqRate: 20_000)
        var options = RunOptions()
        options.durationSeconds = 0.001
        let result = await (try WorkloadRunner(spec: spec, options: options)).run()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-hgrm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try LatencyHistogramFiles.write(result, to: directory)
        #expect(files.count == result.classHistograms.filter { $0.totalCount > 0 }.count)
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.first?.split(separator: " ") == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"])
            let rows = lines.dropFirst().filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").compactMap { Double($0) } }
            #expect(rows.count > 2)
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0[0] <= $1[0] && $0[1] <= $1[1] && $0[2] <= $1[2] })
            for row in rows where row.count == 4 {
                #expect(abs(row[3] - 1 / (1 - row[1])) <= 0.01 * row[3] + 0.01)
            }
            let last = try #require(rows.last)
            #expect(last[1] == 1.0)
            let index = try #require(Int(file.lastPathComponent.prefix(2)))
            #expect(UInt64(last[2]) == result.classHistograms[index].totalCount)
            #expect(UInt64(last[0]) >= result.report.classes[index].latencyNs.p99)
        }
    }
}
