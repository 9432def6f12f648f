import Dispatch
import Testing
@testable import KMSim

/// PerCPUCounters lives in Stats/; its tests sit with the Sync tests because lock_stat is built on it.
@Suite(TestTime.limit(minutes: 5)) struct SyncPerCPUCountersTests {
    @Test func rowsArePaddedAndAligned() {
        let counters = PerCPUCounters(cpuCount: 3, counters: 20)
        #expect(counters.rowStride == 256)
        #expect(Int(bitPattern: counters.base) % 128 == 0)
        #expect(counters.sums() == Array(repeating: 0, count: 20))
    }

    @Test func concurrentAddsSumExactly() {
        let cpuCount = 2
        let counters = PerCPUCounters(cpuCount: cpuCount, counters: 20)
        let threads = 4
        let iterations = 20_000
        // Two threads share each row, as a CPU's process and interrupt sides do.
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for i in 0..<iterations {
                counters.add(i % 20, 3, cpu: thread % cpuCount)
                counters.add(19, -1, cpu: thread % cpuCount)
            }
        }
        let perIndex = Int64(threads * iterations / 20 * 3)
        var expected = Array(repeating: perIndex, count: 20)
        expected[19] -= Int64(threads * iterations)
        #expect(counters.sums() == expected)
        #expect(counters.sum(0) == perIndex)
        #expect(counters.value(0, cpu: 0) + counters.value(0, cpu: 1) == perIndex)
    }

    /// Each CPU's process, softirq and hardirq sides own consecutive rows, worked out when the context is
    /// made; a CPU no Int32 row can number gets -1, which every block's bounds check refuses.
    @Test func contextsCountInTheirCPUsRowForTheirKind() {
        var rows: [Int] = []
        for cpu in 0..<3 {
            for kind in ExecutionContext.Kind.allCases {
                rows.append(PerCPUCounters.row(of: ExecutionContext(cpu: cpu, kind: kind)))
            }
        }
        #expect(rows == Array(0..<9))
        #expect(PerCPUCounters.row(of: .hardIRQ(cpu: 4)) == 14)
        #expect(ExecutionContext(cpu: Int(Int32.max), kind: .task).counterRow == -1)
        #expect(ExecutionContext(cpu: -1, kind: .softirq).counterRow == -1)
        let counters = PerCPUCounters(cpuCount: PerCPUCounters.rows(cpuCount: 2, kernelThreads: 0), counters: 1)
        #expect(UInt(bitPattern: PerCPUCounters.row(of: ExecutionContext(cpu: -1))) >= UInt(counters.cpuCount))
    }
}
