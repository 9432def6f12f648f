import Testing
@testable import KMSim

@Suite struct ExecutionContextScopeTests {
    @Test func nofsScopeTurnsKernelIntoNoFS() {
        var context = ExecutionContext.task(cpu: 0)
        #expect(context.currentGFPContext(.kernel) == .kernel)
        let saved = context.memallocNoFSSave()
        #expect(saved == [])
        #expect(context.currentGFPContext(.kernel) == .noFS)
        #expect(context.currentGFPContext(.kernel).rawValue == 0xc40)
        #expect(context.currentGFPContext(.atomic) == .atomic)
        // A nested scope returns the bit that was already set, so the inner restore keeps NOFS.
        let inner = context.memallocNoFSSave()
        #expect(inner == .memallocNoFS)
        context.memallocNoFSRestore(inner)
        #expect(context.currentGFPContext(.kernel) == .noFS)
        context.memallocNoFSRestore(saved)
        #expect(context.currentGFPContext(.kernel) == .kernel)
        #expect(context.taskFlags == [])
    }

    @Test func noioTakesPrecedenceOverNoFS() {
        var context = ExecutionContext.task(cpu: 0)
        let nofs = context.memallocNoFSSave()
        let noio = context.memallocNoIOSave()
        #expect(context.currentGFPContext(.kernel) == .noIO)
        #expect(context.currentGFPContext(GFPFlags.kernel.union(.zero)) == GFPFlags.noIO.union(.zero))
        context.memallocNoIORestore(noio)
        #expect(context.currentGFPContext(.kernel) == .noFS)
        context.memallocNoFSRestore(nofs)
        #expect(context.currentGFPContext(.highUserMovable) == .highUserMovable)
    }

    @Test func scopedHelpersRestoreOnExit() {
        var context = ExecutionContext.task(cpu: 3)
        let inside = context.withMemallocNoIO { $0.currentGFPContext(.kernel) }
        #expect(inside == .noIO)
        #expect(context.taskFlags.isEmpty)
        let old = context.memallocNoReclaimSave()
        #expect(context.taskFlags == .memalloc)
        context.memallocNoReclaimRestore(old)
        #expect(context.taskFlags.isEmpty)
    }

    @Test func preemptAndIRQBookkeeping() {
        var context = ExecutionContext.task(cpu: 0)
        #expect(!context.isAtomic && !context.inAtomic)
        context.spinLockAcquired()
        context.spinLockAcquired()
        #expect(context.preemptCount == 2 && context.kernelPreemptCount == 2 && context.isAtomic)
        context.spinLockReleased()
        context.spinLockReleased()
        let balanced = context.spinLockReleased()
        #expect(!balanced, "an unbalanced unlock is refused")
        #expect(context.preemptCount == 0)
        let flags = context.spinLockIRQSaveAcquired()
        #expect(!flags && context.irqsDisabled && context.preemptCount == 1)
        context.spinLockIRQRestoreReleased(flags)
        #expect(!context.irqsDisabled && !context.isAtomic)
        let outer = context.localIRQSave()
        let inner = context.localIRQSave()
        context.localIRQRestore(inner)
        #expect(context.irqsDisabled, "restoring the inner save keeps interrupts off")
        context.localIRQRestore(outer)
        #expect(!context.irqsDisabled)
        #expect(ExecutionContext.hardIRQ(cpu: 1).kernelPreemptCount == 0x10000)
        #expect(ExecutionContext(cpu: 1, kind: .softirq, preemptCount: 1).kernelPreemptCount == 0x101)
    }
}
