import Foundation
import Testing
@testable import KMSim

/// A simulated kernel panic is the run's outcome: the run stops at the panic, the report names it (text
/// and JSON) and the exit status is 3, not 1.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct RunnerPanicTests {
    /// The reproducer of issue 18 made small: kmalloc from every CPU, mostly freed remotely, on 4 × 16 MiB
    /// with no user process to kill. Task group tasks are kernel threads to the OOM killer, never picked.
    static func outOfMemorySpec(seconds: Double) throws -> WorkloadSpec {
        var options = StressOptions()
        options.nodes = 4
        options.cpusPerNode = 1
        options.memoryPerNode = "16MiB"
        options.remoteFree = "90%"
        options.sizes = "1-65536"
        options.duration = "\(Int(seconds))s"
        return try WorkloadSpec(stress: options)
    }

    /// A ten-minute run under a one-minute limit: it ends only because the panic stops it.
    @Test(TestTime.limit(minutes: 1)) func outOfMemoryWithNothingToKillPanicsAndStopsTheRun() async throws {
        let spec = try Self.outOfMemorySpec(seconds: 600)
        var options = RunOptions()
        options.check = true
        let runner = try WorkloadRunner(spec: spec, options: options)
        let result = await runner.run()
        let report = result.report
        #expect(report.panic == "System is deadlocked on memory")
        #expect(result.exitStatus(failOnBug: false) == 3 && RunResult.panicExitStatus == 3)
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
        #expect(report.bugs.isEmpty, "the panic is no BUG report: \(report.bugs)")
        #expect(report.reclaim.oomKills == 0)
        #expect(report.text.contains("Kernel panic - not syncing: System is deadlocked on memory: the simulated kernel panicked and the run stopped"))
        let log = runner.machine.bugReports.renderLog()
        #expect(log.components(separatedBy: "Out of memory and no killable processes...").count == 2, "logged once")
        #expect(log.hasSuffix("Kernel panic - not syncing: System is deadlocked on memory\n"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["panic"] as? String == "System is deadlocked on memory")
    }

    /// A memory user is a user process with an mm: the OOM killer picks it, and the run does not panic.
    @Test(TestTime.limit(minutes: 1)) func aUserProcessIsKilledInsteadOfAPanic() async throws {
        var spec = try #require(try BundledWorkloads.load(named: "oom")).spec
        spec.machine.memoryPerNode = 32 << 20
        for index in spec.memoryUsers.indices {
            spec.memoryUsers[index].bytes = 24 << 20
            spec.memoryUsers[index].bandwidth = nil
        }
        spec.taskGroups.removeAll { $0.name == "leak" }
        spec.length = .duration(seconds: 600)
        let runner = try WorkloadRunner(spec: spec)
        // Stops the run at the first kill (the hook runs inside the OOM killer), so the test does not wait
        // the duration: whatever happens first, a kill or a panic, is what the assertions see.
        let end = Task {
            while runner.machine.vmstat.value(.oomKill) == 0 && !runner.machine.bugReports.hasPanicked {
                await scheduleTimeout(nanoseconds: 5_000_000)
            }
            runner.machine.bugReports.panic("test: stop after the first OOM kill", log: "")
        }
        let result = await runner.run()
        await end.value
        #expect(result.report.reclaim.oomKills >= 1)
        #expect(result.report.panic == "test: stop after the first OOM kill", "a kill, not the OOM panic, came first")
    }

    /// Exit statuses: a violation of kmsim's own state (1) outranks the panic (3); without either, 0.
    @Test func exitStatusOfAPanic() {
        var report = RunReportSchemaTests.sample()
        #expect(RunResult(report: report, bugReports: 0).exitStatus(failOnBug: false) == 0)
        report.panic = OOMKiller.oomPanicReason
        #expect(RunResult(report: report, bugReports: 0).exitStatus(failOnBug: false) == 3)
        report.invariants.violations = ["page conservation"]
        #expect(RunResult(report: report, bugReports: 0).exitStatus(failOnBug: false) == 1)
    }
}
