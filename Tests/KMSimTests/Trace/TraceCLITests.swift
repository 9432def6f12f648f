import Foundation
import Testing

/// The built `kmsim` with `--sample-every`, `--latency-histograms`, `--trace` and `--html`.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct TraceCLITests {
    @Test func aBadSamplingIntervalNamesTheFlagAndRunsNothing() throws {
        for value in ["0", "fast", "100ns"] {
            let result = try KMSimExecutable.run(["run", "larson", "--clock", "virtual", "--duration", "100us", "--quiet",
                                                  "--sample-every", value])
            #expect(result.status == 2)
            #expect(result.errors.contains("--sample-every: found '\(value)'"), "\(result.errors)")
        }
    }

    @Test func traceAllWithoutATraceNamesTheFlagAndRunsNothing() throws {
        for command in ["run", "stress"] {
            let arguments = command == "run" ? ["run", "larson"] : ["stress"]
            let result = try KMSimExecutable.run(arguments + ["--clock", "virtual", "--duration", "100us", "--quiet", "--trace-all"])
            #expect(result.status == 2)
            #expect(result.errors.contains("--trace-all: adds allocation and free slices to a trace, so it needs --trace FILE"),
                    "\(result.errors)")
        }
    }

    @Test func theOutputFlagsWriteTheirFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("run.json")
        let trace = directory.appendingPathComponent("run.perfetto")
        let html = directory.appendingPathComponent("run.html")
        let histograms = directory.appendingPathComponent("hgrm")
        let result = try KMSimExecutable.run(["run", "netrx-irq-storm", "--clock", "virtual", "--duration", "500us", "--quiet",
                                              "--sample-every", "50us", "--json", json.path, "--trace", trace.path,
                                              "--html", html.path, "--latency-histograms", histograms.path])
        #expect(result.status == 0, "\(result.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let timeline = try #require(report["timeline"] as? [String: Any])
        #expect((timeline["samples"] as? [Any])?.count == 11)
        #expect(timeline["requestedIntervalNs"] as? Int == 50_000)
        #expect(try Data(contentsOf: trace).count > 100)
        #expect(try String(contentsOf: html, encoding: .utf8).contains("<figure class=\"plot\" id=\"latency-percentiles\""))
        let files = try FileManager.default.contentsOfDirectory(atPath: histograms.path)
        #expect(files.sorted() == ["00-softirq-GFP_ATOMIC-kmem_cache_alloc.hgrm", "01-softirq-GFP_ATOMIC+__GFP_NOWARN-kmalloc.hgrm"],
                "\(files)")
        let off = try KMSimExecutable.run(["run", "larson", "--clock", "virtual", "--duration", "100us", "--quiet",
                                           "--sample-every", "off", "--json", "-"])
        #expect(off.status == 0)
        #expect(!off.output.contains("\"timeline\""))
    }
}
