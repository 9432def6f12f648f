import Yams

/// What a size distribution measures, and the values it may take.
enum SizeUnit {
    case bytes(ClosedRange<UInt64>)
    case order(ClosedRange<UInt64>)

    var range: ClosedRange<UInt64> {
        switch self {
        case .bytes(let range), .order(let range): return range
        }
    }

    var isOrder: Bool {
        if case .order = self { return true }
        return false
    }

    func format(_ value: UInt64) -> String {
        isOrder ? "\(value)" : ByteSize.format(value)
    }

    var expected: String {
        isOrder ? "a page order such as 3, a range such as 0-3, or {distribution: uniform, min: 0, max: 3}"
            : "a size such as 64 or 4KiB, a range such as 8-1000, or {distribution: lognormal, median: 256, p99: 8KiB}"
    }
}

extension WorkloadDecoder {
    static let distributionKeys: [String: [String]] = [
        "fixed": ["distribution", "value"],
        "uniform": ["distribution", "min", "max"],
        "powerOfTwo": ["distribution", "min", "max"],
        "lognormal": ["distribution", "mu", "sigma", "median", "p99", "min", "max"],
        "pareto": ["distribution", "scale", "shape", "min", "max"],
    ]
    static let distributionNames = ["fixed", "uniform", "powerOfTwo", "lognormal", "pareto"]

    /// `size:` or `order:` — a single value (`64`, `4KiB`), a range (`8-1000`, uniform) or a mapping
    /// naming a distribution.
    mutating func decodeSize(_ node: Node, _ key: String, unit: SizeUnit) -> SizeDistribution? {
        switch node {
        case .scalar(let scalar) where !WorkloadReader.isNull(node):
            let parts = scalar.string.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 2 {
                guard let min = parseValue(String(parts[0]), unit), let max = parseValue(String(parts[1]), unit) else {
                    reader.error("\(key): found '\(WorkloadReader.clip(scalar.string))', expected \(unit.expected)", at: node)
                    return nil
                }
                return checkedBounds(min: min, max: max, key, unit: unit, at: node).map { .uniform(min: $0.min, max: $0.max) }
            }
            guard let value = parseValue(scalar.string, unit) else {
                reader.error("\(key): found '\(WorkloadReader.clip(scalar.string))', expected \(unit.expected)", at: node)
                return nil
            }
            return checkedBounds(min: value, max: value, key, unit: unit, at: node).map { .fixed($0.min) }
        case .mapping(let mapping):
            return decodeDistribution(node, mapping, key, unit: unit)
        default:
            reader.error("\(key): found \(WorkloadReader.describe(node)), expected \(unit.expected)", at: node)
            return nil
        }
    }

    private func parseValue(_ text: String, _ unit: SizeUnit) -> UInt64? {
        let cleaned = text.trimmingSpaces().replacingUnderscores()
        return unit.isOrder ? UInt64(cleaned) : ByteSize.parse(cleaned)
    }

    /// `{distribution: NAME, ...}` with the keys that distribution takes.
    private mutating func decodeDistribution(_ node: Node, _ raw: Node.Mapping, _ key: String, unit: SizeUnit) -> SizeDistribution? {
        guard let nameNode = raw["distribution"] else {
            reader.error("\(key): missing key 'distribution' (one of \(Self.distributionNames.joined(separator: ", ")))", at: node)
            return nil
        }
        guard let name = reader.choice(nameNode, "\(key).distribution", Self.distributionNames.map { ($0, $0) }) else { return nil }
        if unit.isOrder && name != "fixed" && name != "uniform" {
            reader.error("\(key).distribution: found '\(name)', expected fixed or uniform for page orders", at: nameNode)
            return nil
        }
        guard let mapping = reader.mapping(node, "a \(name) distribution", allowed: Self.distributionKeys[name] ?? []) else { return nil }
        let range = unit.range
        func bound(_ field: String, default fallback: UInt64) -> UInt64? {
            guard let valueNode = mapping[field] else { return fallback }
            return readValue(valueNode, "\(key).\(field)", unit: unit)
        }
        switch name {
        case "fixed":
            guard let valueNode = reader.require(mapping, "value"),
                  let value = readValue(valueNode, "\(key).value", unit: unit) else { return nil }
            return .fixed(value)
        case "uniform", "powerOfTwo":
            guard let minNode = reader.require(mapping, "min"), let maxNode = reader.require(mapping, "max"),
                  let min = readValue(minNode, "\(key).min", unit: unit),
                  let max = readValue(maxNode, "\(key).max", unit: unit),
                  let bounds = checkedBounds(min: min, max: max, key, unit: unit, at: maxNode) else { return nil }
            guard name == "powerOfTwo" else { return .uniform(min: bounds.min, max: bounds.max) }
            var powers = true
            for (value, valueNode) in [(min, minNode), (max, maxNode)] where value & (value &- 1) != 0 || value == 0 {
                reader.error("\(key): found \(unit.format(value)), expected a power of two for a powerOfTwo distribution", at: valueNode)
                powers = false
            }
            return powers ? .powerOfTwo(min: min, max: max) : nil
        case "lognormal":
            guard let min = bound("min", default: range.lowerBound), let max = bound("max", default: range.upperBound),
                  let bounds = checkedBounds(min: min, max: max, key, unit: unit, at: mapping["max"] ?? node) else { return nil }
            return decodeLognormal(mapping, key, min: bounds.min, max: bounds.max)
        default:
            guard let min = bound("min", default: range.lowerBound), let max = bound("max", default: range.upperBound),
                  let bounds = checkedBounds(min: min, max: max, key, unit: unit, at: mapping["max"] ?? node),
                  let scaleNode = reader.require(mapping, "scale"), let shapeNode = reader.require(mapping, "shape"),
                  let scale = readValue(scaleNode, "\(key).scale", unit: unit),
                  let shape = reader.double(shapeNode, "\(key).shape", expected: "a shape above zero such as 1.5", where: { $0 > 0 }) else {
                return nil
            }
            guard scale > 0 else {
                reader.error("\(key).scale: found 0, expected the smallest size of the distribution, above zero", at: scaleNode)
                return nil
            }
            return .pareto(scale: Double(scale), shape: shape, min: bounds.min, max: bounds.max)
        }
    }

    /// Lognormal from `mu`/`sigma` (of ln bytes) or from `median`/`p99` (bytes), not a mix.
    private mutating func decodeLognormal(_ mapping: YAMLMapping, _ key: String, min: UInt64, max: UInt64) -> SizeDistribution? {
        let byMoments = mapping.has("mu") || mapping.has("sigma")
        let byQuantiles = mapping.has("median") || mapping.has("p99")
        if byMoments == byQuantiles {
            reader.error("\(key): a lognormal distribution takes either mu and sigma, or median and p99", at: mapping.node)
            return nil
        }
        if byMoments {
            guard let muNode = reader.require(mapping, "mu"), let sigmaNode = reader.require(mapping, "sigma"),
                  let mu = reader.double(muNode, "\(key).mu", expected: "a number (the mean of ln size) such as 5.5", where: { abs($0) < 700 }),
                  let sigma = reader.double(sigmaNode, "\(key).sigma", expected: "a number above zero such as 1.2", where: { $0 > 0 && $0 < 100 }) else {
                return nil
            }
            return .lognormal(mu: mu, sigma: sigma, min: min, max: max)
        }
        guard let medianNode = reader.require(mapping, "median"), let p99Node = reader.require(mapping, "p99"),
              let median = reader.bytes(medianNode, "\(key).median", in: 1...UInt64.max),
              let p99 = reader.bytes(p99Node, "\(key).p99", in: 1...UInt64.max) else { return nil }
        guard p99 > median else {
            reader.error("\(key).p99: found \(ByteSize.format(p99)), expected more than the median \(ByteSize.format(median))", at: p99Node)
            return nil
        }
        return .lognormal(median: Double(median), p99: Double(p99), min: min, max: max)
    }

    private mutating func readValue(_ node: Node, _ key: String, unit: SizeUnit) -> UInt64? {
        switch unit {
        case .bytes(let range):
            return reader.bytes(node, key, in: range)
        case .order(let range):
            return reader.int(node, key, in: Int(range.lowerBound)...Int(range.upperBound)).map { UInt64($0) }
        }
    }

    /// Both ends within the unit's range and `min <= max`.
    private mutating func checkedBounds(min: UInt64, max: UInt64, _ key: String, unit: SizeUnit, at node: Node) -> (min: UInt64, max: UInt64)? {
        let range = unit.range
        for value in [min, max] where !range.contains(value) {
            let what = unit.isOrder ? "a page order within" : "a size within"
            reader.error("\(key): found \(unit.format(value)), expected \(what) \(unit.format(range.lowerBound))...\(unit.format(range.upperBound))", at: node)
            return nil
        }
        guard min <= max else {
            reader.error("\(key): found min \(unit.format(min)) above max \(unit.format(max)), expected min <= max", at: node)
            return nil
        }
        return (min, max)
    }
}
