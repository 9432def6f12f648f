import Foundation
import Testing
@testable import KMSim

/// A small deterministic generator so every storm thread has its own reproducible sequence.
struct XorShift: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// Runs `body(index)` on `count` host threads at once and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

@Suite(TestTime.limit(minutes: 5)) struct PageAllocConcurrencyTests {
    /// One storm thread: allocates and frees random orders with random GFP masks as `context`, keeping
    /// at most `maxHeld` blocks, writing into each page it gets, and now and then draining every CPU's
    /// lists; frees everything at the end.
    static func storm(_ machine: Machine, context: ExecutionContext, seed: UInt64, operations: Int,
                      maxHeld: Int, masks: [GFPFlags], maxOrder: Int) {
        let allocator = machine.pageAllocator
        var random = XorShift(seed: seed)
        var held: [(PFN, Int)] = []
        for step in 0..<operations {
            if !held.isEmpty && (held.count >= maxHeld || Bool.random(using: &random)) {
                let (pfn, order) = held.swapAt(Int.random(in: 0..<held.count, using: &random))
                allocator.freePages(pfn, order: order, context: context)
            } else {
                let order = Int.random(in: 0...maxOrder, using: &random) <= 1 ? 0 : Int.random(in: 0...maxOrder, using: &random)
                let gfp = masks[Int.random(in: 0..<masks.count, using: &random)].union(.noWarn)
                if let pfn = allocator.allocPages(order: order, gfp: gfp, context: context) {
                    allocator.pageAddress(pfn).storeBytes(of: UInt64(pfn), as: UInt64.self)
                    held.append((pfn, order))
                }
            }
            if context.kind == .task && step % 997 == 0 {
                allocator.drainAllPages(context: context)
            }
        }
        for (pfn, order) in held {
            #expect(allocator.pageAddress(pfn).load(as: UInt64.self) == UInt64(pfn), "page \(pfn) was handed out twice")
            allocator.freePages(pfn, order: order, context: context)
        }
    }

    static let taskMasks: [GFPFlags] = [.kernel, .highUserMovable, [.kernel, .reclaimable], .gfpDMA32, .noWait, [.kernel, .thisNode]]

    @Test func pagesAreConservedUnderConcurrentStormsWithAnInterruptingCPU() throws {
        let machine = try makeMachine(nodes: 2, cpusPerNode: 2, memoryPerNode: 32 << 20)
        let cpus = machine.spec.cpuCount
        runOnThreads(cpus + 1) { index in
            let context = index == cpus ? ExecutionContext.hardIRQ(cpu: 0) : ExecutionContext.task(cpu: index, pid: Int32(100 + index))
            let masks: [GFPFlags] = index == cpus ? [.atomic, [.atomic, .comp]] : Self.taskMasks
            Self.storm(machine, context: context, seed: UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15, operations: 6000,
                       maxHeld: 400, masks: masks, maxOrder: index == cpus ? 3 : 5)
        }
        #expect(machine.bugReports.count(.badPageState) == 0)
        #expect(machine.checkInvariants() == [])
        machine.pageAllocator.drainAllPages(context: .task(cpu: 0))
        #expect(machine.checkInvariants() == [])
        let free = machine.pageAllocator.populatedZones.reduce(0) { $0 + $1.freePages }
        // Boot took the vmalloc range's page tables (PGD and preallocated PUDs) from the page allocator.
        #expect(free == 2 * (32 << 20) / 4096 - machine.vmstat.value(.nrPageTablePages))
    }

    @Test func drainingEverythingRestoresTheInitialBuddyinfo() throws {
        let machine = try makeMachine(nodes: 1, cpusPerNode: 3, memoryPerNode: 48 << 20)
        // The boot's page-table allocations (vmalloc) left pages on CPU 0's list.
        machine.pageAllocator.drainAllPages(context: .task(cpu: 0))
        let initial = ProcFS.buddyinfo(machine)
        runOnThreads(3) { cpu in
            Self.storm(machine, context: .task(cpu: cpu, pid: Int32(cpu + 1)), seed: UInt64(cpu + 11), operations: 4000,
                       maxHeld: 600, masks: Self.taskMasks, maxOrder: 4)
        }
        #expect(ProcFS.buddyinfo(machine) != initial, "per-CPU lists still hold pages before the drain")
        machine.pageAllocator.drainAllPages(context: .task(cpu: 2))
        #expect(ProcFS.buddyinfo(machine) == initial)
        #expect(machine.checkInvariants() == [])
    }
}

private extension Array {
    /// Removes the element at `index` by swapping the last one into its place.
    mutating func swapAt(_ index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}
