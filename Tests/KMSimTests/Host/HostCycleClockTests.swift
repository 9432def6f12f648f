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

    /// The fixed-point conversion agrees with the floating-point one, for short and for long spans.
    @Test func fixedPointConversionMatchesTheRate() {
        for rate in [0.3125, 0.37037, 1.0 / 2.9, 1.7] {
            let clock = HostCycleClock(usesTSC: true, nanosecondsPerTick: rate)
            for span: UInt64 in [1, 37, 1_000, 123_456_789, 10_000_000_000, 1 << 50] {
                let expected = Double(span) * rate
                let converted = Double(clock.nanoseconds(from: 7, to: 7 + span))
                #expect(abs(converted - expected) <= max(1, expected * 1e-9), "\(span) ticks at \(rate) ns")
            }
        }
    }
}
