import Foundation
import Testing
@testable import KMSim

/// Whole runs on the virtual clock: determinism, machines far bigger than the host, contention figures
/// that follow from the model, every bundled workload with its invariants, and the `clock:`/`costs:` keys.
@Suite(.serialized, TestTime.limit(minutes: 5)) struct VirtualRunTests {
    static func stress(cpusPerNode: Int, nodes: Int = 1, memory: String = "256MiB", sizes: String = "8-4096",
                       remoteFree: String = "0%", irqRate: Double = 0, seed: UInt64 = 7) throws -> WorkloadSpec {
        var options = StressOptions()
        options.nodes = nodes
        options.cpusPerNode = cpusPerNode
        options.memoryPerNode = memory
        options.sizes = sizes
        options.remoteFree = remoteFree
        options.irqRate = irqRate
        options.seed = seed
        var spec = try WorkloadSpec(stress: options)
        spec.clock = .virtual
        return spec
    }

    static func run(_ spec: WorkloadSpec, seconds: Double, check: Bool = true) async throws -> (WorkloadRunner, RunReport) {
        var options = RunOptions()
        options.durationSeconds = seconds
        options.check = check
        options.checkInterval = seconds / 4
        let runner = try WorkloadRunner(spec: spec, options: options)
        return (runner, await runner.run().report)
    }

    /// The report as JSON without its `host` object, the only part allowed to differ between runs.
    static func deterministicJSON(_ report: RunReport) throws -> Data {
        var report = report
        report.host = .init(wallSeconds: 0, simulatedSeconds: 0, simulatedOpsPerHostSecond: 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(report)
    }

    static func procFiles(_ machine: Machine) throws -> [String: String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-virtual-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProcFS.writeRunFiles(to: directory, machine: machine)
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            if let text = try? String(contentsOf: url, encoding: .utf8) {
                files[url.path.replacingOccurrences(of: directory.path, with: "")] = text
            }
        }
        return files
    }

    @Test func sameSeedGivesTheSameReportProcFilesAndKernelLog() async throws {
        let spec = try Self.stress(cpusPerNode: 4, remoteFree: "30%", irqRate: 20_000)
        let (firstRunner, first) = try await Self.run(spec, seconds: 0.001)
        let (secondRunner, second) = try await Self.run(spec, seconds: 0.001)
        #expect(first.clock == "virtual")
        #expect(first.operations > 0)
        #expect(first.interrupts > 0)
        #expect(try Self.deterministicJSON(first) == Self.deterministicJSON(second))
        #expect(try Self.procFiles(firstRunner.machine) == Self.procFiles(secondRunner.machine))
        #expect(firstRunner.machine.bugReports.renderLog() == secondRunner.machine.bugReports.renderLog())
        var otherSeed = spec
        otherSeed.seed = 8
        let (_, third) = try await Self.run(otherSeed, seconds: 0.001)
        #expect(try Self.deterministicJSON(third) != Self.deterministicJSON(first), "the seed must change the run")
    }

    /// The built executable, run unpinned and pinned to one host CPU with taskset, prints the same JSON.
    @Test func pinningTheProcessToOneHostCoreChangesNothing() throws {
        let arguments = ["run", "larson", "--clock", "virtual", "--duration", "300us", "--quiet", "--json", "-"]
        func run(_ launcher: String?) throws -> [String: Any] {
            let result = try KMSimExecutable.run(arguments, launcher: launcher, launcherArguments: ["-c", "0"])
            #expect(result.status == 0, "\(result.errors)")
            var json = try #require(try KMSimExecutable.json(in: result.output) as? [String: Any])
            json["host"] = nil
            return json
        }
        let taskset = try #require(["/usr/bin/taskset", "/bin/taskset"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                   "taskset (util-linux) is needed to pin the run")
        let unpinned = try run(nil)
        let pinned = try run(taskset)
        #expect(NSDictionary(dictionary: unpinned).isEqual(to: pinned))
        #expect(unpinned["clock"] as? String == "virtual")
    }

    /// A leak on a 16 MiB machine with no user process to kill ends in the kernel's panic: the virtual run
    /// stops at the panic's simulated time, long before its 600 s, and does so identically every time.
    @Test func aPanicStopsTheVirtualRunAtItsSimulatedTime() async throws {
        let yaml = """
            clock: virtual
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 16MiB}
            duration: 600s
            taskGroups:
              - name: leak
                cpus: all
                gfp: GFP_KERNEL
                mix:
                  - api: kmalloc
                    size: 4096
                lifetime: forever
            """
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "leak.yaml").spec
        var reports: [RunReport] = []
        for _ in 0..<2 {
            let runner = try WorkloadRunner(spec: spec)
            let result = await runner.run()
            #expect(result.exitStatus(failOnBug: false) == RunResult.panicExitStatus)
            #expect(runner.machine.bugReports.renderLog().hasSuffix("Kernel panic - not syncing: System is deadlocked on memory\n"))
            reports.append(result.report)
        }
        #expect(reports[0].panic == "System is deadlocked on memory")
        #expect(reports[0].durationSeconds > 0 && reports[0].durationSeconds < 1, "stopped at \(reports[0].durationSeconds) s")
        #expect(try Self.deterministicJSON(reports[0]) == Self.deterministicJSON(reports[1]))
    }

    @Test func aMachineOf256CPUsBootsAndRuns() async throws {
        let spec = try Self.stress(cpusPerNode: 32, nodes: 8, memory: "128MiB", remoteFree: "30%")
        let (_, report) = try await Self.run(spec, seconds: 0.00005)
        #expect(report.machine.cpus == 256)
        #expect(report.operations > 256)
        #expect(report.invariants.violations.isEmpty, "\(report.invariants.violations)")
    }

    @Test func oneCPUShowsNoContentionEvenWithInterrupts() async throws {
        let spec = try Self.stress(cpusPerNode: 1, irqRate: 100_000)
        let (_, report) = try await Self.run(spec, seconds: 0.002)
        #expect(report.interrupts > 0)
        #expect(report.locks.allSatisfy { $0.contentions == 0 }, "\(report.locks)")
    }

    static func contentions(_ report: RunReport, _ lockClass: String) -> Int {
        report.locks.first { $0.lockClass == lockClass }?.contentions ?? 0
    }

    /// Order-0-heavy kmalloc storms (page-sized objects): `&zone->lock` and `&n->list_lock` contention
    /// per operation rises with the CPU count.
    @Test func contentionRisesWithTheCPUCount() async throws {
        var perOperation: [Int: (zone: Double, list: Double)] = [:]
        for cpus in [2, 8] {
            let spec = try Self.stress(cpusPerNode: cpus, sizes: "2048-8192", remoteFree: "30%")
            let (_, report) = try await Self.run(spec, seconds: 0.002, check: false)
            let operations = Double(max(report.operations, 1))
            perOperation[cpus] = (Double(Self.contentions(report, "&zone->lock")) / operations,
                                  Double(Self.contentions(report, "&n->list_lock")) / operations)
        }
        let two = try #require(perOperation[2]), eight = try #require(perOperation[8])
        #expect(eight.zone > two.zone, "zone->lock contentions per op: 2 CPUs \(two.zone), 8 CPUs \(eight.zone)")
        #expect(eight.list > two.list, "list_lock contentions per op: 2 CPUs \(two.list), 8 CPUs \(eight.list)")
    }

    @Test func remoteFreesRaiseListLockContention() async throws {
        let local = try await Self.run(try Self.stress(cpusPerNode: 8, remoteFree: "0%"), seconds: 0.002, check: false).1
        let remote = try await Self.run(try Self.stress(cpusPerNode: 8, remoteFree: "90%"), seconds: 0.002, check: false).1
        #expect(Self.contentions(remote, "&n->list_lock") > Self.contentions(local, "&n->list_lock"),
                "local \(Self.contentions(local, "&n->list_lock")), remote \(Self.contentions(remote, "&n->list_lock"))")
    }

    @Test(arguments: BundledWorkloads.names)
    func bundledWorkloadRunsOnTheVirtualClockWithInvariantsHeld(name: String) async throws {
        var spec = try #require(try BundledWorkloads.load(named: name)).spec
        spec.clock = .virtual
        let (runner, report) = try await Self.run(spec, seconds: 0.001)
        #expect(report.clock == "virtual")
        #expect(report.invariants.violations.isEmpty, "\(name): \(report.invariants.violations)")
        #expect(report.invariants.checked >= 2, "periodic checks run as events")
        #expect(report.atomicWaits == 0)
        #expect(runner.virtualClock?.foreignEnqueues == 0)
        // A run of phased groups (the LLFree workloads) ends with its last phase, at most at the duration.
        let phased = !spec.taskGroups.isEmpty && spec.taskGroups.allSatisfy { !$0.phases.isEmpty }
        #expect(phased ? report.host.simulatedSeconds <= 0.001 : report.host.simulatedSeconds == 0.001)
    }

    /// A task whose every allocation fails without sleeping still advances its CPU's clock (each failed
    /// freelist walk costs `freelistWalkFailed`), so a run of them ends at its duration instead of
    /// spinning at one instant.
    @Test func allocationsThatFailWithoutSleepingTakeSimulatedTime() async throws {
        let yaml = """
            machine: {nodes: 1, cpusPerNode: 1, memoryPerNode: 64MiB}
            clock: virtual
            duration: 3ms
            taskGroups:
              - name: atomic
                gfp: GFP_ATOMIC
                mix: [{api: allocPages, order: 0}]
                lifetime: forever
            """
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "fail.yaml").spec
        let (_, report) = try await Self.run(spec, seconds: 0.003)
        let atomic = try #require(report.classes.first)
        #expect(atomic.failures > 0, "\(report.classes)")
        #expect(report.host.simulatedSeconds == 0.003)
        #expect(atomic.latencyNs.max >= UInt64(3 * VirtualCost.freelistWalkFailed.defaultNanoseconds), "\(atomic.latencyNs)")
    }

    /// A task group section for the key tests.
    static let oneKmallocGroup = """

        taskGroups:
          - name: t
            cpus: all
            gfp: GFP_KERNEL
            mix:
              - api: kmalloc
                size: 64
        """

    @Test func clockAndCostsKeysAreRead() throws {
        let yaml = """
            clock: virtual
            costs:
              pcpHit: 60
              lineTransfer: 120
            duration: 1ms
            """ + Self.oneKmallocGroup
        let spec = try WorkloadSpec.parse(yaml: yaml, file: "costs.yaml").spec
        #expect(spec.clock == .virtual)
        #expect(spec.costs[.pcpHit] == 60)
        #expect(spec.costs[.lineTransfer] == 120)
        #expect(spec.costs[.slubAllocFast] == VirtualCost.slubAllocFast.defaultNanoseconds)
    }

    @Test func badCostsAndClockGetLocatedErrors() {
        let yaml = """
            clock: virtul
            costs:
              pcpHitt: 60
              lineTransfer: -5
              zeroPerKiB: lots
            """ + Self.oneKmallocGroup
        #expect {
            try WorkloadSpec.parse(yaml: yaml, file: "bad.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.contains("bad.yaml:1:8: clock: found 'virtul'") && text.contains("did you mean 'virtual'")
                && text.contains("bad.yaml:3:3: unknown key 'pcpHitt' in costs, did you mean 'pcpHit'?")
                && text.contains("bad.yaml:4:17: costs.lineTransfer: found '-5'")
                && text.contains("bad.yaml:5:15: costs.zeroPerKiB: found 'lots'")
        }
    }

    @Test func costTableListsEveryEntryWithItsSource() {
        let text = CostTable.defaults.rendered()
        for cost in VirtualCost.allCases {
            #expect(text.contains(cost.key))
            #expect(!cost.source.isEmpty)
        }
        var changed = CostTable.defaults
        changed[.pcpHit] = 61
        #expect(changed.rendered().contains("61 (default \(VirtualCost.pcpHit.defaultNanoseconds))"))
    }
}
