import Yams

/// The options of `kmsim stress`, as typed on the command line (sizes, durations and shares still text),
/// so `WorkloadSpec(stress:)` can validate them and name the flag in each error.
///
/// The defaults are the command's defaults: one node of four CPUs and 1 GiB, four seconds of kmalloc
/// with GFP_KERNEL over 8–4096 bytes, every object freed by its own CPU after 64 operations.
public struct StressOptions: Sendable, Equatable {
    public var nodes: Int = 1
    public var cpusPerNode: Int = 4
    /// `--memory-per-node`, a byte size such as `1GiB`.
    public var memoryPerNode: String = "1GiB"
    /// `--duration`, such as `500ms`, `4s`, `2m`.
    public var duration: String = "4s"
    public var tasksPerCPU: Int = 1
    /// `--gfp` for the tasks' kmalloc calls.
    public var gfp: String = "GFP_KERNEL"
    /// `--sizes`: `64`, or a uniform range `8-4096`.
    public var sizes: String = "8-4096"
    /// `--remote-free`: share of objects freed by another CPU, `30%`.
    public var remoteFree: String = "0%"
    /// `--irq-rate`: interrupts per second per CPU; 0 for none.
    public var irqRate: Double = 0
    /// `--irq-gfp` for the interrupt handlers' kmalloc calls.
    public var irqGFP: String = "GFP_ATOMIC"
    /// `--page-cache`: total size of files written through the page cache; nil for none.
    public var pageCache: String?
    public var seed: UInt64 = 1

    public init() {}

    /// Operations a task keeps an object for before freeing it.
    public static let lifetimeOperations = 64
    /// How long a task keeps an interrupt handler's object before freeing it (an skb read by recvmsg).
    public static let irqObjectLifetimeSeconds = 0.001
}

/// Why `kmsim stress` options do not describe a run: one message per problem, each starting with the
/// flag (`--sizes: ...`).
public struct StressOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public var description: String { problems.joined(separator: "\n") }
}

extension WorkloadSpec {
    /// The workload `kmsim stress` runs: one task group of kmalloc calls on every CPU, an interrupt
    /// source on every CPU when `irqRate` > 0, and page cache writers when `pageCache` is set. Every
    /// problem is reported, each naming its flag.
    public init(stress options: StressOptions) throws(StressOptionsError) {
        var decoder = WorkloadDecoder(file: "", defaultName: "stress")
        var problems: [String] = []
        let machine = Self.stressMachine(options, problems: &problems)
        decoder.machine = problems.isEmpty ? machine : nil

        let seconds = TimeSpan.parseDuration(options.duration)
        if seconds == nil {
            problems.append("--duration: found '\(options.duration)', expected \(TimeSpan.expected())")
        }
        if !(1...WorkloadDecoder.maximumTasksPerCPU).contains(options.tasksPerCPU) {
            problems.append("--tasks-per-cpu: found \(options.tasksPerCPU), expected 1...\(WorkloadDecoder.maximumTasksPerCPU)")
        }
        let remoteFree = Percentage.parse(options.remoteFree)
        if remoteFree == nil {
            problems.append("--remote-free: found '\(options.remoteFree)', expected a percentage within 0%...100% such as 30%")
        } else if let remoteFree, remoteFree > 0, machine.cpuCount < 2 {
            problems.append("--remote-free: the machine has one CPU, so no other CPU can free; expected 0% or more CPUs")
        }
        if !(options.irqRate == 0 || InterruptSource.rateRange.contains(options.irqRate)) {
            let range = InterruptSource.rateRange
            problems.append("--irq-rate: found \(Rate.format(options.irqRate)), expected 0 (no interrupts) or \(Rate.format(range.lowerBound))...\(Rate.format(range.upperBound)) per second per CPU")
        }
        var pageCacheBytes: UInt64?
        if let pageCache = options.pageCache {
            pageCacheBytes = ByteSize.parse(pageCache).flatMap { $0 >= UInt64(MachineSpec.pageSize) ? $0 : nil }
            if pageCacheBytes == nil {
                problems.append("--page-cache: found '\(pageCache)', expected a size of at least 4KiB such as 512MiB")
            }
        }
        let size = decoder.decodeSize(Node(options.sizes), "--sizes", unit: .bytes(1...AllocationSpec.kmallocMaxSize))
        let gfp = decoder.decodeGFP(Node(options.gfp), "--gfp")
        let irqGFP = decoder.decodeGFP(Node(options.irqGFP), "--irq-gfp")
        if let irqGFP, irqGFP.flags.allowsBlocking, options.irqRate > 0 {
            problems.append("--irq-gfp: '\(options.irqGFP)' has __GFP_DIRECT_RECLAIM and may sleep, expected a non-blocking mask such as GFP_ATOMIC or GFP_NOWAIT in an interrupt handler")
        }
        problems += decoder.reader.errors.map(\.message)
        guard problems.isEmpty, let seconds, let remoteFree, let size, let gfp, let irqGFP else {
            throw StressOptionsError(problems: problems)
        }

        self.init(name: "stress", description: "kmsim stress: kmalloc from every CPU, built from flags",
                  machine: machine, length: .duration(seconds: seconds), seed: options.seed)
        taskGroups = [TaskGroupSpec(
            name: "stress", cpus: .all, tasksPerCPU: options.tasksPerCPU,
            mix: [WeightedAllocation(AllocationSpec(api: .kmalloc, size: size, gfp: gfp))],
            lifetime: .operations(StressOptions.lifetimeOperations),
            remoteFree: RemoteFreeSpec(fraction: remoteFree))]
        if options.irqRate > 0 {
            let allocation = AllocationSpec(api: .kmalloc, size: size, gfp: irqGFP)
            interrupts = [InterruptSourceSpec(
                name: "stress-irq", cpus: .all, ratePerSecond: options.irqRate,
                allocations: [HandlerAllocationSpec(allocation, freedBy: .task(after: .time(seconds: StressOptions.irqObjectLifetimeSeconds)))])]
        }
        if let pageCacheBytes {
            let perTask = max(pageCacheBytes / UInt64(machine.cpuCount) / UInt64(MachineSpec.pageSize), 1) * UInt64(MachineSpec.pageSize)
            memoryUsers = [MemoryUserSpec(name: "page-cache", kind: .pageCacheWriter, cpus: .all, bytes: perTask,
                                          dirtyRatio: MemoryUserSpec.defaultDirtyRatio)]
        }
    }

    /// The machine from `--nodes`, `--cpus-per-node` and `--memory-per-node`, every `validate()`
    /// complaint reported under its flag.
    private static func stressMachine(_ options: StressOptions, problems: inout [String]) -> MachineSpec {
        var machine = MachineSpec(nodes: options.nodes, cpusPerNode: options.cpusPerNode)
        if let bytes = ByteSize.parse(options.memoryPerNode) {
            machine.memoryPerNode = bytes
        } else {
            problems.append("--memory-per-node: found '\(options.memoryPerNode)', expected a byte size such as 512MiB or 2GiB")
        }
        let flags = ["nodes": "--nodes", "cpusPerNode": "--cpus-per-node", "memoryPerNode": "--memory-per-node"]
        var candidate = machine
        for _ in 0..<4 {
            do throws(MachineSpecError) {
                try candidate.validate()
                break
            } catch {
                problems.append("\(flags[error.field] ?? error.field): \(error.message)")
                switch error.field {
                case "nodes": candidate.nodes = 1
                case "cpusPerNode": candidate.cpusPerNode = 1
                case "memoryPerNode": candidate.memoryPerNode = MachineSpec().memoryPerNode
                default: return machine
                }
            }
        }
        return machine
    }
}
