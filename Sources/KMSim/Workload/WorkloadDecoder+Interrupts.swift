import Yams

extension WorkloadDecoder {
    static let interruptKeys = ["name", "cpus", "rate", "context", "allocations"]
    static let handlerAllocationKeys = allocationKeys + ["count", "freedBy", "lifetime", "freeCPUs"]

    mutating func decodeInterruptSource(_ node: Node, index: Int) -> InterruptSourceSpec? {
        guard let mapping = reader.mapping(node, "interrupt source \(index)", allowed: Self.interruptKeys) else { return nil }
        var failed = false
        var name = "irq\(index)"
        if let value = mapping["name"] {
            if let text = reader.string(value, "name") { name = text } else { failed = true }
        }
        var cpus = CPUSelection.all
        if let value = mapping["cpus"] {
            if let selection = decodeCPUs(value, "cpus") { cpus = selection } else { failed = true }
        }
        var rate = 0.0
        if let value = reader.require(mapping, "rate"), let perSecond = reader.rate(value, "rate", in: InterruptSource.rateRange) {
            rate = perSecond
        } else {
            failed = true
        }
        var context = ExecutionContext.Kind.hardirq
        if let value = mapping["context"] {
            if let kind = reader.choice(value, "context", [("hardirq", ExecutionContext.Kind.hardirq), ("softirq", .softirq)]) {
                context = kind
            } else {
                failed = true
            }
        }
        var allocations: [HandlerAllocationSpec] = []
        if let value = reader.require(mapping, "allocations"),
           let items = reader.sequence(value, "allocations", expected: "handler allocations such as {api: kmalloc, size: 2KiB}", maximumCount: 256) {
            if items.isEmpty {
                reader.error("allocations: found an empty list, expected at least one handler allocation", at: value)
                failed = true
            }
            for (itemIndex, item) in items.enumerated() {
                if let allocation = decodeHandlerAllocation(item, index: itemIndex, sourceCPUs: cpus) { allocations.append(allocation) } else { failed = true }
            }
        } else {
            failed = true
        }
        return failed ? nil : InterruptSourceSpec(name: name, cpus: cpus, ratePerSecond: rate, context: context, allocations: allocations)
    }

    /// Who frees a handler's allocation, as `freedBy:` names it.
    private enum Freer: String, CaseIterable {
        case handler, task, remote
    }

    /// One handler allocation: the allocation keys plus `count`, `freedBy`, `lifetime` and `freeCPUs`.
    private mutating func decodeHandlerAllocation(_ node: Node, index: Int, sourceCPUs: CPUSelection) -> HandlerAllocationSpec? {
        guard let mapping = reader.mapping(node, "handler allocation \(index)", allowed: Self.handlerAllocationKeys) else { return nil }
        var failed = false
        let allocation = decodeAllocation(mapping, defaultGFP: .atomic, inInterrupt: true)
        var count = 1
        if let value = mapping["count"] {
            if let parsed = reader.int(value, "count", in: 1...1024) { count = parsed } else { failed = true }
        }
        var freer = Freer.handler
        if let value = mapping["freedBy"] {
            if let parsed = reader.choice(value, "freedBy", Freer.allCases.map { ($0.rawValue, $0) }) { freer = parsed } else { failed = true }
        }
        var lifetime = Lifetime.operations(0)
        if let key = mapping.keyNode("lifetime"), let value = mapping["lifetime"] {
            if freer == .handler {
                reader.error("lifetime: an allocation freed in the handler lives only while the handler runs; expected freedBy: task or remote with a lifetime", at: key)
                failed = true
            } else if let parsed = decodeLifetime(value, "lifetime") {
                if case .slots = parsed {
                    reader.error("lifetime: found slots, expected an operation count, a duration or forever for a handler allocation", at: value)
                    failed = true
                }
                lifetime = parsed
            } else {
                failed = true
            }
        }
        var freeCPUs: CPUSelection?
        if let key = mapping.keyNode("freeCPUs"), let value = mapping["freeCPUs"] {
            if freer != .remote {
                reader.error("freeCPUs: only allocations with freedBy: remote are freed on other CPUs", at: key)
                failed = true
            } else if let cpus = decodeCPUs(value, "freeCPUs"), checkRemoteTargets(cpus, from: sourceCPUs, "freeCPUs", at: value) {
                freeCPUs = cpus
            } else {
                failed = true
            }
        }
        guard let allocation, !failed else { return nil }
        switch freer {
        case .handler: return HandlerAllocationSpec(allocation, count: count, freedBy: .handler)
        case .task: return HandlerAllocationSpec(allocation, count: count, freedBy: .task(after: lifetime))
        case .remote: return HandlerAllocationSpec(allocation, count: count, freedBy: .remoteCPU(cpus: freeCPUs, after: lifetime))
        }
    }
}
