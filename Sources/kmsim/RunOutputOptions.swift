import ArgumentParser
import KMSim

/// The flags `kmsim run` and `kmsim stress` share: what to write, what to check, when to fail.
struct RunOutputOptions: ParsableArguments {
    @Option(name: .customLong("json"), help: ArgumentHelp("Write the run report as JSON to FILE ('-' for standard output).", valueName: "FILE"))
    var jsonFile: String?

    @Option(name: .customLong("proc-dir"), help: ArgumentHelp("Write /proc and /sys views of the machine at the end of the run under DIR.", valueName: "DIR"))
    var procDirectory: String?

    @Option(help: ArgumentHelp("The engine: real (host threads, wall-clock time; the default) or virtual (simulated time, deterministic, any machine size). Overrides the workload's clock: key.", valueName: "real|virtual"))
    var clock: RunClock?

    @Option(name: .customLong("failslab"), help: ArgumentHelp("Fault injection in slab allocations, as the kernel's failslab= boot option: fail every INTERVAL-th eligible call with PROBABILITY percent once SPACE bytes were allocated, at most TIMES times (-1: no limit). Sets these fields of the workload's faults.failslab; the other knobs keep the workload's values or the kernel's defaults (ignore-gfp-wait: true, verbose: 2).", valueName: "INTERVAL,PROBABILITY,SPACE,TIMES"))
    var failslab: String?

    @Option(name: .customLong("fail-page-alloc"), help: ArgumentHelp("Fault injection in page allocations, as the kernel's fail_page_alloc= boot option (SPACE in pages). Sets these fields of the workload's faults.fail_page_alloc; the other knobs keep the workload's values or the kernel's defaults (ignore-gfp-wait: true, ignore-gfp-highmem: true, min-order: 1, verbose: 2).", valueName: "INTERVAL,PROBABILITY,SPACE,TIMES"))
    var failPageAlloc: String?

    @Option(name: .customLong("sample-every"), help: ArgumentHelp("Sample the machine for the report's timeline every DURATION of the run's clock (default 10ms; 'off' for none). At most 1024 samples are kept: when full, every other one is dropped and the interval doubles.", valueName: "DURATION"))
    var sampleEvery: String?

    @Option(name: .customLong("latency-histograms"), help: ArgumentHelp("Write one HdrHistogram percentile distribution (Value Percentile TotalCount 1/(1-Percentile), nanoseconds) per report class under DIR.", valueName: "DIR"))
    var latencyHistograms: String?

    @Option(name: .customLong("trace"), help: ArgumentHelp("Write a Perfetto trace of the run to FILE (open it at ui.perfetto.dev or with trace_processor): per node a process, per CPU side and kswapd a thread track, slices for slow paths, direct reclaim and compaction, throttling, kswapd and kcompactd runs, interrupt handlers, OOM kills, lock waits, and the timeline as counter tracks.", valueName: "FILE"))
    var traceFile: String?

    @Flag(name: .customLong("trace-all"), help: "With --trace, also trace every allocation and free of the workload's tasks and interrupt handlers (fast paths included) as slices, for short runs: at most 524288 of them are kept (kmsim warns from when on they were left out); the other events keep their own room.")
    var traceAll = false

    @Option(name: .customLong("html"), help: ArgumentHelp("Write a self-contained HTML report (inline SVG plots, no script) to FILE: headline figures, free pages against watermarks, ops/s per context, latency percentile curves, lock wait, buddyinfo heat map, pageblock migratetypes, reclaim and compaction events.", valueName: "FILE"))
    var htmlFile: String?

    @Option(name: .customLong("compact-every"), help: ArgumentHelp("Compact every node's memory this often, as writing 1 to /proc/sys/vm/compact_memory: 500ms, 1s. Overrides the workload's compaction.compactEvery.", valueName: "DURATION"))
    var compactEvery: String?

    @Flag(help: "Check the machine's invariants periodically while running (they are always checked at the end).")
    var check = false

    @Flag(help: "Print the simulated kernel log (BUG reports, allocation failures, OOM kills) after the report.")
    var dmesg = false

    @Flag(help: "No live progress line.")
    var quiet = false

    @Flag(name: .customLong("fail-on-bug"), help: "Exit with status 1 when any BUG report was made, deliberate ones included.")
    var failOnBug = false

    @Flag(name: .customLong("inject-invariant-violation"), help: .hidden)
    var injectInvariantViolation = false
}

extension RunOutputOptions {
    /// `--sample-every` into the run's options.
    func applySampling(to options: inout RunOptions) throws {
        guard let text = sampleEvery else { return }
        if text == "off" {
            options.sampleEverySeconds = nil
        } else if let seconds = TimeSpan.parseDuration(text), seconds >= 1e-6 {
            options.sampleEverySeconds = seconds
        } else {
            throw CLIError.badInput("--sample-every: found '\(text)', expected 'off' or a duration of at least 1us: \(TimeSpan.expected())")
        }
    }

    /// `--trace` and `--trace-all` into the run's options; `--trace-all` without `--trace` is bad input.
    func applyTrace(to options: inout RunOptions) throws {
        if traceAll && traceFile == nil {
            throw CLIError.badInput("--trace-all: adds allocation and free slices to a trace, so it needs --trace FILE")
        }
        options.trace = traceFile != nil
        options.traceAll = traceAll
    }
}

extension RunClock: ExpressibleByArgument {}
