import Yams

extension WorkloadDecoder {
    static let allocationKeys = ["api", "size", "order", "cache", "gfp"]
    static let apiChoices = AllocationAPI.allCases.map { ($0.rawValue, $0) }

    /// The keys every allocation has (`api`, `size`/`order`/`cache`, `gfp`), checked against the API:
    /// sizes within what the API serves, a named cache for kmemCache, and in interrupt context only
    /// non-blocking masks and APIs that do not sleep.
    mutating func decodeAllocation(_ mapping: YAMLMapping, defaultGFP: GFPSpec, inInterrupt: Bool) -> AllocationSpec? {
        guard let apiNode = reader.require(mapping, "api"),
              let api = reader.choice(apiNode, "api", Self.apiChoices) else { return nil }
        if inInterrupt && !api.isAllowedInInterrupt {
            reader.error("api: found \(api.rawValue), expected kmalloc, kmemCache or allocPages in an interrupt handler: \(api.kernelName) may sleep (might_sleep() in the vmalloc path)", at: apiNode)
            return nil
        }
        var gfp = defaultGFP
        if let gfpNode = mapping["gfp"] {
            guard let parsed = decodeGFP(gfpNode, "gfp") else { return nil }
            gfp = parsed
        }
        checkGFP(gfp, for: api, inInterrupt: inInterrupt, at: mapping["gfp"] ?? mapping.node)
        guard let (size, cache) = decodeAmount(mapping, api: api) else { return nil }
        return AllocationSpec(api: api, size: size, cache: cache, gfp: gfp)
    }

    /// `size`, `order` or `cache`, whichever the API takes.
    private mutating func decodeAmount(_ mapping: YAMLMapping, api: AllocationAPI) -> (SizeDistribution, KmemCacheSpec?)? {
        let wanted: String
        switch api {
        case .kmemCache: wanted = "cache"
        case .allocPages: wanted = "order"
        case .kmalloc, .vmalloc, .kvmalloc: wanted = "size"
        }
        for other in ["size", "order", "cache"] where other != wanted {
            if let node = mapping.keyNode(other) {
                reader.error("\(other): \(api.rawValue) takes '\(wanted)', not '\(other)'", at: node)
            }
        }
        switch api {
        case .kmemCache:
            guard let node = reader.require(mapping, "cache"), let cache = decodeCache(node) else { return nil }
            return (.fixed(cache.objectSize), cache)
        case .allocPages:
            guard let node = mapping["order"] else { return (.fixed(0), nil) }
            return decodeSize(node, "order", unit: .order(0...AllocationSpec.maxPageOrder)).map { ($0, nil) }
        case .kmalloc, .vmalloc, .kvmalloc:
            guard let node = reader.require(mapping, "size"),
                  let size = decodeSize(node, "size", unit: .bytes(1...maximumSize(of: api))) else { return nil }
            return (size, nil)
        }
    }

    /// The largest request each API serves (on this machine, for the virtually contiguous ones).
    private func maximumSize(of api: AllocationAPI) -> UInt64 {
        let machineBytes = machine.map { $0.memoryPerNode.multipliedReportingOverflow(by: UInt64($0.nodes)).partialValue } ?? (1 << 40)
        switch api {
        case .kmalloc, .kmemCache, .allocPages: return AllocationSpec.kmallocMaxSize
        case .vmalloc: return max(machineBytes, 1)
        case .kvmalloc: return max(min(machineBytes, AllocationSpec.kvmallocMaxSize), 1)
        }
    }

    /// `cache: {name: dentry, objectSize: 192}`; one size per name across the file.
    private mutating func decodeCache(_ node: Node) -> KmemCacheSpec? {
        guard let mapping = reader.mapping(node, "a cache", allowed: ["name", "objectSize"]) else { return nil }
        let nameNode = reader.require(mapping, "name")
        let sizeNode = reader.require(mapping, "objectSize")
        let name = nameNode.flatMap { reader.string($0, "cache.name") }
        let objectSize = sizeNode.flatMap { reader.bytes($0, "cache.objectSize", in: 1...AllocationSpec.kmallocMaxSize) }
        guard let nameNode, let sizeNode, let name, let objectSize else { return nil }
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace }) else {
            reader.error("cache.name: found '\(WorkloadReader.clip(name))', expected a slab cache name without spaces such as dentry", at: nameNode)
            return nil
        }
        if name.hasPrefix("kmalloc-") || name.hasPrefix("dma-kmalloc-") {
            reader.error("cache.name: '\(WorkloadReader.clip(name))' is a kmalloc cache; use api: kmalloc with a size instead", at: nameNode)
            return nil
        }
        if let earlier = caches[name], earlier.objectSize != objectSize {
            let line = YAMLPosition(earlier.node.mark).line
            reader.error("cache.objectSize: cache '\(name)' was declared with objectSize \(ByteSize.format(earlier.objectSize)) at line \(line), found \(ByteSize.format(objectSize))", at: sizeNode)
            return nil
        }
        caches[name] = (objectSize, sizeNode)
        return KmemCacheSpec(name: name, objectSize: objectSize)
    }

    /// Masks that cannot work where they are used: an error for a sleeping mask in interrupt context,
    /// warnings for what the kernel would fix up or refuse at run time.
    private mutating func checkGFP(_ gfp: GFPSpec, for api: AllocationAPI, inInterrupt: Bool, at node: Node) {
        if inInterrupt && gfp.flags.allowsBlocking {
            reader.error("gfp: '\(WorkloadReader.clip(gfp.expression))' has __GFP_DIRECT_RECLAIM and may sleep, expected a non-blocking mask such as GFP_ATOMIC or GFP_NOWAIT in an interrupt handler; to provoke the BUG on purpose, add a bugs: entry with kind: sleepingAllocInIRQ and deliberate: true", at: node)
        }
        if (api == .kmalloc || api == .kmemCache) && !gfp.flags.intersection([.dma32, .highMem]).isEmpty {
            reader.warning("gfp: \(api.kernelName) with __GFP_DMA32 or __GFP_HIGHMEM: the kernel warns \"Unexpected gfp\" and clears them (kmalloc_fix_flags, GFP_SLAB_BUG_MASK)", at: node)
        }
        if api == .vmalloc && !gfp.flags.allowsBlocking {
            reader.warning("gfp: vmalloc with a mask that cannot sleep: vmalloc allocates page tables with GFP_KERNEL and does not support non-blocking masks in 6.12, so these allocations fail", at: node)
        }
    }
}
