import ArgumentParser
import Foundation
import KMSim

/// `kmsim test-vmalloc`: the kernel's lib/test_vmalloc.c stress module on a simulated machine.
struct TestVmallocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-vmalloc",
        abstract: "Run the kernel's vmalloc stress tests (lib/test_vmalloc.c) on a simulated machine.",
        discussion: """
            Workers run on simulated CPUs (worker i on CPU i mod CPUs) and print the module's lines: \
            "Summary: <test> passed: N failed: M repeat: R loops: L avg: X usec" per worker and case, then \
            "All test took worker<i>=<ns> ns" (the kernel prints TSC cycles; kmsim prints nanoseconds).

            Test ids for --run-test-mask: 1 fix_size_alloc, 2 full_fit_alloc, 4 long_busy_list_alloc, \
            8 random_size_alloc, 16 fix_align_alloc, 32 random_size_align_alloc, 64 align_shift_alloc \
            (expected to fail), 2048 no_block_alloc (expected to fail on 6.12: vmalloc may sleep, so \
            GFP_ATOMIC/GFP_NOWAIT with preemption disabled draws "BUG: sleeping function called from \
            invalid context"). Ids 128 (pcpu_alloc), 256/512 (kvfree_rcu) and 1024 (vm_map_ram) are not \
            simulated. The default loop count is 10000, not the kernel's 1000000, so a run takes seconds.

            Examples:
              kmsim test-vmalloc --run-test-mask 7 --nr-threads 4
              kmsim test-vmalloc --run-test-mask 64 --sequential-test-order
            """
    )

    @Option(name: .customLong("nr-threads"), help: "Number of workers (nr_threads; 1...65535).")
    var nrThreads: Int = 1

    @Option(name: .customLong("run-test-mask"), help: "Tests to run (run_test_mask; default: all).")
    var runTestMask: Int = Int(Int32.max)

    @Option(name: .customLong("test-loop-count"), help: "Iterations per test (test_loop_count).")
    var testLoopCount: Int = 10_000

    @Option(name: .customLong("test-repeat-count"), help: "Repetitions of each test (test_repeat_count).")
    var testRepeatCount: Int = 1

    @Flag(name: .customLong("sequential-test-order"), help: "Run the tests in order instead of shuffled.")
    var sequentialTestOrder = false

    @Option(name: .customLong("nr-pages"), help: "Pages per allocation in fix_size_alloc and no_block_alloc (nr_pages).")
    var nrPages: Int = 0

    @Option(help: "Simulated NUMA nodes.")
    var nodes: Int = 1

    @Option(name: .customLong("cpus-per-node"), help: "Simulated CPUs per node.")
    var cpusPerNode: Int = 4

    @Option(name: .customLong("memory-per-node"), help: "Memory per node, e.g. 2GiB.")
    var memoryPerNode: String = "2GiB"

    @Flag(help: "Also print the kernel log (warnings, failed allocations) of the run.")
    var log = false

    func run() throws {
        guard nrThreads >= 1 && nrThreads <= Int(UInt16.max) else {
            throw CLIError.badInput("--nr-threads must be between 1 and 65535 (got \(nrThreads))")
        }
        guard testLoopCount >= 1, testRepeatCount >= 1, nrPages >= 0 else {
            throw CLIError.badInput("--test-loop-count and --test-repeat-count must be at least 1, --nr-pages at least 0")
        }
        guard nrPages <= 1 << 20 else { throw CLIError.badInput("--nr-pages must be at most 1048576") }
        guard let memory = ByteSize.parse(memoryPerNode) else {
            throw CLIError.badInput("--memory-per-node: cannot read '\(memoryPerNode)' as a size (e.g. 512MiB, 2GiB)")
        }
        let spec = MachineSpec(nodes: nodes, cpusPerNode: cpusPerNode, memoryPerNode: memory)
        let machine: Machine
        let vmalloc: Vmalloc
        do {
            try spec.validate()
            machine = try Machine(spec: spec)
            let cpus = SimulatedCPUs(spec: spec, host: .current(), debug: AtomicSleepDebug(bugReports: machine.bugReports))
            vmalloc = try Vmalloc(machine: machine, cpus: cpus)
            var parameters = VmallocSelfTest.Parameters()
            parameters.nrThreads = nrThreads
            parameters.runTestMask = runTestMask
            parameters.testLoopCount = testLoopCount
            parameters.testRepeatCount = testRepeatCount
            parameters.sequentialTestOrder = sequentialTestOrder
            parameters.nrPages = nrPages
            let results = VmallocSelfTest.run(parameters, vmalloc: vmalloc, cpus: cpus)
            for line in VmallocSelfTest.summaryLines(results, parameters) { print(line) }
            for (worker, result) in results.enumerated() {
                print("All test took worker\(worker)=\(result.nanoseconds) ns")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.badInput("\(error)")
        }
        vmalloc.purgeVmapAreaLazy(context: .task(cpu: 0))
        let problems = vmalloc.checkInvariants() + machine.checkInvariants()
        for problem in problems { printWarning("invariant: \(problem)") }
        print("TLB shootdowns: \(vmalloc.tlbShootdowns), TLB hit rate: "
              + (vmalloc.tlbStatistics.hitRate.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"))
        if log { print(machine.bugReports.renderLog(), terminator: "") }
        let counts = machine.bugReports.counts.sorted { $0.key.rawValue < $1.key.rawValue }
        if !counts.isEmpty {
            print("kernel log: " + counts.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                  + (log ? "" : " (--log prints them)"))
        }
    }
}
