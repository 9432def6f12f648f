import Foundation
import Synchronization
import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct InterruptTests {
    @Test func interruptSourceKeepsFiringUntilCancelled() async throws {
        let cpus = makeCPUs()
        let cpu = cpus[1]
        let handled = Counter()
        let wrongContext = Counter()
        let source = try cpu.startInterruptSource(name: "eth0", hertz: 500) { context in
            handled.increment()
            if context.kind != .hardirq || context.cpu != 1 || CPUSide.current != cpu.irqSide { wrongContext.increment() }
        }
        #expect(await eventually { handled.count >= 25 })
        source.cancel()
        #expect(source.isCancelled)
        #expect(source.firedCount >= 25)
        #expect(wrongContext.count == 0)
    }

    /// A handler slower than the interval: the timer coalesces the firings it could not deliver, and
    /// they are counted as missed (20 ms per call at 1 kHz stands for about twenty firings each).
    @Test(TestTime.limit(minutes: 1)) func firingsALateHandlerCouldNotRunAreCountedAsMissed() async throws {
        let cpus = makeCPUs()
        let handled = Counter()
        let reported = Counter()
        let source = try cpus[0].startInterruptSource(name: "slow", hertz: 1000, onMissed: { late in
            for _ in 0..<late { reported.increment() }
        }) { _ in
            handled.increment()
            usleep(20_000)
        }
        #expect(await eventually { handled.count >= 4 })
        source.cancel()
        #expect(source.missedCount > 0, "handled \(handled.count), missed \(source.missedCount)")
        #expect(reported.count == source.missedCount)
    }

    /// The parser, `kmsim stress` and the source share one range: its ends start, past them is refused.
    @Test func rateRangeIsTheSourcesOwn() throws {
        let cpus = makeCPUs()
        for hertz in [InterruptSource.rateRange.lowerBound, InterruptSource.rateRange.upperBound] {
            let source = try cpus[0].startInterruptSource(name: "edge", hertz: hertz) { _ in }
            source.cancel()
        }
        #expect(throws: InterruptError.invalidRate(1_000_001)) { try cpus[0].startInterruptSource(name: "x", hertz: 1_000_001) { _ in } }
    }

    @Test func badRatesAreRejected() {
        let cpus = makeCPUs()
        #expect(throws: InterruptError.invalidRate(0)) { try cpus[0].startInterruptSource(name: "x", hertz: 0) { _ in } }
        #expect(throws: InterruptError.invalidRate(.infinity)) {
            try cpus[0].startInterruptSource(name: "x", hertz: .infinity) { _ in }
        }
        #expect(throws: InterruptError.invalidJitter(2)) {
            try cpus[0].startInterruptSource(name: "x", hertz: 10, jitter: 2) { _ in }
        }
    }

    @Test func ipiRunsOnTheTargetCPUsInterruptSide() async throws {
        let cpus = makeCPUs()
        let seen = await withCheckedContinuation { (continuation: CheckedContinuation<(CPUSide?, ExecutionContext), Never>) in
            try? cpus.sendIPI(to: 2) { context in continuation.resume(returning: (CPUSide.current, context)) }
        }
        #expect(seen.0 == cpus[2].irqSide)
        #expect(seen.1.cpu == 2 && seen.1.kind == .hardirq && seen.1.irqsDisabled)
        #expect(throws: InterruptError.noSuchCPU(9, cpuCount: 4)) { try cpus.sendIPI(to: 9) { _ in } }
    }

    @Test func onEachCPUWaitsForEveryCPU() async {
        let cpus = makeCPUs()
        let sides = EventLog<CPUSide?>()
        let seenAfterReturn = await cpus[0].startTask(pid: 7) { context, _ in
            await cpus.onEachCPU(context: context, wait: true) { _ in
                sides.append(CPUSide.current)
            }
            return sides.count
        }.value
        #expect(seenAfterReturn == cpus.count)
        #expect(Set(sides.all.compactMap { $0 }) == Set(cpus.map(\.irqSide)))
        #expect(cpus.debug.atomicWaits == 0)
    }

    @Test func onEachCPUWithIRQsDisabledWarnsAndDoesNotWait() async {
        let cpus = makeCPUs()
        let ran = Counter()
        await cpus[1].startTask(pid: 8) { context, _ in
            let flags = context.localIRQSave()
            await cpus.onEachCPU(context: context, wait: true, file: "mm/page_alloc.c", line: 2410) { _ in ran.increment() }
            context.localIRQRestore(flags)
        }.value
        #expect(cpus.debug.atomicWaits == 1)
        #expect(cpus.reportLines.first?.first == "WARNING: CPU: 1 PID: 8 at mm/page_alloc.c:2410 smp_call_function_many_cond")
        #expect(await eventually { ran.count == cpus.count })
    }
}
