import Atomics
import Foundation
import Testing
@testable import KMSim

/// A bounded single-producer single-consumer ring of object addresses: the producer's releasing store
/// of `tail` publishes the slot, the consumer's acquiring load reads it (and the reverse for `head`).
final class AddressRing: @unchecked Sendable {
    let slots: UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>
    let capacity: Int
    let head = ManagedAtomic<Int>(0)
    let tail = ManagedAtomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
        slots = UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>.allocate(capacity: capacity)
        slots.initialize(repeating: UnsafeAtomic<UInt>.Storage(0), count: capacity)
    }

    deinit { slots.deallocate() }

    func push(_ value: UInt) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t - head.load(ordering: .acquiring) == capacity { return false }
        UnsafeAtomic<UInt>(at: slots + t % capacity).store(value, ordering: .relaxed)
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    func pop() -> UInt? {
        let h = head.load(ordering: .relaxed)
        if h == tail.load(ordering: .acquiring) { return nil }
        let value = UnsafeAtomic<UInt>(at: slots + h % capacity).load(ordering: .relaxed)
        head.store(h + 1, ordering: .releasing)
        return value
    }
}

/// Runs `bodies` on their own host threads at once and waits for all of them.
func runConcurrently(_ bodies: [@Sendable () -> Void]) {
    let group = DispatchGroup()
    for body in bodies {
        group.enter()
        Thread {
            body()
            group.leave()
        }.start()
    }
    group.wait()
}

/// The process side and the IRQ side of one simulated CPU running at once, and remote frees between
/// CPUs: the {freelist, tid} and {freelist, counters} compare-and-swaps must keep every object handed to
/// one owner at a time and every object accounted for. Bounded; run under `--sanitize=thread` too.
@Suite(TestTime.limit(minutes: 5)) struct SlabConcurrencyTests {
    /// Allocates `batch` objects, stamps each with a value unique to (thread, round, slot), checks the
    /// stamps, frees them; `rounds` times. A double hand-out shows as a stamp changed under our feet.
    static func churn(_ cache: KMemCache, context: ExecutionContext, stamp: UInt, rounds: Int, batch: Int,
                      failures: ManagedAtomic<Int>) {
        var held = [UnsafeMutableRawPointer?](repeating: nil, count: batch)
        for round in 0..<rounds {
            for slot in 0..<batch {
                held[slot] = cache.alloc(gfp: .atomic, context: context)
                held[slot]?.storeBytes(of: stamp << 48 | UInt(round) << 16 | UInt(slot), as: UInt.self)
            }
            for slot in 0..<batch {
                guard let object = held[slot] else {
                    failures.wrappingIncrement(ordering: .relaxed)
                    continue
                }
                if object.load(as: UInt.self) != stamp << 48 | UInt(round) << 16 | UInt(slot) {
                    failures.wrappingIncrement(ordering: .relaxed)
                }
                cache.free(object, context: context)
            }
        }
    }

    @Test func processAndIRQSidesOfOneCPU() throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.kmemCacheCreate(name: "irq-64", size: 64))
        let failures = ManagedAtomic<Int>(0)
        runConcurrently([
            { Self.churn(cache, context: .task(cpu: 0), stamp: 1, rounds: 400, batch: 50, failures: failures) },
            { Self.churn(cache, context: .hardIRQ(cpu: 0), stamp: 2, rounds: 400, batch: 50, failures: failures) },
        ])
        #expect(failures.load(ordering: .relaxed) == 0)
        let census = cache.census(pfnCount: machine.pfnCount)
        #expect(census.problems == [])
        #expect(census.inUseObjects == 0)
        #expect(cache.statistic(.allocFastpath) + cache.statistic(.allocSlowpath) == 40_000)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(machine.problems() == [])
    }

    @Test func remoteFreesBetweenCPUsWithInterruptsOnBoth() throws {
        let machine = try SlabTestMachine()
        let cache = try #require(machine.slab.cache(named: "kmalloc-128"))
        let ring = AddressRing(capacity: 256)
        let failures = ManagedAtomic<Int>(0)
        let done = ManagedAtomic<Bool>(false)
        let total = 20_000
        runConcurrently([
            {
                let context = ExecutionContext.task(cpu: 0)
                for index in 0..<total {
                    guard let object = machine.slab.kmalloc(100, gfp: .kernel, context: context) else {
                        failures.wrappingIncrement(ordering: .relaxed)
                        continue
                    }
                    object.storeBytes(of: UInt(index), as: UInt.self)
                    while !ring.push(UInt(bitPattern: object)) { sched_yield() }
                }
                done.store(true, ordering: .releasing)
            },
            {
                let context = ExecutionContext.task(cpu: 1)
                var expected = 0
                while true {
                    guard let address = ring.pop() else {
                        if done.load(ordering: .acquiring) && ring.head.load(ordering: .relaxed) == ring.tail.load(ordering: .acquiring) { break }
                        sched_yield()
                        continue
                    }
                    let object = UnsafeMutableRawPointer(bitPattern: address)
                    if object?.load(as: UInt.self) != UInt(expected) { failures.wrappingIncrement(ordering: .relaxed) }
                    expected += 1
                    machine.slab.kfree(object, context: context)
                }
            },
            { Self.churn(cache, context: .hardIRQ(cpu: 0), stamp: 3, rounds: 100, batch: 40, failures: failures) },
            { Self.churn(cache, context: .hardIRQ(cpu: 1), stamp: 4, rounds: 100, batch: 40, failures: failures) },
        ])
        #expect(failures.load(ordering: .relaxed) == 0)
        let census = cache.census(pfnCount: machine.pfnCount)
        #expect(census.problems == [])
        #expect(census.inUseObjects == 0)
        #expect(cache.statistic(.freeSlowpath) > 0)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(machine.problems() == [])
    }

    @Test func debugCacheUnderConcurrency() throws {
        let machine = try SlabTestMachine(debug: .debugAll, debugCaches: ["dbg-32"])
        let cache = try #require(machine.slab.kmemCacheCreate(name: "dbg-32", size: 32))
        let failures = ManagedAtomic<Int>(0)
        runConcurrently([
            { Self.churn(cache, context: .task(cpu: 0), stamp: 5, rounds: 100, batch: 20, failures: failures) },
            { Self.churn(cache, context: .hardIRQ(cpu: 0), stamp: 6, rounds: 100, batch: 20, failures: failures) },
            { Self.churn(cache, context: .task(cpu: 1), stamp: 7, rounds: 100, batch: 20, failures: failures) },
        ])
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(cache.census(pfnCount: machine.pfnCount).inUseObjects == 0)
        #expect(machine.bugReports.reports.isEmpty)
        #expect(machine.problems() == [])
    }
}
