import ArgumentParser
import KMSim

/// `kmsim stress`: the runner from flags alone, for quick experiments.
struct StressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Stress the allocators from flags alone: kmalloc on every CPU, optional interrupts and remote frees.",
        discussion: """
            Every CPU runs --tasks-per-cpu tasks calling kmalloc with --gfp over --sizes, each object freed \
            64 operations later by its own CPU, or by another CPU for the --remote-free share. With \
            --irq-rate, every CPU also takes that many interrupts a second whose handler kmallocs with \
            --irq-gfp. Reports and exit statuses are those of `kmsim run`.

            Examples:
              kmsim stress --nodes 2 --cpus-per-node 2 --duration 1s --remote-free 30%
              kmsim stress --irq-rate 20000 --irq-gfp 'GFP_ATOMIC|__GFP_NOWARN' --sizes 64-2048
            """
    )

    @Option(help: "Simulated NUMA nodes.") var nodes: Int = 1
    @Option(name: .customLong("cpus-per-node"), help: "Simulated CPUs per node.") var cpusPerNode: Int = 4
    @Option(name: .customLong("memory-per-node"), help: "Memory per node, e.g. 1GiB.") var memoryPerNode: String = "1GiB"
    @Option(help: "How long to run: 500ms, 4s, 2m.") var duration: String = "4s"
    @Option(name: .customLong("tasks-per-cpu"), help: "Tasks on each CPU.") var tasksPerCPU: Int = 1
    @Option(help: "GFP mask of the tasks' kmalloc calls.") var gfp: String = "GFP_KERNEL"
    @Option(help: "Sizes in bytes: 64, or a uniform range 8-4096.") var sizes: String = "8-4096"
    @Option(name: .customLong("remote-free"), help: "Share of objects freed by another CPU, e.g. 30%.") var remoteFree: String = "0%"
    @Option(name: .customLong("irq-rate"), help: "Interrupts per second per CPU (0: none).") var irqRate: Double = 0
    @Option(name: .customLong("irq-gfp"), help: "GFP mask of the interrupt handlers' kmalloc calls.") var irqGFP: String = "GFP_ATOMIC"
    @Option(name: .customLong("page-cache"), help: "Total size of files written through the page cache, e.g. 512MiB.") var pageCache: String?
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 1

    @OptionGroup var output: RunOutputOptions

    /// The flags as `StressOptions`.
    var stressOptions: StressOptions {
        var options = StressOptions()
        options.nodes = nodes
        options.cpusPerNode = cpusPerNode
        options.memoryPerNode = memoryPerNode
        options.duration = duration
        options.tasksPerCPU = tasksPerCPU
        options.gfp = gfp
        options.sizes = sizes
        options.remoteFree = remoteFree
        options.irqRate = irqRate
        options.irqGFP = irqGFP
        options.pageCache = pageCache
        options.seed = seed
        return options
    }

    func run() throws {
        let spec: WorkloadSpec
        do {
            spec = try WorkloadSpec(stress: stressOptions)
        } catch {
            for problem in error.problems { printError(problem) }
            throw ExitCode(2)
        }
        try RunDriver.run(spec, options: RunOptions(), output: output)
    }
}
