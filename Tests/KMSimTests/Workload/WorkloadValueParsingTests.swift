import Testing
@testable import KMSim

@Suite struct WorkloadValueParsingTests {
    @Test func durations() {
        #expect(TimeSpan.parse("500ms") == 0.5)
        #expect(TimeSpan.parse("4s") == 4)
        #expect(TimeSpan.parse("2m") == 120)
        #expect(TimeSpan.parse("2min") == 120)
        #expect(TimeSpan.parse("1.5s") == 1.5)
        #expect(TimeSpan.parse("250us") == 0.000_25)
        #expect(TimeSpan.parse("1h") == 3600)
        #expect(TimeSpan.parse(" 3 s ") == 3)
        #expect(TimeSpan.parse("7") == 7)
        #expect(TimeSpan.parse("0") == 0)
        for bad in ["", "s", "-1s", "4 parsecs", "4S", "1e3s", "..s", "nan", "inf", "4s4"] {
            #expect(TimeSpan.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func durationsFormatBack() {
        #expect(TimeSpan.format(0.5) == "500ms")
        #expect(TimeSpan.format(4) == "4s")
        #expect(TimeSpan.format(120) == "2m")
        #expect(TimeSpan.format(90) == "90s")
        #expect(TimeSpan.format(0.000_25) == "250us")
        for text in ["500ms", "4s", "2m", "1.5s", "250us"] {
            #expect(TimeSpan.parse(TimeSpan.format(TimeSpan.parse(text) ?? -1)) == TimeSpan.parse(text))
        }
    }

    @Test func percentages() {
        #expect(Percentage.parse("30%") == 0.3)
        #expect(Percentage.parse("100%") == 1)
        #expect(Percentage.parse("0%") == 0)
        #expect(Percentage.parse("0.5 %") == 0.005)
        #expect(Percentage.parse("0.25") == 0.25)
        #expect(Percentage.parse("1") == 1)
        for bad in ["", "%", "101%", "-5%", "30", "1.5", "abc%", "nan%", "inf"] {
            #expect(Percentage.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func rates() {
        #expect(Rate.parsePerSecond("20000") == 20000)
        #expect(Rate.parsePerSecond("20000/s") == 20000)
        #expect(Rate.parsePerSecond("0.5/s") == 0.5)
        #expect(Rate.parsePerSecond("-3") == nil)
        #expect(Rate.parsePerSecond("fast") == nil)
        #expect(Rate.parseBandwidth("64MiB/s") == 64 << 20)
        #expect(Rate.parseBandwidth("1GiB") == 1 << 30)
        #expect(Rate.parseBandwidth("64MiB/h") == nil)
    }

    @Test func sizesAsWorkloadsWriteThem() {
        #expect(ByteSize.parse("64") == 64)
        #expect(ByteSize.parse("4KiB") == 4096)
        #expect(ByteSize.parse("2MiB") == 2 << 20)
        #expect(ByteSize.parse("99999999999999999999") == nil)
    }

    @Test func keySuggestions() {
        let keys = WorkloadDecoder.taskGroupKeys
        #expect(KeySuggestion.closest(to: "tasks_per_cpu", in: keys) == "tasksPerCPU")
        #expect(KeySuggestion.closest(to: "lifetme", in: keys) == "lifetime")
        #expect(KeySuggestion.closest(to: "remotefree", in: keys) == "remoteFree")
        #expect(KeySuggestion.closest(to: "zebra", in: keys) == nil)
    }

    @Test func cpuSelectionsResolveOnTheMachine() {
        let machine = MachineSpec(nodes: 2, cpusPerNode: 3)
        #expect(CPUSelection.all.cpus(on: machine) == [0, 1, 2, 3, 4, 5])
        #expect(CPUSelection.nodes([1]).cpus(on: machine) == [3, 4, 5])
        #expect(CPUSelection.cpus([0, 4, 9]).cpus(on: machine) == [0, 4])
    }

    @Test func cpuListsParseInTheirThreeForms() throws {
        let yaml = """
            machine: {nodes: 2, cpusPerNode: 4}
            taskGroups:
              - {name: a, cpus: "0-2,6", mix: [{api: kmalloc, size: 64}]}
              - {name: b, cpus: [1, 4-5, node0], mix: [{api: kmalloc, size: 64}]}
              - {name: c, cpus: [node1], mix: [{api: kmalloc, size: 64}]}
              - {name: d, cpus: all, mix: [{api: kmalloc, size: 64}]}
              - {name: e, cpus: 7, mix: [{api: kmalloc, size: 64}]}
            """
        let groups = try WorkloadSpec.parse(yaml: yaml, file: "cpus.yaml").spec.taskGroups
        #expect(groups.map(\.cpus) == [.cpus([0, 1, 2, 6]), .cpus([0, 1, 2, 3, 4, 5]), .nodes([1]), .all, .cpus([7])])
    }
}

@Suite struct SizeDistributionTests {
    static let shapes: [SizeDistribution] = [
        .fixed(64),
        .uniform(min: 8, max: 1000),
        .powerOfTwo(min: 8, max: 4096),
        .lognormal(median: 128, p99: 4096, min: 8, max: 16384),
        .pareto(scale: 64, shape: 1.2, min: 64, max: 65536),
    ]

    @Test(arguments: shapes)
    func samplesStayWithinTheBounds(_ distribution: SizeDistribution) {
        var generator = SplitMix64(seed: 4141)
        for _ in 0..<20_000 {
            let value = distribution.sample(using: &generator)
            #expect(value >= distribution.minimum && value <= distribution.maximum)
        }
    }

    @Test func powerOfTwoGivesOnlyPowersOfTwoAndEveryExponent() {
        var generator = SplitMix64(seed: 1)
        var seen: Set<UInt64> = []
        for _ in 0..<10_000 {
            let value = SizeDistribution.powerOfTwo(min: 8, max: 4096).sample(using: &generator)
            #expect(value.nonzeroBitCount == 1)
            seen.insert(value)
        }
        #expect(seen == [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
    }

    /// median/p99 input: about half the samples fall below the median and about 1 % above p99.
    @Test func lognormalMatchesItsMedianAndP99() {
        var generator = SplitMix64(seed: 7)
        let distribution = SizeDistribution.lognormal(median: 256, p99: 8192, min: 1, max: 1 << 30)
        let samples = (0..<100_000).map { _ in distribution.sample(using: &generator) }
        let belowMedian = Double(samples.filter { $0 < 256 }.count) / Double(samples.count)
        let aboveP99 = Double(samples.filter { $0 > 8192 }.count) / Double(samples.count)
        #expect(abs(belowMedian - 0.5) < 0.01)
        #expect(abs(aboveP99 - 0.01) < 0.002)
    }

    /// P(X > x) = (scale / x)^shape.
    @Test func paretoTailFollowsItsShape() {
        var generator = SplitMix64(seed: 9)
        let distribution = SizeDistribution.pareto(scale: 100, shape: 2, min: 1, max: 1 << 40)
        let samples = (0..<100_000).map { _ in distribution.sample(using: &generator) }
        let above1000 = Double(samples.filter { $0 > 1000 }.count) / Double(samples.count)
        #expect(abs(above1000 - 0.01) < 0.002)
        #expect(samples.allSatisfy { $0 >= 100 })
    }

    @Test func equalSeedsReplayTheSameSequence() {
        var a = SplitMix64(seed: 4141)
        var b = SplitMix64(seed: 4141)
        var c = SplitMix64(seed: 4142)
        let first = (0..<100).map { _ in SizeDistribution.uniform(min: 8, max: 1000).sample(using: &a) }
        #expect(first == (0..<100).map { _ in SizeDistribution.uniform(min: 8, max: 1000).sample(using: &b) })
        #expect(first != (0..<100).map { _ in SizeDistribution.uniform(min: 8, max: 1000).sample(using: &c) })
    }
}
