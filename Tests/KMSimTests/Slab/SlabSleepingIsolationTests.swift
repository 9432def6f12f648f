import Dispatch
import Synchronization
import Testing
@testable import KMSim

/// The slab allocator's sleeping entry points (`kmallocMaySleep`, `kmem_cache` `allocMaySleep` ...) run
/// on their caller's actor until they really sleep: a task on a CPU's runqueue that allocates without
/// reclaim never leaves the CPU, as a kernel task in kmalloc stays on its CPU until it sleeps. A hop to
/// another executor and back costs the task a job switch per allocation (a run with fault injection,
/// where every blocking allocation takes these entry points, ran 7-9x slower on the virtual clock) and
/// lets the CPU's other jobs run in between, which changed what the run simulated.
@Suite(TestTime.limit(minutes: 1)) struct SlabSleepingIsolationTests {
    /// A serial executor that counts the jobs enqueued on it: a call that leaves the actor and comes
    /// back enqueues at least its continuation here.
    final class CountingExecutor: SerialExecutor {
        let queue = DispatchQueue(label: "kmsim.test.counting-executor")
        let enqueued = Atomic<Int>(0)

        func enqueue(_ job: consuming ExecutorJob) {
            enqueued.add(1, ordering: .relaxed)
            let job = UnownedJob(job)
            let executor = asUnownedSerialExecutor()
            queue.async { job.runSynchronously(on: executor) }
        }

        func asUnownedSerialExecutor() -> UnownedSerialExecutor {
            UnownedSerialExecutor(ordinary: self)
        }
    }

    /// A stand-in for a CPU's runqueue: allocates and frees on CPU 0 and reports the jobs its executor
    /// saw during the allocation.
    actor CountingCPU {
        nonisolated let executor = CountingExecutor()
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

        /// Runs `allocate` on this actor and frees what it returns; `allocate` is `nonisolated(nonsending)`
        /// so that calling it does not leave the actor by itself: only the allocator can.
        func jobsDuring(_ allocate: nonisolated(nonsending) @Sendable (ExecutionContext) async -> UnsafeMutableRawPointer?,
                        slab: SlabAllocator) async -> (jobs: Int, allocated: Bool) {
            let context = ExecutionContext.task(cpu: 0)
            let before = executor.enqueued.load(ordering: .relaxed)
            let object = await allocate(context)
            let jobs = executor.enqueued.load(ordering: .relaxed) - before
            slab.kfree(object, context: context)
            return (jobs, object != nil)
        }
    }

    @Test func kmallocThatNeedsNoReclaimStaysOnTheCallersActor() async throws {
        let machine = try SlabTestMachine()
        let cpu = CountingCPU()
        // The first call of each size takes a new slab from the page allocator; the later ones the
        // per-CPU freelist. Neither sleeps with memory free, so neither may leave the actor.
        for size in [64, 64, 3000, 3000] {
            let slab = machine.slab
            let (jobs, allocated) = await cpu.jobsDuring({ await slab.kmallocMaySleep(size, gfp: .kernel, context: $0) },
                                                         slab: slab)
            #expect(allocated, "kmallocMaySleep(\(size)) failed with memory free")
            #expect(jobs == 0, "kmallocMaySleep(\(size)) left the caller's actor: \(jobs) job(s) enqueued on it")
        }
    }

    @Test func kmemCacheAllocThatNeedsNoReclaimStaysOnTheCallersActor() async throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.kmemCacheCreate(name: "isolation-test", size: 200))
        let cpu = CountingCPU()
        for _ in 0..<2 {
            let (jobs, allocated) = await cpu.jobsDuring({ await cache.allocMaySleep(gfp: .kernel, context: $0) },
                                                         slab: machine.slab)
            #expect(allocated)
            #expect(jobs == 0, "allocMaySleep left the caller's actor: \(jobs) job(s) enqueued on it")
        }
    }
}
