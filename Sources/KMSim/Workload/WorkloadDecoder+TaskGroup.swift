import Yams

extension WorkloadDecoder {
    static let taskGroupKeys = ["name", "cpus", "tasksPerCPU", "gfp", "mix", "lifetime", "remoteFree", "scoped", "opsPerSecond",
                                 "makeItFail", "failNth", "phases"]
    static let mixKeys = ["weight"] + allocationKeys
    static let lifetimeExpected = "an operation count such as 100, a duration such as 5ms, forever, or {slots: N}"
    /// Tasks per CPU a group may ask for; the runner creates each as a simulated task.
    static let maximumTasksPerCPU = 256
    /// The longest lifetime in operations, as for `{slots: N}`: a task keeps its live objects in a ring of
    /// that many entries (8 bytes each), allocated when the task starts.
    static let maximumLifetimeOperations = 10_000_000
    /// `opsPerSecond` per task: at least one operation per 1000 s, at most 10^9 a second. The runner paces
    /// a task by converting operations done / rate to nanoseconds, and batches rate / 1000 operations.
    public static let opsPerSecondRange: ClosedRange<Double> = 0.001...1e9

    mutating func decodeTaskGroup(_ node: Node, index: Int) -> TaskGroupSpec? {
        guard let mapping = reader.mapping(node, "task group \(index)", allowed: Self.taskGroupKeys) else { return nil }
        var failed = false
        var group = TaskGroupSpec(name: "group\(index)", mix: [])
        if let value = mapping["name"] {
            if let name = reader.string(value, "name") { group.name = name } else { failed = true }
        }
        if let value = mapping["cpus"] {
            if let cpus = decodeCPUs(value, "cpus") { group.cpus = cpus } else { failed = true }
        }
        if let value = mapping["tasksPerCPU"] {
            if let tasks = reader.int(value, "tasksPerCPU", in: 1...Self.maximumTasksPerCPU) { group.tasksPerCPU = tasks } else { failed = true }
        }
        var defaultGFP = GFPSpec.kernel
        if let value = mapping["gfp"] {
            if let gfp = decodeGFP(value, "gfp") { defaultGFP = gfp } else { failed = true }
        }
        if let value = reader.require(mapping, "mix"), let mix = decodeMix(value, defaultGFP: defaultGFP) {
            group.mix = mix
        } else {
            failed = true
        }
        if let value = mapping["lifetime"] {
            if let lifetime = decodeLifetime(value, "lifetime") { group.lifetime = lifetime } else { failed = true }
        }
        if let value = mapping["remoteFree"] {
            if let remote = decodeRemoteFree(value, groupCPUs: group.cpus) { group.remoteFree = remote } else { failed = true }
        }
        if let value = mapping["scoped"] {
            if let scoped = decodeScoped(value) { group.scoped = scoped } else { failed = true }
        }
        if let value = mapping["opsPerSecond"] {
            if let rate = reader.rate(value, "opsPerSecond", in: Self.opsPerSecondRange) {
                group.opsPerSecond = rate
                if case .operations(let count)? = length, Double(count) / rate > TimeSpan.maximumSeconds {
                    reader.error("opsPerSecond: \(count) operations at \(Rate.format(rate)) a second take longer than the longest run, \(TimeSpan.maximumText); expected a rate of at least \(Rate.format((Double(count) / TimeSpan.maximumSeconds).rounded(.up)))", at: value)
                    failed = true
                }
            } else {
                failed = true
            }
        }
        if let value = mapping["makeItFail"] {
            if let flag = reader.bool(value, "makeItFail") { group.makeItFail = flag } else { failed = true }
        }
        if let value = mapping["failNth"] {
            if let nth = reader.int(value, "failNth", in: 1...Int(Int32.max)) { group.failNth = nth } else { failed = true }
        }
        if let value = mapping["phases"] {
            if let phases = decodePhases(value, group: mapping) { group.phases = phases } else { failed = true }
        }
        return failed ? nil : group
    }

    /// `mix:` — a list of allocations with weights; the weights must not all be zero.
    private mutating func decodeMix(_ node: Node, defaultGFP: GFPSpec) -> [WeightedAllocation]? {
        guard let items = reader.sequence(node, "mix", expected: "allocations such as {api: kmalloc, size: 64, weight: 3}", maximumCount: 256) else { return nil }
        guard !items.isEmpty else {
            reader.error("mix: found an empty list, expected at least one allocation such as {api: kmalloc, size: 64}", at: node)
            return nil
        }
        var mix: [WeightedAllocation] = []
        var failed = false
        for (index, item) in items.enumerated() {
            guard let mapping = reader.mapping(item, "mix entry \(index)", allowed: Self.mixKeys) else {
                failed = true
                continue
            }
            var weight = 1.0
            if let weightNode = mapping["weight"] {
                guard let value = reader.double(weightNode, "weight", expected: "a weight of zero or more such as 3", where: { $0 >= 0 && $0 < 1e12 }) else {
                    failed = true
                    continue
                }
                weight = value
            }
            guard let allocation = decodeAllocation(mapping, defaultGFP: defaultGFP, inInterrupt: false) else {
                failed = true
                continue
            }
            mix.append(WeightedAllocation(allocation, weight: weight))
        }
        if !failed && mix.allSatisfy({ $0.weight == 0 }) {
            reader.error("mix: the weights add up to 0, expected at least one entry with a weight above zero", at: node)
            return nil
        }
        return failed ? nil : mix
    }

    /// `lifetime:` — `0` (free at once), `200` (operations), `5ms`, `forever`, or `{slots: 5000}`.
    mutating func decodeLifetime(_ node: Node, _ key: String) -> Lifetime? {
        if case .mapping = node {
            guard let mapping = reader.mapping(node, key, allowed: ["slots"]),
                  let slotsNode = reader.require(mapping, "slots"),
                  let slots = reader.int(slotsNode, "\(key).slots", in: 1...Self.maximumLifetimeOperations) else { return nil }
            return .slots(slots)
        }
        guard let text = reader.scalarText(node, key, expected: Self.lifetimeExpected) else { return nil }
        let trimmed = text.trimmingSpaces()
        if trimmed == "forever" { return .forever }
        let count = trimmed.hasSuffix("ops") ? String(trimmed.dropLast(3)).trimmingSpaces() : trimmed
        if let operations = Int(count.replacingUnderscores()), operations >= 0 {
            guard operations <= Self.maximumLifetimeOperations else {
                reader.error("\(key): found \(operations) operations, expected at most \(Self.maximumLifetimeOperations) (each task keeps a ring of that many objects)", at: node)
                return nil
            }
            return .operations(operations)
        }
        if let seconds = TimeSpan.parse(trimmed), trimmed.last?.isLetter == true {
            guard seconds <= TimeSpan.maximumSeconds else {
                reader.error("\(key): found \(TimeSpan.format(seconds)), expected a duration of at most \(TimeSpan.maximumText) (or forever)", at: node)
                return nil
            }
            return .time(seconds: seconds)
        }
        reader.error("\(key): found '\(WorkloadReader.clip(text))', expected \(Self.lifetimeExpected)", at: node)
        return nil
    }

    /// `remoteFree: 30%` or `{fraction: 30%, cpus: node1}`.
    private mutating func decodeRemoteFree(_ node: Node, groupCPUs: CPUSelection) -> RemoteFreeSpec? {
        var remote = RemoteFreeSpec.none
        var fractionNode = node
        if case .mapping = node {
            guard let mapping = reader.mapping(node, "remoteFree", allowed: ["fraction", "cpus"]),
                  let value = reader.require(mapping, "fraction") else { return nil }
            fractionNode = value
            if let cpusNode = mapping["cpus"] {
                guard let cpus = decodeCPUs(cpusNode, "remoteFree.cpus") else { return nil }
                remote.cpus = cpus
            }
        }
        guard let fraction = reader.fraction(fractionNode, "remoteFree") else { return nil }
        remote.fraction = fraction
        if fraction > 0, remote.cpus == nil, let machine, machine.cpuCount < 2 {
            reader.error("remoteFree: the machine has one CPU, so no other CPU can free; expected 0% or a machine with more CPUs", at: fractionNode)
            return nil
        }
        if fraction > 0, let targets = remote.cpus, !checkRemoteTargets(targets, from: groupCPUs, "remoteFree.cpus", at: node) {
            return nil
        }
        return remote
    }

    /// `scoped: {nofs: 50%, noio: 10%}`: the share of operations inside each memalloc_*_save() section.
    private mutating func decodeScoped(_ node: Node) -> [ScopedSection]? {
        let kinds = ScopedSection.Kind.allCases
        guard let mapping = reader.mapping(node, "scoped", allowed: kinds.map(\.rawValue)) else { return nil }
        var sections: [ScopedSection] = []
        for entry in mapping.entries {
            guard let kind = ScopedSection.Kind(rawValue: entry.name),
                  let fraction = reader.fraction(entry.value, "scoped.\(entry.name)") else { return nil }
            sections.append(ScopedSection(kind: kind, fraction: fraction))
        }
        return sections
    }

    /// A remote free needs, for every allocating CPU, some target CPU other than itself.
    mutating func checkRemoteTargets(_ targets: CPUSelection, from sources: CPUSelection, _ key: String, at node: Node) -> Bool {
        guard let machine else { return true }
        let targetCPUs = Set(targets.cpus(on: machine))
        guard let stranded = sources.cpus(on: machine).first(where: { targetCPUs.subtracting([$0]).isEmpty }) else { return true }
        reader.error("\(key): CPU \(stranded) allocates but the only CPU listed to free remotely is itself; expected another CPU", at: node)
        return false
    }
}
