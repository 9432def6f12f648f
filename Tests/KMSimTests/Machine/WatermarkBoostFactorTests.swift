import Testing
@testable import KMSim

/// `machine.watermarkBoostFactor` (`vm.watermark_boost_factor`): read from a workload, checked where
/// it stands, and handed to every zone.
@Suite struct WatermarkBoostFactorTests {
    func parse(_ machine: String) throws(WorkloadSpecError) -> WorkloadSpec {
        let yaml = "machine:\n\(machine)\ntaskGroups:\n  - name: t\n    cpus: all\n    mix: [{api: kmalloc, size: 64}]\n"
        return try WorkloadSpec.parse(yaml: yaml, file: "w.yaml").spec
    }

    @Test func defaultsTo15000AndReachesTheZones() throws {
        #expect(KernelTunables().watermarkBoostFactor == 15000)
        let spec = try parse("  memoryPerNode: 64MiB\n  watermarkBoostFactor: 5000")
        #expect(spec.machine.tunables.watermarkBoostFactor == 5000)
        let machine = try Machine(spec: spec.machine)
        #expect(machine.pageAllocator.populatedZones.allSatisfy { $0.watermarkBoostFactor == 5000 })
    }

    @Test func aNegativeFactorIsALocatedError() {
        var messages: [String] = []
        do throws(WorkloadSpecError) {
            _ = try parse("  watermarkBoostFactor: -1")
        } catch {
            messages = error.errors.map(\.description)
        }
        #expect(messages.first?.hasPrefix("w.yaml:2:25: machine.watermarkBoostFactor: must be within 0...") == true,
                "\(messages)")
    }
}
