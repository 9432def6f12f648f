import Testing
@testable import KMSim

/// The live line `kmsim run` draws while a workload runs.
@Suite(TestTime.limit(minutes: 5)) struct RunProgressTests {
    @Test func progressArrivesWhileRunningWithNodesReclaimAndDirtyPages() async throws {
        var options = StressOptions()
        options.nodes = 2
        options.cpusPerNode = 1
        options.memoryPerNode = "256MiB"
        options.pageCache = "32MiB"
        let spec = try WorkloadSpec(stress: options)
        var runOptions = RunOptions()
        runOptions.durationSeconds = 1
        runOptions.progressInterval = 0.05
        let runner = try WorkloadRunner(spec: spec, options: runOptions)
        let snapshots = OrderedMutex<[RunProgress]>([])
        _ = await runner.run { progress in snapshots.withLock { $0.append(progress) } }
        let seen = snapshots.withLock { $0 }
        // Twenty are due; asking for one keeps the test clear of timing on a busy host.
        #expect(!seen.isEmpty, "no progress line in a 1 s run at 0.05 s")
        let elapsed = seen.map(\.elapsedSeconds)
        #expect(elapsed == elapsed.sorted())
        for progress in seen {
            #expect(progress.totalSeconds == 1)
            #expect(progress.nodes.map(\.node) == [0, 1])
            #expect(progress.nodes.allSatisfy { $0.min < $0.low && $0.low < $0.high })
            #expect(progress.dirtyPages != nil)
            #expect(progress.line.contains("node1 free"))
            #expect(progress.line.contains("dirty "))
        }
        let operations = seen.map(\.operations)
        #expect(operations == operations.sorted())
    }

    @Test func lineLayout() {
        let progress = RunProgress(elapsedSeconds: 1.23, totalSeconds: 4, operations: 10, operationsPerSecond: 3_120_000,
                                   failures: 12, nodes: [.init(node: 0, free: 101_234, min: 1024, low: 1280, high: 1536)],
                                   kswapdRuns: 0, directReclaimStalls: 0, dirtyPages: nil, bugReports: 1)
        #expect(progress.line
                == "[  1.2s/4s] 3.12M ops/s  node0 free 101234 (min 1024 low 1280 high 1536)  kswapd 0  direct 0  failures 12  BUG 1")
        var withWriters = progress
        withWriters.dirtyPages = 2048
        #expect(withWriters.line.hasSuffix("kswapd 0  direct 0  dirty 2048  failures 12  BUG 1"))
    }
}
