import Yams

extension WorkloadDecoder {
    static let phaseKeys = ["name", "allocate", "free"]
    static let phaseExpected = "phases such as {name: alloc, allocate: 4096} and {name: free, free: own}"
    /// Task group keys a phased group cannot have: its objects live until a free phase, and it runs
    /// each phase once as fast as it can.
    static let keysPhasesExclude = ["lifetime", "remoteFree", "opsPerSecond"]

    /// A task group's `phases:` list (`PhaseSpec`): each entry has a `name` and exactly one of
    /// `allocate: N` or `free: own | shuffled`; a free phase needs objects an earlier phase allocated.
    mutating func decodePhases(_ node: Node, group mapping: YAMLMapping) -> [PhaseSpec]? {
        guard let items = reader.sequence(node, "phases", expected: Self.phaseExpected, maximumCount: 64) else { return nil }
        guard !items.isEmpty else {
            reader.error("phases: found an empty list, expected \(Self.phaseExpected)", at: node)
            return nil
        }
        var failed = false
        for key in Self.keysPhasesExclude {
            if let keyNode = mapping.keyNode(key) {
                reader.error("\(key): a phased group keeps its objects until a free phase and runs each phase once at full speed; remove \(key) or phases", at: keyNode)
                failed = true
            }
        }
        var phases: [PhaseSpec] = []
        var allocatedSinceFree = false
        for (index, item) in items.enumerated() {
            guard let phase = reader.mapping(item, "phase \(index)", allowed: Self.phaseKeys) else {
                failed = true
                continue
            }
            var name = "phase\(index)"
            if let value = phase["name"] {
                if let text = reader.string(value, "name") { name = text } else { failed = true }
            }
            switch (phase["allocate"], phase["free"]) {
            case (let count?, nil):
                if let count = reader.int(count, "allocate", in: 1...PhaseSpec.maximumAllocations) {
                    phases.append(PhaseSpec(name: name, action: .allocate(count)))
                    allocatedSinceFree = true
                } else {
                    failed = true
                }
            case (nil, let whose?):
                guard let action = reader.choice(whose, "free", [("own", PhaseSpec.Action.freeOwn), ("shuffled", .freeShuffled)]) else {
                    failed = true
                    continue
                }
                if !allocatedSinceFree {
                    reader.error("free: phase \(index) has nothing to free, no phase before it allocates; expected an allocate phase first", at: whose)
                    failed = true
                }
                allocatedSinceFree = false
                phases.append(PhaseSpec(name: name, action: action))
            default:
                reader.error("phase \(index): expected exactly one of allocate: N or free: own|shuffled", at: item)
                failed = true
            }
        }
        return failed ? nil : phases
    }
}
