import Foundation
import Testing
@testable import KMSim

/// The runner's building blocks: lifetimes, the remote-free ring, the quiesce gate, the plan.
@Suite(TestTime.limit(minutes: 5)) struct RunnerPartsTests {
    static func object(_ n: Int) -> LiveObject {
        LiveObject(address: UInt(n), operation: n % 7)
    }

    @Test func liveObjectPacksAddressOperationAndOrder() {
        let address = UInt(0x7FFF_1234_5678)
        let object = LiveObject(address: address, operation: 4095, order: 10)
        #expect(object.address == address && object.operation == 4095 && object.order == 10)
        #expect(MemoryLayout<LiveObject>.size == 8)
        #expect(LiveObject.empty.isEmpty && !object.isEmpty)
    }

    @Test func lastNOperationsEvictsTheOldest() {
        var set = LiveObjectSet(.operations(3))
        defer { set.deallocate() }
        var generator = SplitMix64(seed: 1)
        var evicted: [UInt] = []
        for n in 1...6 {
            if let old = set.admit(Self.object(n), now: 0, using: &generator) { evicted.append(old.address) }
        }
        #expect(evicted == [1, 2, 3])
        #expect(set.count == 3)
    }

    @Test func zeroOperationsFreesAtOnce() {
        var set = LiveObjectSet(.operations(0))
        defer { set.deallocate() }
        var generator = SplitMix64(seed: 1)
        #expect(set.admit(Self.object(7), now: 0, using: &generator)?.address == 7)
    }

    @Test func slotsReplaceAndKeepTheCount() {
        var set = LiveObjectSet(.slots(4))
        defer { set.deallocate() }
        var generator = SplitMix64(seed: 9)
        var evicted = 0
        for n in 1...100 where set.admit(Self.object(n), now: 0, using: &generator) != nil { evicted += 1 }
        #expect(set.count + evicted == 100)
        #expect(set.count <= 4)
        var held = 0
        set.removeAll { _ in held += 1 }
        #expect(held == set.count + held - set.count && set.count == 0 && held <= 4)
    }

    @Test func timeLifetimeExpiresInOrderAndGrows() {
        var set = LiveObjectSet(.time(seconds: 1e-6))
        defer { set.deallocate() }
        var generator = SplitMix64(seed: 1)
        for n in 1...5000 { #expect(set.admit(Self.object(n), now: UInt64(n), using: &generator) == nil) }
        var expired: [UInt] = []
        while let old = set.popExpired(now: 1000 + 3) { expired.append(old.address) }
        #expect(expired == Array(1...3))
        #expect(set.count == 4997)
    }

    @Test func remoteFreeRingPassesEveryObjectInOrder() async {
        let ring = SPSCRing<RemoteObject>(capacity: 64)
        let total = 20_000
        let producer = Task.detached {
            var n = 1
            while n <= total {
                if ring.push(RemoteObject(object: Self.object(n), deferral: n % 3 - 1)) { n += 1 } else { await Task.yield() }
            }
        }
        var expected: UInt = 1
        while expected <= UInt(total) {
            if let received = ring.pop() {
                #expect(received.object == Self.object(Int(expected)) && received.deferral == Int(expected) % 3 - 1)
                expected += 1
            } else {
                await Task.yield()
            }
        }
        await producer.value
        #expect(ring.pop() == nil)
    }

    @Test func gateDropsHandlersAndHoldsTasksWhilePaused() async {
        let gate = RunGate()
        await gate.pause()
        #expect(!gate.tryEnter())
        let entered = Task {
            await gate.enter()
            gate.leave()
            return true
        }
        await scheduleTimeout(nanoseconds: 5_000_000)
        gate.resume()
        #expect(await entered.value)
        #expect(gate.tryEnter())
        gate.leave()
    }

    @Test func planClassesFollowScopesAndRunVmalloc() throws {
        var spec = try WorkloadSpec(stress: StressOptions())
        spec.taskGroups[0].scoped = [ScopedSection(kind: .nofs, fraction: 0.5)]
        spec.taskGroups[0].mix.append(WeightedAllocation(AllocationSpec(api: .vmalloc, size: .fixed(8192), gfp: .kernel)))
        let plan = RunPlan(spec: spec)
        let nofs = GFPFlags.kernel.subtracting(.fs)
        #expect(plan.classes.map(\.gfp) == [.kernel, .kernel, nofs, nofs])
        #expect(plan.classes.map(\.api) == [.kmalloc, .vmalloc, .kmalloc, .vmalloc])
        #expect(plan.groups[0].classes == [[0, 1], [2, 3]])
        #expect(plan.sizeClasses[1] == [.vmalloc(pages: 2)])
    }
}
