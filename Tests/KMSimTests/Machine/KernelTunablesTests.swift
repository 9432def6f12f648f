import Testing
@testable import KMSim

/// The `machine:` tunables: `percpuPagelistHighFraction` and `pcpBatch` change the per-CPU lists,
/// `slubMinObjects`/`slubMinOrder`/`slubMaxOrder` the slab order, `cpuPartial` the CPU partial lists;
/// out-of-range values are located errors.
@Suite struct KernelTunablesTests {
    /// The machine of `PageAllocWatermarkTests.bootedMachineShowsTheKernelsFigures` (DMA32 managed
    /// 772808 pages, low watermark 13211, 2 CPUs: batch 63, high_min 6605, high_max 48300 by default).
    static func machine(_ tunables: KernelTunables) throws -> Machine {
        var spec = MachineSpec(nodes: 1, cpusPerNode: 2, memoryPerNode: (4 << 30) + 458_752 * 4096, minFreeKbytes: 67584)
        spec.tunables = tunables
        return try Machine(spec: spec, managedPages: [0: [.dma: 3840, .dma32: 772_808, .normal: 458_752]])
    }

    @Test func highFractionFixesHighAndTurnsAutoTuningOff() throws {
        var tunables = KernelTunables()
        tunables.percpuPagelistHighFraction = 16
        let pcp = try Self.machine(tunables).pageAllocator.zone(node: 0, type: .dma32).pcpSnapshot(cpu: 1, lockingCPU: 0)
        // zone_highsize(): 772808 / 16 = 48300 pages, split over the node's 2 CPUs.
        #expect(pcp.batch == 63 && pcp.highMin == 24150 && pcp.highMax == 24150 && pcp.high == 24150)
    }

    @Test func pcpBatchOverridesZoneBatchsize() throws {
        var tunables = KernelTunables()
        tunables.pcpBatch = 7
        let pcp = try Self.machine(tunables).pageAllocator.zone(node: 0, type: .dma32).pcpSnapshot(cpu: 0, lockingCPU: 0)
        #expect(pcp.batch == 7 && pcp.highMin == 6605 && pcp.highMax == 48300)
        tunables.pcpBatch = 4096
        let big = try Self.machine(tunables).pageAllocator.zone(node: 0, type: .dma32).pcpSnapshot(cpu: 0, lockingCPU: 0)
        #expect(big.batch == 4096 && big.highMin == 4096 * 4, "zone_highsize() keeps high at least batch × 4")
    }

    @Test func slubBootParametersChangeTheSlabOrder() {
        var tunables = KernelTunables()
        #expect(SlabGeometry.calculateOrder(size: 64, cpuCount: 2, tunables: tunables) == 0)
        #expect(SlabGeometry.calculateOrder(size: 512, cpuCount: 2, tunables: tunables) == 1)
        #expect(SlabGeometry.calculateOrder(size: 8192, cpuCount: 2, tunables: tunables) == 3)
        tunables.slubMinOrder = 2
        #expect(SlabGeometry.calculateOrder(size: 64, cpuCount: 2, tunables: tunables) == 2)
        tunables = KernelTunables()
        tunables.slubMaxOrder = 0
        #expect(SlabGeometry.calculateOrder(size: 8192, cpuCount: 2, tunables: tunables) == 1, "falls back to get_order(size)")
        tunables = KernelTunables()
        tunables.slubMinObjects = 4
        #expect(SlabGeometry.calculateOrder(size: 512, cpuCount: 2, tunables: tunables) == 0)
    }

    @Test func cpuPartialSetsTheCachesLists() throws {
        var tunables = KernelTunables()
        tunables.cpuPartialAll = 30
        tunables.cpuPartialByCache["kmalloc-64"] = 0
        tunables.slubMinOrder = 1
        let slab = try Self.machine(tunables).slab
        let small = try #require(slab.cache(named: "kmalloc-64"))
        let other = try #require(slab.cache(named: "kmalloc-128"))
        #expect(small.cpuPartialObjects == 0 && small.cpuPartialSlabs == 0)
        #expect(other.geometry.order == 1 && other.geometry.objectsPerSlab == 64)
        #expect(other.cpuPartialObjects == 30 && other.cpuPartialSlabs == 1)
        let defaults = try #require(try Self.machine(KernelTunables()).slab.cache(named: "kmalloc-128"))
        #expect(defaults.cpuPartialObjects == 120 && defaults.geometry.order == 0)
    }

    @Test func workloadKeysAreReadAndCheckedWhereTheyStand() throws {
        func parse(_ machine: String) throws(WorkloadSpecError) -> WorkloadSpec {
            let yaml = "machine:\n\(machine)\ntaskGroups:\n  - name: t\n    cpus: all\n    mix: [{api: kmalloc, size: 64}]\n"
            return try WorkloadSpec.parse(yaml: yaml, file: "w.yaml").spec
        }
        let spec = try parse("  percpuPagelistHighFraction: 8\n  pcpBatch: 31\n  slubMinObjects: 16\n  slubMinOrder: 1\n  slubMaxOrder: 5\n  cpuPartial: {kmalloc-64: 0, kmalloc-rcl-1k: 13}")
        #expect(spec.machine.tunables.percpuPagelistHighFraction == 8)
        #expect(spec.machine.tunables.pcpBatch == 31)
        #expect(spec.machine.tunables.slubMinObjects == 16)
        #expect([spec.machine.tunables.slubMinOrder, spec.machine.tunables.slubMaxOrder] == [1, 5])
        #expect(spec.machine.tunables.cpuPartialByCache == ["kmalloc-64": 0, "kmalloc-rcl-1k": 13])
        #expect(try parse("  cpuPartial: 7").machine.tunables.cpuPartialAll == 7)
        func errors(_ machine: String) -> [String] {
            do throws(WorkloadSpecError) {
                _ = try parse(machine)
                return []
            } catch {
                return error.errors.map(\.description)
            }
        }
        #expect(errors("  percpuPagelistHighFraction: 4").first?.hasPrefix("w.yaml:2:31: machine.percpuPagelistHighFraction: must be 0") == true)
        let orders = errors("  slubMinOrder: 4\n  slubMaxOrder: 2")
        #expect(orders.count == 1)
        #expect(orders.first?.hasPrefix("w.yaml:2:17: machine.slubMinOrder: must not be above slubMaxOrder (2)") == true)
        #expect(errors("  slubMaxOrder: 11").first?.contains("MAX_PAGE_ORDER") == true)
        #expect(errors("  pcpBatch: 0").first?.hasPrefix("w.yaml:2:13: machine.pcpBatch: must be within 1...") == true)
        #expect(errors("  cpuPartial: {kmalloc-65: 3}").first?.contains("did you mean 'kmalloc-64'") == true)
        #expect(errors("  cpuPartial: {kmalloc-64: -1}").first?.hasPrefix("w.yaml:2:28: machine.cpuPartial.kmalloc-64: must be within 0...") == true)
    }
}
