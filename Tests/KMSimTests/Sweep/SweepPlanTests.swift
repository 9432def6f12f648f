import Testing
@testable import KMSim

/// `kmsim sweep`'s points: knob parsing, the cross product, `--set` on nested keys and its errors.
@Suite struct SweepPlanTests {
    static func larson() throws -> SweepSource {
        try SweepSource.resolve("larson").0
    }

    @Test func valuesSplitAtTopLevelCommasOnly() throws {
        #expect(try SweepKnob.values("1, 2,4", flag: "--cpus") == ["1", "2", "4"])
        #expect(try SweepKnob.values("[0, 1],[2, 3]", flag: "--set") == ["[0, 1]", "[2, 3]"])
        #expect(throws: SweepError.self) { try SweepKnob.values("1,,2", flag: "--cpus 1,,2") }
    }

    @Test func crossProductVariesTheFirstKnobSlowest() {
        #expect(SweepPlan.crossProduct([["1", "2"], ["a", "b", "c"]]) ==
                [["1", "a"], ["1", "b"], ["1", "c"], ["2", "a"], ["2", "b"], ["2", "c"]])
        #expect(SweepPlan.crossProduct([]) == [[]])
    }

    @Test func pointsSetNestedKeysAndParse() throws {
        let knobs = [try SweepKnob.cpus("2,3"), try SweepKnob.set("taskGroups.0.tasksPerCPU=1,3"),
                     try SweepKnob.set("reclaim.swappiness=0,100"), try SweepKnob.set("costs.pcpHit=40")]
        let plan = try SweepPlan(source: Self.larson(), knobs: knobs)
        #expect(plan.points.count == 8)
        #expect(plan.points.map(\.index) == Array(0..<8))
        let last = try #require(plan.points.last)
        #expect(last.settings.map(\.value) == ["3", "3", "100", "40"])
        let spec = try WorkloadSpec.parse(yaml: last.yaml, file: "point.yaml").spec
        #expect(spec.name == "larson")
        #expect(spec.machine.cpusPerNode == 3)
        #expect(spec.taskGroups.first?.tasksPerCPU == 3)
        #expect(spec.reclaim.swappiness == 100)
        #expect(last.knobsJSON == .object(["machine.cpusPerNode": .int(3), "taskGroups.0.tasksPerCPU": .int(3),
                                           "reclaim.swappiness": .int(100), "costs.pcpHit": .int(40)]))
        #expect(plan.shard(1, of: 3).map(\.index) == [1, 4, 7])
    }

    @Test func badKnobsNameTheirFlag() throws {
        func messages(_ knobs: [SweepKnob]) throws -> [String] {
            do {
                _ = try SweepPlan(source: Self.larson(), knobs: knobs)
                return []
            } catch let error as SweepError {
                return error.messages
            }
        }
        let unknown = try messages([SweepKnob.set("machine.cpusPerNod=2")])
        #expect(unknown.count == 1)
        #expect(unknown.first?.hasPrefix("--set machine.cpusPerNod=2: ") == true)
        #expect(unknown.first?.contains("did you mean 'cpusPerNode'") == true)
        let badValue = try messages([SweepKnob.cpus("2,zero")])
        #expect(badValue.first?.hasPrefix("--cpus 2,zero: machine.cpusPerNode=zero: ") == true)
        let outOfRange = try messages([SweepKnob.set("taskGroups.4.tasksPerCPU=1")])
        #expect(outOfRange.first?.contains("'taskGroups' has 1 item, so there is no index 4") == true)
        let throughScalar = try messages([SweepKnob.set("name.first=1")])
        #expect(throughScalar.first?.contains("'name' is a single value") == true)
        let twice = try messages([SweepKnob.cpus("1,2"), SweepKnob.set("machine.cpusPerNode=4")])
        let oneCPU = try messages([SweepKnob.cpus("1,2")])
        #expect(oneCPU == ["--cpus 1,2: machine.cpusPerNode=1: remoteFree: the machine has one CPU, so no other CPU can free; expected 0% or a machine with more CPUs"])
        #expect(twice.first?.contains("already swept by --cpus 1,2") == true)
        #expect(throws: SweepError.self) { try SweepKnob.set("machine.nodes") }
        #expect(throws: SweepError.self) { try SweepKnob.set("machine..nodes=1") }
    }

    @Test func tooManyPointsIsAnError() throws {
        let many = (1...400).map(String.init).joined(separator: ",")
        #expect(throws: SweepError.self) {
            try SweepPlan(source: Self.larson(), knobs: [SweepKnob.set("seed=\(many)"), SweepKnob.set("machine.minFreeKbytes=\(many)")])
        }
    }

    @Test func valuesValidOnlyTogetherAreFine() throws {
        let plan = try SweepPlan(source: Self.larson(), knobs: [SweepKnob.set("machine.slubMaxOrder=10"), SweepKnob.set("machine.slubMinOrder=0,10")])
        #expect(plan.points.count == 2)
    }

    @Test func aCombinationInvalidOnlyTogetherNamesItsPoint() throws {
        // 64 nodes of 32 CPUs is more than MachineSpec.maxCPUs; each value alone is fine.
        do {
            _ = try SweepPlan(source: Self.larson(), knobs: [SweepKnob.nodes("1,64"), SweepKnob.cpus("2,32")])
            Issue.record("expected an error")
        } catch let error as SweepError {
            #expect(error.messages.count == 1)
            #expect(error.messages.first?.hasPrefix("point 3 (machine.nodes=64 machine.cpusPerNode=32): ") == true)
        }
    }
}
