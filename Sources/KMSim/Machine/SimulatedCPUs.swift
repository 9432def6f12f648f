import Synchronization

/// Source of `SimulatedCPUs.machineID`.
private let nextMachineID = Atomic<Int>(0)

/// The machine's simulated CPUs (`cpu_possible_mask` with each CPU's runqueue and interrupt side), built
/// from a `MachineSpec` and the host placement of its nodes.
///
/// CPUs are numbered node by node (`MachineSpec.node(ofCPU:)`); each runs its work on the host CPUs of the
/// host node its simulated node is placed on (`MachineSpec.placement(on:)`, round-robin over host nodes).
public final class SimulatedCPUs: Sendable, RandomAccessCollection {
    public let cpus: [SimulatedCPU]
    public let placement: [NodePlacement]
    /// The machine's might_sleep checker; cross-CPU waits from atomic context are reported to it.
    public let debug: AtomicSleepDebug
    /// This machine's identity in the thread-local side markers (`CPUSide.machine`).
    public let machineID: Int

    /// `irqMask`: the machine's process-side interrupt mask (`LockStatRegistry.irqMask`), so interrupt
    /// handlers respect the process side's irqsave sections; nil for CPUs used without a machine's locks.
    public init(spec: MachineSpec, host: HostTopology, debug: AtomicSleepDebug, irqMask: ProcessIRQMask? = nil) {
        let placement = spec.placement(on: host)
        self.placement = placement
        self.debug = debug
        let machineID = nextMachineID.add(1, ordering: .relaxed).newValue
        self.machineID = machineID
        self.cpus = placement.flatMap { node in
            node.simulatedCPUs.map { cpu in
                SimulatedCPU(machine: machineID, id: cpu, node: node.simulatedNode, hostNode: node.hostNode,
                             hostCPUs: node.hostCPUs, irqMask: irqMask)
            }
        }
    }

    public var startIndex: Int { cpus.startIndex }
    public var endIndex: Int { cpus.endIndex }
    public subscript(position: Int) -> SimulatedCPU { cpus[position] }

    /// The virtual clock the CPUs run on, nil on the real engine.
    public var virtualClock: VirtualClock? { cpus.first?.virtualClock }

    /// The CPU numbered `id`, or `InterruptError.noSuchCPU`.
    public func cpu(_ id: Int) throws(InterruptError) -> SimulatedCPU {
        guard cpus.indices.contains(id) else { throw .noSuchCPU(id, cpuCount: cpus.count) }
        return cpus[id]
    }
}
