import Yams

extension WorkloadDecoder {
    static let bugKeys = ["kind", "deliberate", "cpus", "rate", "size", "gfp"]
    // A bug's `rate` is that of an interrupt source (`InterruptSource.rateRange`): sleepingAllocInIRQ
    // runs from one, and the slab bugs' tasks sleep 1 / rate between mistakes.

    /// A `bugs:` entry. It must say `deliberate: true`: a bug is provoked only when the file says so in
    /// as many words.
    mutating func decodeBug(_ node: Node, index: Int) -> DeliberateBugSpec? {
        guard let mapping = reader.mapping(node, "bug \(index)", allowed: Self.bugKeys) else { return nil }
        var failed = false
        let kind = reader.require(mapping, "kind").flatMap {
            reader.choice($0, "kind", DeliberateBugSpec.Kind.allCases.map { ($0.rawValue, $0) })
        }
        if let value = mapping["deliberate"] {
            if let deliberate = reader.bool(value, "deliberate"), !deliberate {
                reader.error("deliberate: found false, expected true: a bugs: entry provokes BUG reports on purpose (remove the entry to run without it)", at: value)
                failed = true
            }
        } else {
            reader.error("bug \(index): missing 'deliberate: true', which says the BUG reports it causes are intended", at: node)
            failed = true
        }
        var bug = DeliberateBugSpec(kind: kind ?? .doubleFree, ratePerSecond: 1)
        if let value = mapping["cpus"] {
            if let cpus = decodeCPUs(value, "cpus") { bug.cpus = cpus } else { failed = true }
        }
        if let value = reader.require(mapping, "rate"), let rate = reader.rate(value, "rate", in: InterruptSource.rateRange) {
            bug.ratePerSecond = rate
        } else {
            failed = true
        }
        if let value = mapping["size"] {
            if let size = reader.bytes(value, "size", in: 1...AllocationSpec.kmallocMaxSize) {
                if let kind, kind.isSlabBug, !DeliberateBugSpec.slabDebugSizes.contains(size) {
                    reader.error("size: found \(ByteSize.format(size)), expected at most \(ByteSize.format(DeliberateBugSpec.slabDebugSizes.upperBound)) (KMALLOC_MAX_CACHE_SIZE) for a \(kind.rawValue) bug: larger kmallocs come from the page allocator (kmalloc_large), which slub_debug does not check", at: value)
                    failed = true
                }
                bug.size = size
            } else {
                failed = true
            }
        }
        if let value = mapping["gfp"] {
            if kind != nil && kind != .sleepingAllocInIRQ, let key = mapping.keyNode("gfp") {
                reader.error("gfp: only a sleepingAllocInIRQ bug allocates with a chosen mask", at: key)
                failed = true
            } else if let gfp = decodeGFP(value, "gfp") {
                if !gfp.flags.allowsBlocking {
                    reader.error("gfp: '\(WorkloadReader.clip(gfp.expression))' has no __GFP_DIRECT_RECLAIM, so it never sleeps and is no bug in an interrupt; expected a blocking mask such as GFP_KERNEL", at: value)
                    failed = true
                }
                bug.gfp = gfp
            } else {
                failed = true
            }
        }
        guard let kind, !failed else { return nil }
        bug.kind = kind
        return bug
    }
}
