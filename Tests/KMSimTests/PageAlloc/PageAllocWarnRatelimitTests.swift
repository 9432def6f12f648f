import Testing
@testable import KMSim

/// `warn_alloc()`'s `nopage_rs` (mm/page_alloc.c, 6.12: DEFAULT_RATELIMIT_INTERVAL 5 * HZ,
/// DEFAULT_RATELIMIT_BURST 10) with `___ratelimit()`'s semantics, on the virtual clock.
@Suite struct PageAllocWarnRatelimitTests {
    /// `___ratelimit()`: ten pass per interval, the interval ends strictly after `begin + interval`, and
    /// the first caller of the next one learns how many were refused. A state first used at jiffy 0
    /// (the virtual clock's start) is in use from then on.
    @Test func ratelimitStateFollowsTheKernel() {
        var state = RatelimitState()
        #expect(state.interval == 5000 && state.burst == 10)
        for _ in 0..<10 { #expect(state.allow(jiffies: 0) == .init(allowed: true, suppressed: 0)) }
        #expect(state.allow(jiffies: 0) == .init(allowed: false, suppressed: 0))
        #expect(state.allow(jiffies: 4999) == .init(allowed: false, suppressed: 0))
        #expect(state.allow(jiffies: 5000) == .init(allowed: false, suppressed: 0), "time_is_before_jiffies() is strict")
        #expect(state.allow(jiffies: 5001) == .init(allowed: true, suppressed: 3))
        #expect(state.begin == 5001 && state.printed == 1 && state.missed == 0)
        // A quiet interval ends without a suppressed line.
        #expect(state.allow(jiffies: 20000) == .init(allowed: true, suppressed: 0))
        var unlimited = RatelimitState(interval: 0, burst: 1)
        for _ in 0..<20 { #expect(unlimited.allow(jiffies: 7).allowed) }
    }

    /// Page allocator and vmalloc failures share one `nopage_rs` (6.12: `10*HZ`, burst 1), read on the
    /// run's clock: one report at virtual time 0, the rest refused (and counted) until more than 10 s
    /// have passed, then "warn_alloc: N callbacks suppressed" before the next report. `__GFP_NOWARN`
    /// failures do not take part.
    @Test func warnAllocIsRateLimitedOnTheVirtualClock() throws {
        let machine = try makeMachine()
        let clock = VirtualClock(spec: machine.spec)
        let context = ExecutionContext.task(cpu: 0, pid: 7)
        let allocator = machine.pageAllocator
        func failures() -> [String] {
            machine.bugReports.reports.filter { $0.kind == .allocFailure }.map(\.text)
        }
        clock.runLoop {
            for _ in 0..<3 { allocator.warnAlloc(.kernel, "page allocation failure: order:3", context: context) }
            allocator.warnAlloc(GFPFlags.kernel.union(.noWarn), "page allocation failure: order:3", context: context)
            machine.vmalloc.warnAlloc(.kernel, "vmalloc error: size 4096, failed to allocate pages", context: context)
            clock.advance(to: 10_000_999_999)
            allocator.warnAlloc(.kernel, "page allocation failure: order:4", context: context)
            clock.advance(to: 10_001_000_000)
            machine.vmalloc.warnAlloc(.kernel, "vmalloc error: size 8192, failed to allocate pages", context: context)
            allocator.warnAlloc(.kernel, "page allocation failure: order:5", context: context)
        }
        let texts = failures()
        #expect(texts.count == 2)
        #expect(texts.first?.hasPrefix("kmsim/7: page allocation failure: order:3, mode:0xcc0(GFP_KERNEL), nodemask=(null)\n") == true)
        #expect(texts.last?.hasPrefix("warn_alloc: 4 callbacks suppressed\nkmsim/7: vmalloc error: size 8192, failed to allocate pages, mode:0xcc0(GFP_KERNEL), nodemask=(null)\n") == true)
        #expect(machine.reclaim.count(.warnAllocSuppressed) == 5)
    }
}
