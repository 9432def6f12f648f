import Synchronization
import Dispatch
import Foundation

/// lib/test_vmalloc.c, run on a simulated machine: `nr_threads` workers, each on a simulated CPU
/// (worker i on CPU i mod CPUs), run the selected cases `test_repeat_count` times each, in a shuffled
/// order unless `sequential_test_order`, and report "Summary: ..." lines as the module prints them.
///
/// The worker loops give their CPU away every `reschedInterval` iterations (`cond_resched()`, which the
/// kernel's vfree() calls per page) so that the drain work and deferred vfrees scheduled on that CPU run
/// during the test, as kworkers do.
public enum VmallocSelfTest {
    /// The module parameters.
    public struct Parameters: Sendable {
        /// `nr_threads` (clamped to 1...USHRT_MAX).
        public var nrThreads: Int = 1
        /// `run_test_mask` (default INT_MAX: every case).
        public var runTestMask: Int = Int(Int32.max)
        /// `test_loop_count`. The kernel's default is 1000000; kmsim's is 10000 so a run takes seconds.
        public var testLoopCount: Int = 10_000
        /// `test_repeat_count`.
        public var testRepeatCount: Int = 1
        /// `sequential_test_order`.
        public var sequentialTestOrder: Bool = false
        /// `nr_pages` for fix_size_alloc and no_block_alloc (0 means 1).
        public var nrPages: Int = 0

        public init() {}
    }

    /// One case's outcome on one worker (`struct test_case_data`).
    public struct CaseResult: Sendable, Equatable {
        public var passed = 0
        public var failed = 0
        /// Average microseconds per repetition.
        public var averageMicroseconds: UInt64 = 0
    }

    /// One worker's results, indexed by `VmallocTestCase.rawValue`.
    public struct WorkerResult: Sendable {
        public var cases: [CaseResult] = Array(repeating: CaseResult(), count: VmallocTestCase.allCases.count)
        public var nanoseconds: UInt64 = 0
    }

    static let reschedInterval = 32
    /// THREAD_ALIGN on x86-64 (THREAD_SIZE, 16 KiB without KASAN).
    static let threadAlign: UInt64 = 16 << 10

    /// Runs the module (`do_concurrent_test()`) and returns each worker's results. Blocks the calling
    /// thread until every worker is done.
    public static func run(_ parameters: Parameters, vmalloc: Vmalloc, cpus: SimulatedCPUs) -> [WorkerResult] {
        var parameters = parameters
        parameters.nrThreads = min(max(parameters.nrThreads, 1), Int(UInt16.max))
        parameters.testRepeatCount = max(parameters.testRepeatCount, 1)
        parameters.testLoopCount = max(parameters.testLoopCount, 1)
        let fixed = parameters
        let finished = DispatchSemaphore(value: 0)
        let results = ResultSlots(count: fixed.nrThreads)
        for worker in 0..<fixed.nrThreads {
            let cpu = cpus[worker % cpus.count]
            cpu.startTask(pid: Int32(1000 + worker)) { context, _ in
                let result = await runWorker(fixed, vmalloc: vmalloc, context: context)
                results.set(worker, result)
                finished.signal()
            }
        }
        for _ in 0..<fixed.nrThreads { finished.wait() }
        vmalloc.waitForDeferredWork()
        return results.all
    }

    /// `test_func()`: one worker's pass over the selected cases.
    static func runWorker(_ parameters: Parameters, vmalloc: Vmalloc, context: ExecutionContext) async -> WorkerResult {
        var order = Array(VmallocTestCase.allCases)
        if !parameters.sequentialTestOrder { order.shuffle() }
        var result = WorkerResult()
        let start = DispatchTime.now().uptimeNanoseconds
        for testCase in order where parameters.runTestMask & testCase.maskBit != 0 {
            let caseStart = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<parameters.testRepeatCount {
                if await run(testCase, parameters, vmalloc: vmalloc, context: context) {
                    result.cases[testCase.rawValue].passed += 1
                } else {
                    result.cases[testCase.rawValue].failed += 1
                }
            }
            let elapsed = (DispatchTime.now().uptimeNanoseconds - caseStart) / 1000
            result.cases[testCase.rawValue].averageMicroseconds = elapsed / UInt64(parameters.testRepeatCount)
        }
        result.nanoseconds = DispatchTime.now().uptimeNanoseconds - start
        return result
    }

    /// The "Summary: ..." lines `do_concurrent_test()` prints, worker by worker, cases in array order.
    public static func summaryLines(_ results: [WorkerResult], _ parameters: Parameters) -> [String] {
        var lines: [String] = []
        for worker in results {
            for testCase in VmallocTestCase.allCases where parameters.runTestMask & testCase.maskBit != 0 {
                let data = worker.cases[testCase.rawValue]
                lines.append("Summary: \(testCase.kernelName) passed: \(data.passed) failed: \(data.failed) "
                             + "repeat: \(max(parameters.testRepeatCount, 1)) loops: \(max(parameters.testLoopCount, 1)) "
                             + "avg: \(data.averageMicroseconds) usec")
            }
        }
        return lines
    }
}

/// Per-worker result slots written once each by the workers and read after all have signalled.
/// Synchronisation: a lock around the array.
final class ResultSlots: Sendable {
    private let slots: OrderedMutex<[VmallocSelfTest.WorkerResult]>

    init(count: Int) { slots = OrderedMutex(Array(repeating: VmallocSelfTest.WorkerResult(), count: count)) }

    func set(_ index: Int, _ value: VmallocSelfTest.WorkerResult) { slots.withLock { $0[index] = value } }

    var all: [VmallocSelfTest.WorkerResult] { slots.withLock { $0 } }
}
