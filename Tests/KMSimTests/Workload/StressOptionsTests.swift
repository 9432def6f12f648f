import Testing
@testable import KMSim

@Suite struct StressOptionsTests {
    static func problems(_ configure: (inout StressOptions) -> Void) -> [String] {
        var options = StressOptions()
        configure(&options)
        do {
            _ = try WorkloadSpec(stress: options)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func defaultsBuildAValidWorkload() throws {
        let spec = try WorkloadSpec(stress: StressOptions())
        #expect(spec.machine == MachineSpec(nodes: 1, cpusPerNode: 4, memoryPerNode: 1 << 30))
        #expect(spec.length == .duration(seconds: 4))
        #expect(spec.taskGroups.count == 1)
        #expect(spec.taskGroups.first?.mix.first?.allocation == AllocationSpec(api: .kmalloc, size: .uniform(min: 8, max: 4096), gfp: .kernel))
        #expect(spec.interrupts.isEmpty)
        #expect(spec.memoryUsers.isEmpty)
    }

    @Test func everyFlagReachesTheSpec() throws {
        var options = StressOptions()
        options.nodes = 2
        options.cpusPerNode = 3
        options.memoryPerNode = "512MiB"
        options.duration = "500ms"
        options.tasksPerCPU = 2
        options.gfp = "GFP_NOFS|__GFP_ZERO"
        options.sizes = "64"
        options.remoteFree = "30%"
        options.irqRate = 5000
        options.irqGFP = "GFP_NOWAIT"
        options.pageCache = "600MiB"
        options.seed = 99
        let spec = try WorkloadSpec(stress: options)
        #expect(spec.machine.nodes == 2 && spec.machine.cpusPerNode == 3 && spec.machine.memoryPerNode == 512 << 20)
        #expect(spec.length == .duration(seconds: 0.5))
        #expect(spec.seed == 99)
        let group = try #require(spec.taskGroups.first)
        #expect(group.tasksPerCPU == 2)
        #expect(group.remoteFree.fraction == 0.3)
        #expect(group.mix.first?.allocation.gfp.flags == [.noFS, .zero])
        #expect(group.mix.first?.allocation.size == .fixed(64))
        let irq = try #require(spec.interrupts.first)
        #expect(irq.ratePerSecond == 5000)
        #expect(irq.allocations.first?.allocation.gfp.flags == .noWait)
        let cache = try #require(spec.memoryUsers.first)
        #expect(cache.kind == .pageCacheWriter)
        #expect(cache.bytes == 100 << 20)
    }

    @Test func eachBadFlagIsNamedAndAllAreReported() {
        let problems = Self.problems {
            $0.nodes = 0
            $0.memoryPerNode = "lots"
            $0.duration = "forever"
            $0.tasksPerCPU = 0
            $0.gfp = "GFP_KERNEL|__GFP_BOGUS"
            $0.sizes = "4096-8"
            $0.remoteFree = "130%"
            $0.irqRate = -1
            $0.irqGFP = "__GFP_DMA|__GFP_DMA32"
            $0.pageCache = "1KiB"
        }
        let flags = problems.map { String($0.prefix { $0 != ":" }) }
        #expect(flags == ["--memory-per-node", "--nodes", "--duration", "--tasks-per-cpu", "--remote-free", "--irq-rate",
                          "--page-cache", "--sizes", "--gfp", "--irq-gfp"], "\(problems)")
        #expect(problems.contains { $0.contains("unknown GFP flag '__GFP_BOGUS'") })
        #expect(problems.contains { $0.contains("invalid zone modifiers __GFP_DMA|__GFP_DMA32") })
        #expect(problems.contains { $0.contains("found min 4KiB above max 8") })
    }

    @Test func aSleepingInterruptMaskIsRefusedOnlyWhenInterruptsRun() {
        #expect(Self.problems { $0.irqGFP = "GFP_KERNEL" }.isEmpty)
        let problems = Self.problems {
            $0.irqGFP = "GFP_KERNEL"
            $0.irqRate = 100
        }
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("--irq-gfp: 'GFP_KERNEL' has __GFP_DIRECT_RECLAIM") == true)
    }

    @Test func remoteFreesNeedASecondCPU() {
        let problems = Self.problems {
            $0.cpusPerNode = 1
            $0.remoteFree = "10%"
        }
        #expect(problems.map { String($0.prefix { $0 != ":" }) } == ["--remote-free"])
    }

    @Test func machineLimitsComeFromMachineSpecValidate() {
        #expect(Self.problems { $0.cpusPerNode = 2000 }.first?.hasPrefix("--cpus-per-node: at most 1024 CPUs") == true)
        #expect(Self.problems { $0.memoryPerNode = "1MiB" }.first?.hasPrefix("--memory-per-node: at least 2MiB per node") == true)
    }
}
