import Testing
@testable import KMSim

/// The slab allocator's sleeping entry points (`kmallocMaySleep`, `kmem_cache` `allocMaySleep` ...) run
/// on their caller's actor until they really sleep: a task on a CPU's runqueue that allocates without
/// reclaim never leaves the CPU, as a kernel task in kmalloc stays on its CPU until it sleeps. A hop to
/// another executor and back costs the task a job switch per allocation (a run with fault injection,
/// where every blocking allocation takes these entry points, ran 7-9x slower on the virtual clock) and
/// lets the CPU's other jobs run in between, which changed what the run simulated.
@Suite(TestTime.limit(minutes: 1)) struct SlabSleepingIsolationTests {
    /// Allocates on `cpu` with `allocate` and frees the object (which enqueues nothing: kfree is
    /// synchronous); the jobs enqueued meanwhile.
    func jobsDuring(_ allocate: nonisolated(nonsending) @Sendable (ExecutionContext) async -> UnsafeMutableRawPointer?,
                    on cpu: CountingCPU, slab: SlabAllocator) async -> (jobs: Int, allocated: Bool) {
        let context = ExecutionContext.task(cpu: 0)
        let (jobs, allocated) = await cpu.jobsDuring { () async -> Bool in
            let object = await allocate(context)
            slab.kfree(object, context: context)
            return object != nil
        }
        return (jobs, allocated)
    }

    @Test func kmallocThatNeedsNoReclaimStaysOnTheCallersActor() async throws {
        let machine = try SlabTestMachine()
        let cpu = CountingCPU()
        // The first call of each size takes a new slab from the page allocator; the later ones the
        // per-CPU freelist. Neither sleeps with memory free, so neither may leave the actor.
        for size in [64, 64, 3000, 3000] {
            let slab = machine.slab
            let (jobs, allocated) = await jobsDuring({ await slab.kmallocMaySleep(size, gfp: .kernel, context: $0) },
                                                     on: cpu, slab: slab)
            #expect(allocated, "kmallocMaySleep(\(size)) failed with memory free")
            #expect(jobs == 0, "kmallocMaySleep(\(size)) left the caller's actor: \(jobs) job(s) enqueued on it")
        }
    }

    @Test func kmemCacheAllocThatNeedsNoReclaimStaysOnTheCallersActor() async throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.kmemCacheCreate(name: "isolation-test", size: 200))
        let cpu = CountingCPU()
        for _ in 0..<2 {
            let (jobs, allocated) = await jobsDuring({ await cache.allocMaySleep(gfp: .kernel, context: $0) },
                                                     on: cpu, slab: machine.slab)
            #expect(allocated)
            #expect(jobs == 0, "allocMaySleep left the caller's actor: \(jobs) job(s) enqueued on it")
        }
    }
}
