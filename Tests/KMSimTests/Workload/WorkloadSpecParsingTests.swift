import Foundation
import Testing
@testable import KMSim

@Suite struct WorkloadSpecParsingTests {
    /// The annotated example in README.md (the first ```yaml block), so the documentation
    /// cannot describe a format the parser does not accept.
    static func documentedExample() throws -> String {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let markdown = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(markdown.range(of: "```yaml\n"))
        let end = try #require(markdown.range(of: "\n```", range: start.upperBound..<markdown.endIndex))
        return String(markdown[start.upperBound..<end.lowerBound])
    }

    static func gfp(_ expression: String, _ flags: GFPFlags) -> GFPSpec { GFPSpec(expression: expression, flags: flags) }

    @Test func theDocumentedExampleParsesToExactlyThisSpec() throws {
        let parsed = try WorkloadSpec.parse(yaml: try Self.documentedExample(), file: "README.md")
        #expect(parsed.warnings.isEmpty)
        let spec = parsed.spec
        #expect(spec.name == "example")
        #expect(spec.description == "one line shown by `kmsim workloads`")
        #expect(spec.machine == MachineSpec(nodes: 2, cpusPerNode: 2, memoryPerNode: 512 << 20,
                                            zoneSizes: [0: [.dma: 8 << 20, .dma32: 504 << 20]], minFreeKbytes: 4096,
                                            watermarkScaleFactor: 10, distances: [[10, 21], [21, 10]]))
        #expect(spec.length == .duration(seconds: 3))
        #expect(spec.seed == 42)

        let workers = TaskGroupSpec(
            name: "workers", cpus: .all, tasksPerCPU: 2,
            mix: [
                WeightedAllocation(AllocationSpec(api: .kmalloc, size: .lognormal(median: 256, p99: 8192, min: 8, max: 65536), gfp: .kernel), weight: 6),
                WeightedAllocation(AllocationSpec(api: .kmemCache, size: .fixed(192), cache: KmemCacheSpec(name: "dentry", objectSize: 192), gfp: .kernel), weight: 2),
                WeightedAllocation(AllocationSpec(api: .allocPages, size: .uniform(min: 0, max: 3),
                                                  gfp: Self.gfp("GFP_KERNEL|__GFP_COMP|__GFP_NOWARN", [.kernel, .comp, .noWarn])), weight: 1),
                WeightedAllocation(AllocationSpec(api: .kvmalloc, size: .powerOfTwo(min: 4096, max: 262_144), gfp: .kernel), weight: 1),
            ],
            lifetime: .slots(1000), remoteFree: RemoteFreeSpec(fraction: 0.3, cpus: .nodes([1])),
            scoped: [ScopedSection(kind: .nofs, fraction: 0.25)])
        let modules = TaskGroupSpec(
            name: "modules", cpus: .cpus([3]),
            mix: [WeightedAllocation(AllocationSpec(api: .vmalloc, size: .uniform(min: 16384, max: 1 << 20), gfp: .kernel))],
            lifetime: .time(seconds: 0.02), opsPerSecond: 200)
        #expect(spec.taskGroups == [workers, modules])

        #expect(spec.memoryUsers == [
            MemoryUserSpec(name: "cache-fill", kind: .pageCacheWriter, cpus: .nodes([0]), bytes: 256 << 20,
                           dirtyRatio: 0.2, bandwidth: 128 << 20),
            MemoryUserSpec(name: "hog", kind: .anonymous, cpus: .cpus([2]), bytes: 128 << 20),
        ])
        #expect(spec.interrupts == [
            InterruptSourceSpec(name: "eth0-rx", cpus: .cpus([0, 1]), ratePerSecond: 20000, context: .softirq, allocations: [
                HandlerAllocationSpec(AllocationSpec(api: .kmalloc, size: .fixed(2048), gfp: .atomic), count: 1,
                                      freedBy: .remoteCPU(cpus: .cpus([2, 3]), after: .time(seconds: 0.0005))),
            ]),
        ])
        #expect(spec.bugs == [
            DeliberateBugSpec(kind: .sleepingAllocInIRQ, cpus: .cpus([0]), ratePerSecond: 1, size: 128, gfp: .kernel),
        ])
    }

    @Test func defaultsFillWhatAFileLeavesOut() throws {
        let spec = try WorkloadSpec.parse(yaml: """
            taskGroups:
              - mix:
                  - api: allocPages
            """, file: "dir/minimal.yaml").spec
        #expect(spec.name == "minimal")
        #expect(spec.machine == MachineSpec())
        #expect(spec.length == .duration(seconds: WorkloadSpec.defaultDurationSeconds))
        #expect(spec.seed == 1)
        #expect(spec.taskGroups == [TaskGroupSpec(name: "group0", mix: [
            WeightedAllocation(AllocationSpec(api: .allocPages, size: .fixed(0), gfp: .kernel)),
        ])])
    }

    @Test func reclaimSectionOverridesTheDefaults() throws {
        let spec = try WorkloadSpec.parse(yaml: """
            machine: {nodes: 1, cpusPerNode: 2, memoryPerNode: 256MiB}
            reclaim: {swap: 0, ioLatency: 50us, swappiness: 100, kswapd: false}
            taskGroups:
              - mix:
                  - api: allocPages
            """, file: "reclaim.yaml").spec
        #expect(spec.reclaim == ReclaimSpec(swapBytes: 0, ioNanosecondsPerPage: 50_000, swappiness: 100, kswapd: false))
        let config = spec.reclaim.config(for: spec.machine)
        #expect(config == ReclaimConfig(swapPages: 0, writeNanosecondsPerPage: 50_000, swapInNanosecondsPerPage: 50_000,
                                        swappiness: 100, kswapdEnabled: false))
        #expect(ReclaimSpec().config(for: spec.machine) == .defaults(for: spec.machine), "no section keeps the defaults")
    }

    @Test func operationsInsteadOfDuration() throws {
        let spec = try WorkloadSpec.parse(yaml: """
            operations: 1_000_000
            taskGroups: [{mix: [{api: kmalloc, size: 64}]}]
            """, file: "ops.yaml").spec
        #expect(spec.length == .operations(1_000_000))
    }

    @Test func lifetimesInEveryForm() throws {
        let forms: [(String, Lifetime)] = [
            ("0", .operations(0)), ("250", .operations(250)), ("250 ops", .operations(250)), ("5ms", .time(seconds: 0.005)),
            ("forever", .forever), ("{slots: 5000}", .slots(5000)),
        ]
        for (text, expected) in forms {
            let spec = try WorkloadSpec.parse(yaml: "taskGroups: [{lifetime: \(text), mix: [{api: kmalloc, size: 64}]}]", file: "l.yaml").spec
            #expect(spec.taskGroups.first?.lifetime == expected, "\(text)")
        }
    }

    @Test func distributionsInEveryForm() throws {
        let forms: [(String, SizeDistribution)] = [
            ("64", .fixed(64)),
            ("4KiB", .fixed(4096)),
            ("8-1000", .uniform(min: 8, max: 1000)),
            ("{distribution: fixed, value: 2KiB}", .fixed(2048)),
            ("{distribution: uniform, min: 1KiB, max: 2KiB}", .uniform(min: 1024, max: 2048)),
            ("{distribution: powerOfTwo, min: 8, max: 1MiB}", .powerOfTwo(min: 8, max: 1 << 20)),
            ("{distribution: lognormal, mu: 5.5, sigma: 1.2}", .lognormal(mu: 5.5, sigma: 1.2, min: 1, max: AllocationSpec.kmallocMaxSize)),
            ("{distribution: pareto, scale: 64, shape: 1.5, max: 32KiB}", .pareto(scale: 64, shape: 1.5, min: 1, max: 32768)),
        ]
        for (text, expected) in forms {
            let spec = try WorkloadSpec.parse(yaml: "taskGroups: [{mix: [{api: kmalloc, size: \(text)}]}]", file: "d.yaml").spec
            #expect(spec.taskGroups.first?.mix.first?.allocation.size == expected, "\(text)")
        }
    }

    @Test func aDistributionRejectsKeysOfAnotherShape() {
        do {
            _ = try WorkloadSpec.parse(yaml: "taskGroups: [{mix: [{api: kmalloc, size: {distribution: uniform, min: 8, max: 64, sigma: 2}}]}]", file: "d.yaml")
            Issue.record("a uniform distribution with sigma parsed")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.message == "unknown key 'sigma' in a uniform distribution (allowed: distribution, min, max)")
        }
    }

    @Test func ordersTakeOnlyFixedOrUniform() {
        do {
            _ = try WorkloadSpec.parse(yaml: "taskGroups: [{mix: [{api: allocPages, order: {distribution: lognormal, mu: 1, sigma: 1}}]}]", file: "o.yaml")
            Issue.record("a lognormal order distribution parsed")
        } catch {
            #expect(error.errors.first?.message.contains("expected fixed or uniform for page orders") == true)
        }
    }

    @Test func yamlSyntaxErrorsCarryFileLineAndColumn() {
        do {
            _ = try WorkloadSpec.parse(yaml: "seed: 1\nname: [unclosed\n", file: "syntax.yaml")
            Issue.record("an unclosed list parsed")
        } catch {
            #expect(error.errors.count == 1)
            let first = error.errors.first
            #expect(first?.description.hasPrefix("syntax.yaml:3:1: YAML syntax error:") == true, "\(String(describing: first))")
        }
    }

    @Test func anchorsAndAliasesAreFollowed() throws {
        let spec = try WorkloadSpec.parse(yaml: """
            taskGroups:
              - name: a
                mix: &mix [{api: kmalloc, size: 8-1000}]
              - name: b
                mix: *mix
            """, file: "alias.yaml").spec
        #expect(spec.taskGroups.count == 2)
        #expect(spec.taskGroups[0].mix == spec.taskGroups[1].mix)
    }

    @Test func aliasesCannotMultiplyAFileIntoMillionsOfEntries() {
        let entries = Array(repeating: "*e", count: 300).joined(separator: ", ")
        do {
            _ = try WorkloadSpec.parse(yaml: "x: &e {api: kmalloc, size: 64}\ntaskGroups: [{mix: [\(entries)]}]", file: "many.yaml")
            Issue.record("a 300-entry mix parsed")
        } catch {
            #expect(error.errors.contains { $0.message == "mix: found 300 items, expected at most 256" })
        }
    }

    @Test func unreadableFilesAreOneError() {
        do {
            _ = try WorkloadSpec.load(contentsOfFile: "/nonexistent/workload.yaml")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.errors.map(\.description) == ["/nonexistent/workload.yaml:1:1: cannot read the file"])
        }
    }
}
