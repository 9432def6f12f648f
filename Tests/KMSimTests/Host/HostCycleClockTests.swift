import Testing
@testable import KMSim

struct HostCycleClockTests {
    @Test func readingsOnOneThreadNeverGoBackwardsAndConvertToNanoseconds() {
        let clock = HostCycleClock.shared
        var previous = clock.ticks()
        for _ in 0..<10_000 {
            let now = clock.ticks()
            #expect(now >= previous)
            previous = now
        }
        #expect(clock.nanosecondsPerTick > 0)
        #expect(clock.usesTSC || clock.nanosecondsPerTick == 1)
    }

    @Test func anEarlierEndConvertsToZero() {
        let tsc = HostCycleClock(usesTSC: true, nanosecondsPerTick: 0.5)
        #expect(tsc.nanoseconds(from: 1_000, to: 999) == 0)
        #expect(tsc.nanoseconds(from: 1_000, to: 3_000) == 1_000)
        let monotonic = HostCycleClock(usesTSC: false, nanosecondsPerTick: 1)
        #expect(monotonic.nanoseconds(from: 5, to: 12) == 7)
    }
}
