import Yams

/// `faults:` — fault injection as the kernel's debugfs directories hold it
/// (Documentation/fault-injection/fault-injection.rst): `failslab:` and `fail_page_alloc:`, each with
/// the knobs of `struct fault_attr` under their debugfs names plus its own (`ignore-gfp-wait`,
/// `cache-filter` with the `caches` list; `ignore-gfp-highmem`, `min-order`).
extension WorkloadDecoder {
    static let faultsKeys = ["failslab", "fail_page_alloc"]
    static let faultAttrKeys = ["probability", "interval", "times", "space", "verbose", "task-filter"]
    static let failslabKeys = faultAttrKeys + ["ignore-gfp-wait", "cache-filter", "caches"]
    static let failPageAllocKeys = faultAttrKeys + ["ignore-gfp-wait", "ignore-gfp-highmem", "min-order"]

    mutating func decodeFaults(_ node: Node) -> FaultInjectionSpec? {
        guard let mapping = reader.mapping(node, "faults", allowed: Self.faultsKeys) else { return nil }
        if mapping.entries.isEmpty {
            reader.error("faults: found no capability, expected failslab or fail_page_alloc (or leave the key out)", at: node)
            return nil
        }
        var spec = FaultInjectionSpec()
        var failed = false
        if let value = mapping["failslab"] {
            if let failslab = decodeFailslab(value) { spec.failslab = failslab } else { failed = true }
        }
        if let value = mapping["fail_page_alloc"] {
            if let pages = decodeFailPageAlloc(value) { spec.failPageAlloc = pages } else { failed = true }
        }
        return failed ? nil : spec
    }

    private mutating func decodeFailslab(_ node: Node) -> FailSlabSpec? {
        guard let mapping = reader.mapping(node, "faults.failslab", allowed: Self.failslabKeys) else { return nil }
        var spec = FailSlabSpec()
        var failed = false
        if let attr = decodeFaultAttr(mapping, "faults.failslab") { spec.attr = attr } else { failed = true }
        if let value = mapping["ignore-gfp-wait"] {
            if let flag = reader.bool(value, "faults.failslab.ignore-gfp-wait") { spec.ignoreGFPWait = flag } else { failed = true }
        }
        if let value = mapping["cache-filter"] {
            if let flag = reader.bool(value, "faults.failslab.cache-filter") { spec.cacheFilter = flag } else { failed = true }
        }
        if let value = mapping["caches"] {
            if let caches = decodeFailslabCaches(value) { spec.caches = caches } else { failed = true }
            if !spec.cacheFilter, let key = mapping.keyNode("caches") {
                reader.warning("faults.failslab.caches: marks caches for cache-filter, which is off; every cache may fail (set cache-filter: true to limit failures to these)", at: key)
            }
        } else if spec.cacheFilter, let key = mapping.keyNode("cache-filter") {
            reader.warning("faults.failslab.cache-filter: no cache is marked (caches:), so nothing can fail", at: key)
        }
        return failed ? nil : spec
    }

    private mutating func decodeFailPageAlloc(_ node: Node) -> FailPageAllocSpec? {
        guard let mapping = reader.mapping(node, "faults.fail_page_alloc", allowed: Self.failPageAllocKeys) else { return nil }
        var spec = FailPageAllocSpec()
        var failed = false
        if let attr = decodeFaultAttr(mapping, "faults.fail_page_alloc") { spec.attr = attr } else { failed = true }
        if let value = mapping["ignore-gfp-wait"] {
            if let flag = reader.bool(value, "faults.fail_page_alloc.ignore-gfp-wait") { spec.ignoreGFPWait = flag } else { failed = true }
        }
        if let value = mapping["ignore-gfp-highmem"] {
            if let flag = reader.bool(value, "faults.fail_page_alloc.ignore-gfp-highmem") { spec.ignoreGFPHighmem = flag } else { failed = true }
        }
        if let value = mapping["min-order"] {
            if let order = reader.int(value, "faults.fail_page_alloc.min-order", in: 0...(PageAllocator.maxOrder + 1)) {
                spec.minOrder = order
            } else {
                failed = true
            }
        }
        return failed ? nil : spec
    }

    /// The `struct fault_attr` knobs shared by both capabilities, with `FAULT_ATTR_INITIALIZER`'s defaults.
    private mutating func decodeFaultAttr(_ mapping: YAMLMapping, _ prefix: String) -> FaultAttrSpec? {
        var attr = FaultAttrSpec()
        var failed = false
        if let value = mapping["probability"] {
            let expected = "a percentage within 0...100 such as 10 or 10% (the kernel's probability is whole percent)"
            if let percent = reader.value(value, "\(prefix).probability", expected: expected, { text -> Int? in
                let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
                return Int(digits.trimmingSpaces()).flatMap { FaultAttrSpec.probabilityRange.contains($0) ? $0 : nil }
            }) {
                attr.probability = percent
            } else {
                failed = true
            }
        }
        if let value = mapping["interval"] {
            if let interval = reader.int(value, "\(prefix).interval", in: FaultAttrSpec.intervalRange) { attr.interval = interval } else { failed = true }
        }
        if let value = mapping["times"] {
            if let times = reader.int(value, "\(prefix).times", in: FaultAttrSpec.timesRange) { attr.times = times } else { failed = true }
        }
        if let value = mapping["space"] {
            let range = UInt64(FaultAttrSpec.spaceRange.lowerBound)...UInt64(FaultAttrSpec.spaceRange.upperBound)
            if let space = reader.bytes(value, "\(prefix).space", in: range) { attr.space = Int(space) } else { failed = true }
        }
        if let value = mapping["verbose"] {
            if let verbose = reader.int(value, "\(prefix).verbose", in: FaultAttrSpec.verboseRange) { attr.verbose = verbose } else { failed = true }
        }
        if let value = mapping["task-filter"] {
            if let flag = reader.bool(value, "\(prefix).task-filter") { attr.taskFilter = flag } else { failed = true }
        }
        return failed ? nil : attr
    }

    /// `caches:` — the caches marked SLAB_FAILSLAB: the workload's own caches (declared anywhere in the
    /// file) or kmalloc caches by their /proc/slabinfo names.
    private mutating func decodeFailslabCaches(_ node: Node) -> [String]? {
        guard let items = reader.sequence(node, "faults.failslab.caches", expected: "cache names such as kmalloc-256 or skbuff_head_cache") else {
            return nil
        }
        var names: [String] = []
        var failed = false
        let known = Set(caches.keys).union(Self.kmallocCacheNames)
        for item in items {
            guard let name = reader.string(item, "faults.failslab.caches") else {
                failed = true
                continue
            }
            guard known.contains(name) else {
                var message = "faults.failslab.caches: no cache is called '\(WorkloadReader.clip(name))'; expected a kmalloc cache (kmalloc-8 ... kmalloc-8k) or a cache the workload allocates from"
                if let suggestion = KeySuggestion.closest(to: name, in: known.sorted()) { message += " (did you mean '\(suggestion)'?)" }
                reader.error(message, at: item)
                failed = true
                continue
            }
            names.append(name)
        }
        return failed ? nil : names
    }
}
