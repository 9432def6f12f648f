/// `--trace`: the run's recorded events and timeline as a Perfetto trace.
extension WorkloadRunner {
    /// The machine as the trace lays it out.
    var traceLayout: PerfettoTrace.Layout {
        let machineSpec = spec.machine
        var cpuNode = [Int](repeating: 0, count: machineSpec.cpuCount)
        for node in 0..<machineSpec.nodes {
            for cpu in machineSpec.cpus(ofNode: node) where cpu < cpuNode.count { cpuNode[cpu] = node }
        }
        return PerfettoTrace.Layout(nodes: machineSpec.nodes, cpuNode: cpuNode,
                                    interruptNames: plan.interrupts.map(\.spec.name),
                                    lockClassNames: machine.lockStat.classes.map(\.name))
    }

    /// Encodes the trace of a finished run (`report` gives its timeline).
    public func perfettoTrace(_ report: RunReport) -> PerfettoTrace.Encoded {
        let (events, dropped) = machine.pageAllocator.eventLog.snapshot()
        return PerfettoTrace.encode(events: events, dropped: dropped, timeline: report.timeline, layout: traceLayout)
    }
}
