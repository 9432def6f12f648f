import Foundation
import Testing
@testable import KMSim

/// Every bundled workload and `kmsim stress` run end to end for a short time with invariants checked.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct RunnerWorkloadTests {
    static func run(_ spec: WorkloadSpec, seconds: Double = 0.3, configure: (inout RunOptions) -> Void = { _ in })
        async throws -> (WorkloadRunner, RunResult) {
        var options = RunOptions()
        options.durationSeconds = seconds
        options.check = true
        options.checkInterval = 0.1
        configure(&options)
        let runner = try WorkloadRunner(spec: spec, options: options)
        return (runner, await runner.run())
    }

    @Test(arguments: BundledWorkloads.names)
    func bundledWorkloadRunsWithInvariantsHeld(name: String) async throws {
        let parsed = try #require(try BundledWorkloads.load(named: name))
        var (runner, result) = try await Self.run(parsed.spec)
        if result.report.operations == 0 && !runner.plan.groups.isEmpty {
            // 0.3 s of wall time on a host loaded by the suites running beside this one (child processes
            // of the CLI and sweep tests among them) can pass before a task finishes its first batch:
            // once more, longer, so the run is judged on work it had the time to do.
            (runner, result) = try await Self.run(parsed.spec, seconds: 3)
        }
        let report = result.report
        #expect(report.invariants.violations.isEmpty, "\(name): \(report.invariants.violations)")
        #expect(report.invariants.checked >= 1)
        #expect(report.atomicWaits == 0)
        #expect(report.workload == name)
        #expect(report.machine.cpus == parsed.spec.machine.cpuCount)
        if !runner.plan.groups.isEmpty {
            #expect(report.operations > 0, "\(name) ran no operation")
        }
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let keys = Set(json?.keys.map { $0 } ?? [])
        #expect(RunReportSchemaTests.requiredKeys.isSubset(of: keys), "\(name): missing \(RunReportSchemaTests.requiredKeys.subtracting(keys))")
    }

    @Test func vmallocModuleLoadRunsVmallocWithInvariantsHeld() async throws {
        let parsed = try #require(try BundledWorkloads.load(named: "vmalloc-module-load"))
        let (runner, result) = try await Self.run(parsed.spec)
        let report = result.report
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        #expect(report.classes.contains { $0.api == "vmalloc" && $0.ops > 0 }, "\(report.classes)")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let classes = json?["classes"] as? [[String: Any]] ?? []
        #expect(classes.contains { $0["api"] as? String == "vmalloc" && ($0["ops"] as? Int ?? 0) > 0 })
        #expect(runner.machine.vmalloc.checkInvariants().isEmpty)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-vmallocinfo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProcFS.writeRunFiles(to: directory, machine: runner.machine)
        let meminfo = try String(contentsOf: directory.appendingPathComponent("proc/meminfo"), encoding: .utf8)
        #expect(meminfo.contains("VmallocTotal:   34359738367 kB"))
        #expect(meminfo.contains("VmallocUsed:") && meminfo.contains("VmallocChunk:"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("proc/vmallocinfo").path))
    }

    @Test func oomWorkloadKillsATaskAndNOFAILNeverFails() async throws {
        // The bundled workload made small and run on the virtual clock, so when the kill comes does not
        // depend on how fast the build runs (a ThreadSanitizer build on a loaded host once filled no
        // memory in 12 s of host time): 32 MiB of RAM, the two hogs at 24 MiB each and unthrottled, and
        // without the leaking group (once both hogs are killed nothing else could be, and the leak would
        // end in "no killable process"). The other groups free each object 16 operations later: at the
        // virtual clock's full speed their 10 ms and 1 ms lifetimes would keep more live objects than the
        // 32 MiB hold, and a kernel thread's memory cannot be reclaimed by a kill.
        var spec = try #require(try BundledWorkloads.load(named: "oom")).spec
        spec.clock = .virtual
        spec.machine.memoryPerNode = 32 << 20
        for index in spec.memoryUsers.indices {
            spec.memoryUsers[index].bytes = 24 << 20
            spec.memoryUsers[index].bandwidth = nil
        }
        spec.taskGroups.removeAll { $0.name == "leak" }
        for index in spec.taskGroups.indices { spec.taskGroups[index].lifetime = .operations(16) }
        let (runner, result) = try await Self.run(spec, seconds: 0.01)
        let report = result.report
        #expect(report.reclaim.oomKills >= 1, "anonymous memory beyond RAM with no swap must end in an OOM kill")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-oom-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProcFS.writeRunFiles(to: directory, machine: runner.machine)
        let dmesg = try String(contentsOf: directory.appendingPathComponent("dmesg"), encoding: .utf8)
        #expect(dmesg.contains("invoked oom-killer") && dmesg.contains("Out of memory: Killed process"), "\(dmesg.prefix(400))")
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        let nofail = report.classes.filter { $0.gfp.contains("__GFP_NOFAIL") }
        #expect(!nofail.isEmpty && nofail.allSatisfy { $0.failures == 0 }, "\(nofail)")
    }

    @Test func stressFlagsRunAcrossNodesWithRemoteFrees() async throws {
        var options = StressOptions()
        options.nodes = 2
        options.cpusPerNode = 2
        options.memoryPerNode = "256MiB"
        options.remoteFree = "30%"
        options.irqRate = 2000
        options.sizes = "32-512"
        let spec = try WorkloadSpec(stress: options)
        let (_, result) = try await Self.run(spec)
        let report = result.report
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        #expect(report.machine.nodes == 2 && report.machine.cpus == 4)
        #expect(report.remoteFrees > 0)
        #expect(report.classes.contains { $0.context == "hardirq" && $0.gfp == "GFP_ATOMIC" && $0.ops > 0 })
        #expect(report.classes.contains { $0.context == "task" && $0.gfp == "GFP_KERNEL" && $0.api == "kmalloc" && $0.ops > 0 })
        #expect(result.exitStatus(failOnBug: true) == 0)
    }

    @Test func injectedInvariantViolationExitsOne() async throws {
        let spec = try WorkloadSpec(stress: StressOptions())
        let (_, result) = try await Self.run(spec, seconds: 0.1) { $0.injectInvariantViolation = true }
        #expect(!result.report.invariants.violations.isEmpty)
        #expect(result.exitStatus(failOnBug: false) == 1)
    }

    @Test func deliberateBugsAreResultsUnlessFailOnBug() async throws {
        var options = StressOptions()
        options.sizes = "8-32"
        var spec = try WorkloadSpec(stress: options)
        // The double free uses kmalloc-512, which no task shares: another CPU cannot take the object
        // between the two kfree calls, so SLUB's debug check sees an object already free. Its task has
        // CPU 3 to itself, so it runs on time however slow the build (TSan) makes the workers' batches.
        spec.taskGroups[0].cpus = .cpus([0, 1])
        spec.bugs = [
            DeliberateBugSpec(kind: .sleepingAllocInIRQ, cpus: .cpus([0]), ratePerSecond: 100, size: 128, gfp: .kernel),
            DeliberateBugSpec(kind: .doubleFree, cpus: .cpus([3]), ratePerSecond: 100, size: 512),
        ]
        let (_, result) = try await Self.run(spec)
        let report = result.report
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        #expect((report.bugs[BugKind.sleepingInAtomic.rawValue] ?? 0) > 0)
        let sleepingInIRQ = report.classes.filter { $0.context == "hardirq" && $0.gfp == "GFP_KERNEL" }.map(\.ops).reduce(0, +)
        // One report per kmalloc from slab_pre_alloc_hook(), and a second only when that kmalloc had to
        // allocate a new slab (prepare_alloc_pages() runs might_alloc() too, as in the kernel).
        let sleepingReports = report.bugs[BugKind.sleepingInAtomic.rawValue] ?? 0
        #expect(sleepingReports >= Int(sleepingInIRQ) && sleepingReports < 2 * Int(sleepingInIRQ), "\(sleepingReports) reports for \(sleepingInIRQ) calls")
        // SLUB reports a double free as "Object already free" when the object is on the slab's freelist
        // at the second kfree, and as freelist corruption when it sat on the CPU freelist (or was reused)
        // in between, as the kernel does; which one depends on timing.
        let doubleFreeReports = (report.bugs[SlabBugKind.doubleFree.bugKind.rawValue] ?? 0)
            + (report.bugs[SlabBugKind.freelistCorrupt.bugKind.rawValue] ?? 0)
        #expect(doubleFreeReports > 0, "\(report.bugs)")
        #expect(result.exitStatus(failOnBug: false) == 0)
        #expect(result.exitStatus(failOnBug: true) == 1)
        #expect(report.classes.contains { $0.context == "hardirq" && $0.gfp == "GFP_KERNEL" && $0.ops > 0 })
    }

    @Test func operationCountEndsTheRun() async throws {
        var spec = try WorkloadSpec(stress: StressOptions())
        spec.length = .operations(3000)
        let runner = try WorkloadRunner(spec: spec)
        let result = await runner.run()
        #expect(result.report.operations == 3000 * Int64(spec.machine.cpuCount))
        #expect(result.report.invariants.violations.isEmpty)
    }

    /// The batch loop's general path (two APIs, a NOFS scope) counts every operation under the class of
    /// the mask in effect: GFP_NOFS inside the scope, GFP_KERNEL outside.
    @Test func mixedScopedGroupCountsEachOperationUnderItsMask() async throws {
        var spec = try WorkloadSpec(stress: StressOptions())
        spec.length = .operations(5000)
        spec.taskGroups[0].mix = [
            WeightedAllocation(AllocationSpec(api: .kmalloc, size: .uniform(min: 8, max: 512), gfp: .kernel), weight: 3),
            WeightedAllocation(AllocationSpec(api: .allocPages, size: .fixed(1), gfp: .kernel), weight: 1),
        ]
        spec.taskGroups[0].scoped = [ScopedSection(kind: .nofs, fraction: 0.25)]
        let runner = try WorkloadRunner(spec: spec)
        let report = (await runner.run()).report
        let total = 5000 * Int64(spec.machine.cpuCount)
        #expect(report.operations == total)
        let nofs = report.classes.filter { $0.gfp == "GFP_NOFS" }.reduce(0) { $0 + $1.ops }
        let pages = report.classes.filter { $0.api == "alloc_pages" }.reduce(0) { $0 + $1.ops }
        #expect(abs(Double(nofs) / Double(total) - 0.25) < 0.03, "\(report.classes)")
        #expect(abs(Double(pages) / Double(total) - 0.25) < 0.03, "\(report.classes)")
        #expect(report.invariants.violations.isEmpty)
    }

    /// A batch enters and leaves its scoped sections per operation: the task's flags are its own again
    /// when the batch ends, whichever scope its last operations ran in.
    @Test func batchLeavesEveryScopeItEnters() async throws {
        var spec = try WorkloadSpec(stress: StressOptions())
        spec.taskGroups[0].scoped = [ScopedSection(kind: .nofs, fraction: 0.5), ScopedSection(kind: .noio, fraction: 0.25)]
        let runner = try WorkloadRunner(spec: spec)
        let group = runner.plan.groups[0]
        let flags = await runner.cpus[0].startTask(pid: 900) { context, runqueue -> [TaskFlags] in
            var live = LiveObjectSet(group.spec.lifetime)
            defer { live.deallocate() }
            let trace = BatchTrace(capacity: 64)
            defer { trace.deallocate() }
            var generator = SplitMix64(seed: 2)
            let counts = UnsafeMutablePointer<Int64>.allocate(capacity: RunCounters.width(classCount: runner.plan.classes.count))
            counts.initialize(repeating: 0, count: RunCounters.width(classCount: runner.plan.classes.count))
            defer { counts.deallocate() }
            var seen: [TaskFlags] = []
            for _ in 0..<20 {
                await runner.runBatch(group, operations: 64, trace: trace, live: &live, generator: &generator,
                                      context: &context, counts: counts, runqueue: runqueue)
                seen.append(context.taskFlags)
            }
            live.removeAll { runner.release($0, context: context) }
            return seen
        }.value
        #expect(flags.allSatisfy { $0.isEmpty }, "\(flags)")
    }

    /// A batch longer than its trace is drawn a trace at a time: every operation runs and is counted.
    @Test func batchLongerThanItsTraceRunsEveryOperation() async throws {
        let runner = try WorkloadRunner(spec: try WorkloadSpec(stress: StressOptions()))
        let group = runner.plan.groups[0]
        let width = RunCounters.width(classCount: runner.plan.classes.count)
        let ops = await runner.cpus[0].startTask(pid: 901) { context, runqueue -> Int64 in
            var live = LiveObjectSet(group.spec.lifetime)
            defer { live.deallocate() }
            let trace = BatchTrace(capacity: 64)
            defer { trace.deallocate() }
            var generator = SplitMix64(seed: 3)
            let counts = UnsafeMutablePointer<Int64>.allocate(capacity: width)
            counts.initialize(repeating: 0, count: width)
            defer { counts.deallocate() }
            await runner.runBatch(group, operations: 200, trace: trace, live: &live, generator: &generator,
                                  context: &context, counts: counts, runqueue: runqueue)
            live.removeAll { runner.release($0, context: context) }
            return (0..<runner.plan.classes.count).reduce(0) { $0 + counts[RunCounters.opsIndex($1)] }
        }.value
        #expect(ops == 200)
    }

    @Test func procDirectoryHoldsEveryView() async throws {
        var options = StressOptions()
        options.nodes = 2
        options.cpusPerNode = 1
        options.memoryPerNode = "128MiB"
        let (runner, _) = try await Self.run(try WorkloadSpec(stress: options), seconds: 0.1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-proc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProcFS.writeRunFiles(to: directory, machine: runner.machine)
        for name in ["buddyinfo", "pagetypeinfo", "zoneinfo", "slabinfo", "vmstat", "meminfo", "lock_stat"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("proc/\(name)").path), "\(name)")
        }
        for node in 0..<2 {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("sys/devices/system/node/node\(node)/numastat").path))
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("dmesg").path))
    }
}
