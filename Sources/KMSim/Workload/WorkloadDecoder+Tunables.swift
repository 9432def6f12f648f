import Yams

extension WorkloadDecoder {
    static let tunableKeys = ["percpuPagelistHighFraction", "pcpBatch", "slubMinObjects", "slubMinOrder", "slubMaxOrder", "cpuPartial", "watermarkBoostFactor"]

    /// Every kmalloc cache's name (`kmalloc-64`, `kmalloc-rcl-1k`, `dma-kmalloc-8k`, `kmalloc-cg-64`...):
    /// what `cpuPartial:` and failslab's `cache-filter` may name.
    static var kmallocCacheNames: [String] {
        KmallocType.allCases.flatMap { type in KmallocSizes.indices.map { type.cacheName(size: KmallocSizes.size(ofIndex: $0)) } }
    }

    /// The `machine:` keys of `KernelTunables`; each value read is recorded in `fieldNodes` so
    /// `KernelTunables.validate()`'s complaints land on it.
    mutating func decodeTunables(_ mapping: YAMLMapping, into tunables: inout KernelTunables, fieldNodes: inout [String: Node]) {
        let wideInts = Int(Int32.min)...Int(Int32.max)
        func read(_ key: String, _ assign: (inout KernelTunables, Int) -> Void) {
            guard let value = mapping[key], let number = reader.int(value, key, in: wideInts) else { return }
            assign(&tunables, number)
            fieldNodes[key] = value
        }
        read("percpuPagelistHighFraction") { $0.percpuPagelistHighFraction = $1 }
        read("pcpBatch") { $0.pcpBatch = $1 }
        read("slubMinObjects") { $0.slubMinObjects = $1 }
        read("slubMinOrder") { $0.slubMinOrder = $1 }
        read("slubMaxOrder") { $0.slubMaxOrder = $1 }
        read("watermarkBoostFactor") { $0.watermarkBoostFactor = $1 }
        guard let value = mapping["cpuPartial"] else { return }
        fieldNodes["cpuPartial"] = value
        guard case .mapping = value else {
            if let number = reader.int(value, "cpuPartial", in: wideInts) { tunables.cpuPartialAll = number }
            return
        }
        guard let caches = reader.mapping(value, "cpuPartial", allowed: Self.kmallocCacheNames) else { return }
        for entry in caches.entries {
            guard let number = reader.int(entry.value, "cpuPartial.\(entry.name)", in: wideInts) else { continue }
            tunables.cpuPartialByCache[entry.name] = number
            fieldNodes["cpuPartial.\(entry.name)"] = entry.value
        }
    }

    /// Puts a rejected tunable back to the kernel's default; false when `field` is not a tunable.
    static func resetTunable(_ field: String, of tunables: inout KernelTunables) -> Bool {
        let defaults = KernelTunables()
        switch field {
        case "percpuPagelistHighFraction": tunables.percpuPagelistHighFraction = defaults.percpuPagelistHighFraction
        case "pcpBatch": tunables.pcpBatch = nil
        case "slubMinObjects": tunables.slubMinObjects = defaults.slubMinObjects
        case "slubMinOrder": tunables.slubMinOrder = defaults.slubMinOrder
        case "slubMaxOrder":
            tunables.slubMaxOrder = defaults.slubMaxOrder
            tunables.slubMinOrder = min(tunables.slubMinOrder, defaults.slubMaxOrder)
        case "watermarkBoostFactor": tunables.watermarkBoostFactor = defaults.watermarkBoostFactor
        case "cpuPartial": tunables.cpuPartialAll = nil
        case _ where field.hasPrefix("cpuPartial."): tunables.cpuPartialByCache[String(field.dropFirst("cpuPartial.".count))] = nil
        default: return false
        }
        return true
    }
}
